"""Winograd-schema entailment: does the pronoun resolution hold? (GLUE WNLI)"""
from ..data import read_glue
from ..families.classification import SequenceClassification
from .base import Task, register

TASK = register(Task(
    name="wnli",
    family=SequenceClassification(pair=True, regression=False),
    description="Winograd-schema entailment: does the pronoun resolution hold? (GLUE WNLI)",
    labels=("not_entailment", "entailment"),
    files={"train": "glue/WNLI/train.tsv", "dev": "glue/WNLI/dev.tsv", "test": "glue/WNLI/test.tsv"},
    read=lambda path, split: read_glue(path, "wnli", None),
    metric="glue",
    metric_config="wnli",
    primary_metric="accuracy",
    hub_dataset=("nyu-mll/glue", "wnli"),
    examples=(
        {"text": "The drain is clogged with hair. It has to be cleaned.", "text_pair": "The hair has to be cleaned."},
        {"text": "Jane knocked on Susan's door but she did not answer.", "text_pair": "Susan did not answer."},
    ),
    train_defaults={"epochs": 3, "lr": 1e-4, "batch_size": 16, "max_length": 128},
))
