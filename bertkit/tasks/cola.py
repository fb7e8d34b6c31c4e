"""Grammatical acceptability of an English sentence (GLUE CoLA)."""
from ..data import read_glue
from ..families.classification import SequenceClassification
from .base import Task, register

TASK = register(Task(
    name="cola",
    family=SequenceClassification(pair=False, regression=False),
    description="Grammatical acceptability of an English sentence (GLUE CoLA).",
    labels=("unacceptable", "acceptable"),
    files={"train": "glue/CoLA/train.tsv", "dev": "glue/CoLA/dev.tsv", "test": "glue/CoLA/test.tsv"},
    read=lambda path, split: read_glue(path, "cola", None),
    metric="glue",
    metric_config="cola",
    primary_metric="matthews_correlation",
    hub_dataset=("nyu-mll/glue", "cola"),
    examples=(
        "The sailors rode the breeze clear of the rocks.",
        "The more books I ask to whom he will give, the more he reads.",
        "Our friends won't buy this analysis, let alone the next one we propose.",
    ),
    train_defaults={"epochs": 3, "lr": 5e-4, "batch_size": 32, "max_length": 64},
))
