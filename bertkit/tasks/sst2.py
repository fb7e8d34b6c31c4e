"""Sentiment of a movie-review sentence (GLUE SST-2): negative or positive."""
from ._glue import glue_task

TASK = glue_task(
    "sst2", "SST-2",
    labels=("negative", "positive"),
    description=__doc__,
    primary_metric="accuracy",
    target_score=88.0,
    examples=("a charming and often affecting journey.",
              "unflinchingly bleak and desperate",
              "the acting is superb, but the plot never lifts off."),
    train_defaults={"epochs": 3, "lr": 5e-4, "batch_size": 32, "max_length": 128},
)
