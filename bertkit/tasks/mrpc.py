"""Are two news sentences paraphrases? (GLUE MRPC)"""
from ._glue import glue_task

TASK = glue_task(
    "mrpc", "MRPC",
    labels=("not_equivalent", "equivalent"),
    pair=True,
    columns={"text": ("#1 String",), "text_pair": ("#2 String",)},
    description=__doc__,
    primary_metric="f1",
    headline=("f1", "accuracy"),
    target_score=85.0,
    examples=({"text": "The company said it expects revenue to grow 10 percent next year.",
               "text_pair": "Revenue will rise about 10 percent next year, the company said."},
              {"text": "He was arrested in Paris on Tuesday.", "text_pair": "He flew to Paris on Tuesday for a meeting."}),
    train_defaults={"epochs": 10, "lr": 4e-4, "batch_size": 16, "max_length": 128},
)
