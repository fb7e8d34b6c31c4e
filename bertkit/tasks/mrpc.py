"""Are two news sentences paraphrases? (GLUE MRPC)"""
from ..data import read_glue
from ..families.classification import SequenceClassification
from .base import Task, register

TASK = register(Task(
    name="mrpc",
    family=SequenceClassification(pair=True, regression=False),
    description="Are two news sentences paraphrases? (GLUE MRPC)",
    labels=("not_equivalent", "equivalent"),
    files={"train": "glue/MRPC/train.tsv", "dev": "glue/MRPC/dev.tsv", "test": "glue/MRPC/test.tsv"},
    read=lambda path, split: read_glue(path, "mrpc", None),
    metric="glue",
    metric_config="mrpc",
    primary_metric="f1",
    hub_dataset=("nyu-mll/glue", "mrpc"),
    examples=(
        {"text": "The company said it expects revenue to grow 10 percent next year.",
         "text_pair": "Revenue will rise about 10 percent next year, the company said."},
        {"text": "He was arrested in Paris on Tuesday.", "text_pair": "He flew to Paris on Tuesday for a meeting."},
    ),
    train_defaults={"epochs": 3, "lr": 5e-4, "batch_size": 32, "max_length": 128},
))
