"""Winograd-schema entailment: does the pronoun resolution hold? (GLUE WNLI)"""
from ._glue import glue_task

TASK = glue_task(
    "wnli", "WNLI",
    labels=("not_entailment", "entailment"),
    pair=True,
    description=__doc__,
    primary_metric="accuracy",
    examples=({"text": "The drain is clogged with hair. It has to be cleaned.", "text_pair": "The hair has to be cleaned."},
              {"text": "Jane knocked on Susan's door but she did not answer.", "text_pair": "Susan did not answer."}),
    train_defaults={"epochs": 3, "lr": 1e-4, "batch_size": 16, "max_length": 128},
)
