"""Does the sentence answer the question? (GLUE QNLI; no training data here: evaluation only)"""
from ._glue import glue_task

TASK = glue_task(
    "qnli", "QNLI",
    labels=("entailment", "not_entailment"),
    label_names=["entailment", "not_entailment"],
    pair=True,
    columns={"text": ("question",), "text_pair": ("sentence",)},
    string_labels=True,
    splits=("dev", "test"),
    trainable=False,  # QNLI train (over 4 MiB) is not in the data snapshot
    description=__doc__,
    primary_metric="accuracy",
    examples=({"text": "What is the first major city in the stream of the Rhine?",
               "text_pair": "The most important tributaries in this area are the Ill below of Strasbourg."},
              {"text": "When did the new constitution come into force?",
               "text_pair": "As of that day, the new constitution heralding the Second Republic came into force."}),
    train_defaults={"epochs": 2, "lr": 5e-4, "batch_size": 32, "max_length": 256},
)
