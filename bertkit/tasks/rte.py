"""Does the first text entail the second? (GLUE RTE)"""
from ._glue import glue_task

TASK = glue_task(
    "rte", "RTE",
    labels=("entailment", "not_entailment"),
    label_names=["entailment", "not_entailment"],
    pair=True,
    string_labels=True,
    description=__doc__,
    primary_metric="accuracy",
    target_score=58.0,
    examples=({"text": "Dana Reeve, the widow of the actor Christopher Reeve, has died of lung cancer at age 44.",
               "text_pair": "Dana Reeve is dead."},
              {"text": "Yet, we now are discovering that antibiotics are losing their effectiveness against illness.",
               "text_pair": "Antibiotics always cure illness."}),
    # The shipped head first trains on SICK (--init-from, see its card); these defaults are the RTE step's.
    train_defaults={"epochs": 10, "lr": 4e-4, "batch_size": 16, "max_length": 128, "lora_r": 16},
)
