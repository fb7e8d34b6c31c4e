"""Extractive QA on SQuAD v1.1. Only v1.1 dev exists here, so it is split by article
(`split_squad_by_article`: 20 % of the articles, chosen by sha256 of the title, are held out).
`train`/`tune` are the other 80 % (5 % of those articles tune the checkpoint choice); `dev` is the
held-out part, reported as "SQuAD v1.1 dev, held-out articles".
"""
from ..data import read_squad, split_squad_by_article
from ..families.qa import QuestionAnswering
from .base import Task, register

SQUAD_FILE = "squad/dev-v1.1.json.zip"
TUNE_FRACTION = 0.05


def read_split(path, split):
    train_part, held_out = split_squad_by_article(read_squad(path), held_out_fraction=0.2)
    if split == "dev":
        return held_out
    train, tune = split_squad_by_article(train_part, held_out_fraction=TUNE_FRACTION)
    return tune if split == "tune" else train


TASK = register(Task(
    name="squad",
    family=QuestionAnswering(),
    description="Extractive question answering: find the answer span in the context (SQuAD v1.1).",
    files={"train": SQUAD_FILE, "tune": SQUAD_FILE, "dev": SQUAD_FILE},
    read=read_split,
    tune_split="tune",
    row_ids=True,
    metric="squad",
    primary_metric="f1",
    benchmark="squad",
    aliases=("squad_v1",),  # the `squad` group runs v1.1 and v2; this name runs v1.1 alone
    headline=("exact_match", "f1"),
    metric_scale=1.0,
    references="squad",
    target_score=60.0,
    title="SQuAD v1.1",
    hub_dataset=("rajpurkar/squad", None),
    examples=(
        {"question": "What is the capital of France?",
         "context": "France is a country in Western Europe. Its capital and largest city is Paris, "
                    "home of the Eiffel Tower."},
        {"question": "Which NFL team won Super Bowl 50?",
         "context": "Super Bowl 50 was an American football game to determine the champion of the National "
                    "Football League for the 2015 season. The Denver Broncos defeated the Carolina Panthers "
                    "24-10 to earn their third Super Bowl title."},
    ),
    train_defaults={"epochs": 6, "eval_every": 200, "lr": 3e-4, "batch_size": 32, "max_length": 384, "lora_r": 32},
))
