"""Semantic roles (PropBank) of a given predicate, on Universal PropBank English-EWT.

Only EWT dev and test exist here: `train` is the dev file less every tenth sentence, `tune` is that
tenth (checkpoint choice), `test` is the test file (reported). Span F1 excludes the predicate (V).
"""
from ..data import read_propbank, srl_label_names
from ..families.srl import RoleLabelling
from .base import Task, register

TUNE_EVERY = 10


def read_split(path, split):
    ds = read_propbank(path)
    if split == "test":
        return ds
    sentence = [i.rsplit(":", 1)[0] for i in ds["id"]]
    order = {s: n for n, s in enumerate(dict.fromkeys(sentence))}
    keep = [i for i, s in enumerate(sentence) if (order[s] % TUNE_EVERY == 0) == (split == "tune")]
    return ds.select(keep)


TASK = register(Task(
    name="srl",
    family=RoleLabelling(),
    description="Who did what to whom: PropBank argument spans of a predicate (Universal PropBank EWT).",
    labels=tuple(srl_label_names()),
    files={"train": "srl/en_ewt-up-dev.conllu", "tune": "srl/en_ewt-up-dev.conllu",
           "test": "srl/en_ewt-up-test.conllu"},
    read=read_split,
    tune_split="tune",
    version="2",  # raw-text words split as the treebank does; scores gain raw_text_*
    metric="srl",
    primary_metric="f1",
    reported_split="test",
    headline=("precision", "recall", "f1"),
    target_score=55.0,
    title="SRL",
    examples=(
        {"text": "President Bush on Tuesday nominated two individuals to replace retiring jurists.", "predicate": 4},
        "The committee approved the plan and sent it to the council.",
        "Mary sold the book to John yesterday.",
    ),
    train_defaults={"epochs": 12, "lr": 5e-4, "batch_size": 32, "max_length": 256},
))
