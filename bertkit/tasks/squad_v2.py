"""Extractive QA that may answer "no answer": SQuAD v2.0 dev, split by article as `squad.py` splits v1.1.

The v2.0 dev questions come from the official explorer pages (`read_squad_explorer`: answer offsets
found again in each paragraph, all 20,302 located). Their articles are v1.1 dev articles, so each v2
question goes to the split its title has in `squad.py`: `dev` holds the same held-out titles as
v1.1's `dev` (13 articles, 3,954 questions, 2,058 unanswerable), `tune` the v1.1 tune titles, `train`
the rest. No article is in two splits, across both tasks.
"""
from ..data.squad_html import read_squad_explorer
from ..families.qa import QuestionAnswering
from .base import Task, register
from .squad import SQUAD_FILE, read_split as read_v1

SQUAD_V2_FILE = "squad/squad-v2-dev-explorer-html.tar.xz"


def read_split(paths, split):
    """v2 questions whose article is in v1.1's `split` (paths: the v1.1 zip, the v2 explorer tar)."""
    v1_path, v2_path = paths
    titles = set(read_v1(v1_path, split)["title"])
    v2 = read_squad_explorer(v2_path)
    return v2.select([i for i, t in enumerate(v2["title"]) if t in titles])


TASK = register(Task(
    name="squad_v2",
    family=QuestionAnswering(allow_no_answer=True),
    description="Question answering that says when the context holds no answer (SQuAD v2.0 behaviour).",
    files={split: (SQUAD_FILE, SQUAD_V2_FILE) for split in ("train", "tune", "dev")},
    read=read_split,
    version="2",  # real SQuAD 2.0 questions (v1: v1.1 questions plus constructed no-answer pairs)
    tune_split="tune",
    row_ids=True,
    metric="squad_v2",
    primary_metric="f1",  # at the no-answer threshold tuned on the training part (bertkit.json)
    benchmark="squad",
    headline=("exact", "f1", "HasAns_f1", "NoAns_f1"),
    metric_scale=1.0,
    references="squad",
    title="SQuAD v2.0 (held-out articles)",
    hub_dataset=("rajpurkar/squad_v2", None),
    examples=(
        {"question": "What is the capital of France?",
         "context": "France is a country in Western Europe. Its capital and largest city is Paris."},
        {"question": "Who invented the telephone?",
         "context": "France is a country in Western Europe. Its capital and largest city is Paris."},
    ),
    # The shipped head: 1 epoch from the shipped squad adapter (a cold start did not beat "no answer").
    train_defaults={"epochs": 1, "eval_every": 200, "lr": 3e-4, "batch_size": 32, "max_length": 384, "lora_r": 32,
                    "init_from_head": "squad"},
))
