"""Sentiment of a movie-review sentence (GLUE SST-2): negative or positive."""
from ..data import read_glue
from ..families.classification import SequenceClassification
from .base import Task, register

TASK = register(Task(
    name="sst2",
    family=SequenceClassification(pair=False, regression=False),
    description="Sentiment of a movie-review sentence (GLUE SST-2): negative or positive.",
    labels=("negative", "positive"),
    files={"train": "glue/SST-2/train.tsv", "dev": "glue/SST-2/dev.tsv", "test": "glue/SST-2/test.tsv"},
    read=lambda path, split: read_glue(path, "sst2", None),
    metric="glue",
    metric_config="sst2",
    primary_metric="accuracy",
    hub_dataset=("nyu-mll/glue", "sst2"),
    examples=(
        "a charming and often affecting journey.",
        "unflinchingly bleak and desperate",
        "the acting is superb, but the plot never lifts off.",
    ),
    train_defaults={"epochs": 1, "lr": 5e-4, "batch_size": 32, "max_length": 128},
))
