"""Does the first text entail the second? (GLUE RTE)"""
from ..data import read_glue
from ..families.classification import SequenceClassification
from .base import Task, register

TASK = register(Task(
    name="rte",
    family=SequenceClassification(pair=True, regression=False),
    description="Does the first text entail the second? (GLUE RTE)",
    labels=("entailment", "not_entailment"),
    files={"train": "glue/RTE/train.tsv", "dev": "glue/RTE/dev.tsv", "test": "glue/RTE/test.tsv"},
    read=lambda path, split: read_glue(path, "rte", ["entailment", "not_entailment"]),
    metric="glue",
    metric_config="rte",
    primary_metric="accuracy",
    hub_dataset=("nyu-mll/glue", "rte"),
    examples=(
        {"text": "Dana Reeve, the widow of the actor Christopher Reeve, has died of lung cancer at age 44.",
         "text_pair": "Dana Reeve is dead."},
        {"text": "Yet, we now are discovering that antibiotics are losing their effectiveness against illness.",
         "text_pair": "Antibiotics always cure illness."},
    ),
    train_defaults={"epochs": 5, "lr": 5e-4, "batch_size": 16, "max_length": 256},
))
