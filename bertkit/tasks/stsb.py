"""Semantic similarity of two sentences on a 0-5 scale (GLUE STS-B, regression)."""
from ._glue import glue_task

TASK = glue_task(
    "stsb", "STS-B",
    pair=True,
    regression=True,
    description=__doc__,
    primary_metric="spearmanr",
    headline=("pearson", "spearmanr"),
    target_score=84.0,
    examples=({"text": "A man is playing a guitar.", "text_pair": "A person plays the guitar."},
              {"text": "A woman is slicing an onion.", "text_pair": "A dog runs across the field."}),
    train_defaults={"epochs": 8, "lr": 4e-4, "batch_size": 16, "max_length": 128},
)
