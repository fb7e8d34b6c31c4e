"""Does the sentence answer the question? (GLUE QNLI; no training data here: evaluation only)"""
from ..data import read_glue
from ..families.classification import SequenceClassification
from .base import Task, register

TASK = register(Task(
    name="qnli",
    family=SequenceClassification(pair=True, regression=False),
    description="Does the sentence answer the question? (GLUE QNLI; no training data here: evaluation only)",
    labels=("entailment", "not_entailment"),
    files={"dev": "glue/QNLI/dev.tsv", "test": "glue/QNLI/test.tsv"},
    read=lambda path, split: read_glue(path, "qnli", ["entailment", "not_entailment"]),
    metric="glue",
    metric_config="qnli",
    primary_metric="accuracy",
    hub_dataset=("nyu-mll/glue", "qnli"),
    trainable=False,  # QNLI train (over 4 MiB) is not in the data here
    examples=(
        {"text": "What is the first major city in the stream of the Rhine?",
         "text_pair": "The most important tributaries in this area are the Ill below of Strasbourg."},
        {"text": "When did the new constitution come into force?",
         "text_pair": "As of that day, the new constitution heralding the Second Republic came into force."},
    ),
    train_defaults={"epochs": 2, "lr": 5e-4, "batch_size": 32, "max_length": 256},
))
