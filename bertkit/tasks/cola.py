"""Grammatical acceptability of an English sentence (GLUE CoLA)."""
from ._glue import glue_task

TASK = glue_task(
    "cola", "CoLA",
    labels=("unacceptable", "acceptable"),
    headerless=("source", "label", "mark", "sentence"),
    description=__doc__,
    primary_metric="matthews_correlation",
    target_score=30.0,
    examples=("The sailors rode the breeze clear of the rocks.",
              "The more books I ask to whom he will give, the more he reads.",
              "Our friends won't buy this analysis, let alone the next one we propose."),
    train_defaults={"epochs": 10, "lr": 3e-4, "batch_size": 32, "max_length": 64},  # shipped head: --seed 1
)
