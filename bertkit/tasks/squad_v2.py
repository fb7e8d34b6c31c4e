"""Extractive QA that may answer "no answer" (SQuAD v2.0 behaviour).

No SQuAD v2 data is here, so unanswerable pairs are built from the v1.1 split of `squad.py`:
every third question (by position, deterministic) is copied once, paired with another paragraph of
the same article that does not contain any of its gold answers, with no answer. The held-out part
gets the same construction, so HasAns and NoAns are both scored there. Online, the hub's
`rajpurkar/squad_v2` gives the real thing.
"""
from datasets import Dataset

from ..families.qa import QuestionAnswering
from .base import Task, register
from .squad import SQUAD_FILE, read_split as read_v1

EVERY = 3  # one unanswerable copy per EVERY questions


def with_unanswerable(ds):
    """`ds` plus unanswerable copies: each EVERY-th question paired with a sibling paragraph."""
    rows = ds.to_list()
    contexts: dict[str, list[str]] = {}
    for r in rows:
        if r["context"] not in contexts.setdefault(r["title"], []):
            contexts[r["title"]].append(r["context"])
    extra = []
    for n, r in enumerate(rows):
        if n % EVERY:
            continue
        siblings = contexts[r["title"]]
        start = siblings.index(r["context"])
        for step in range(1, len(siblings)):
            other = siblings[(start + step) % len(siblings)]
            if not any(a.lower() in other.lower() for a in r["answers"]["text"]):
                extra.append(dict(r, id=r["id"] + "_na", context=other, answers={"text": [], "answer_start": []}))
                break
    return Dataset.from_list(rows + extra, features=ds.features)


TASK = register(Task(
    name="squad_v2",
    family=QuestionAnswering(allow_no_answer=True),
    description="Question answering that says when the context holds no answer (SQuAD v2.0 behaviour).",
    files={"train": SQUAD_FILE, "tune": SQUAD_FILE, "dev": SQUAD_FILE},
    read=lambda path, split: with_unanswerable(read_v1(path, split)),
    tune_split="tune",
    metric="squad_v2",
    primary_metric="f1",  # at the no-answer threshold tuned on the training part (bertkit.json)
    benchmark="squad",
    headline=("exact", "f1", "HasAns_f1", "NoAns_f1"),
    metric_scale=1.0,
    references="squad",
    title="SQuAD v2",
    hub_dataset=("rajpurkar/squad_v2", None),
    examples=(
        {"question": "What is the capital of France?",
         "context": "France is a country in Western Europe. Its capital and largest city is Paris."},
        {"question": "Who invented the telephone?",
         "context": "France is a country in Western Europe. Its capital and largest city is Paris."},
    ),
    train_defaults={"epochs": 4, "eval_every": 200, "lr": 5e-4, "batch_size": 32, "max_length": 384},
))
