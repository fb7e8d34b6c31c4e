"""Semantic similarity of two sentences on a 0-5 scale (GLUE STS-B, regression)."""
from ..data import read_glue
from ..families.classification import SequenceClassification
from .base import Task, register

TASK = register(Task(
    name="stsb",
    family=SequenceClassification(pair=True, regression=True),
    description="Semantic similarity of two sentences on a 0-5 scale (GLUE STS-B, regression).",
    labels=(),
    files={"train": "glue/STS-B/train.tsv", "dev": "glue/STS-B/dev.tsv", "test": "glue/STS-B/test.tsv"},
    read=lambda path, split: read_glue(path, "stsb", None),
    metric="glue",
    metric_config="stsb",
    primary_metric="spearmanr",
    hub_dataset=("nyu-mll/glue", "stsb"),
    examples=(
        {"text": "A man is playing a guitar.", "text_pair": "A person plays the guitar."},
        {"text": "A woman is slicing an onion.", "text_pair": "A dog runs across the field."},
    ),
    train_defaults={"epochs": 3, "lr": 5e-4, "batch_size": 32, "max_length": 128},
))
