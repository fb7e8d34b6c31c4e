"""Semantic roles (PropBank) of a given predicate, on Universal PropBank English-EWT.

Only EWT dev and test exist here: `train` is the dev file less every tenth sentence, `tune` is that
tenth (checkpoint choice), `test` is the test file (reported). Span F1 excludes the predicate (V).
When the data dir holds OntoNotes 5.0 (CoNLL-2012 train, PropBank roles on 253k predicates of news,
broadcast, web and other text; RESTRICTED: read, never committed), `train` adds it: its roles are
PropBank's too, ARGM-PNC renamed ARGM-PRP as Universal PropBank does, and the few labels EWT lacks
(about 120 of 852k spans) left out; the EWT rows are repeated EWT_REPEAT times so they are not drowned.
"""
from datasets import concatenate_datasets

from ..data import read_propbank, srl_label_names
from ..families.srl import RoleLabelling
from .base import Task, register

TUNE_EVERY = 10
EWT_REPEAT = 4
RENAMED = {"ARGM-PNC": "ARGM-PRP"}  # OntoNotes' purpose role under Universal PropBank's name


def read_split(paths, split):
    paths = paths if isinstance(paths, list) else [paths]
    ds = read_propbank(paths[0])
    if split == "test":
        return ds
    sentence = [i.rsplit(":", 1)[0] for i in ds["id"]]
    order = {s: n for n, s in enumerate(dict.fromkeys(sentence))}
    keep = [i for i, s in enumerate(sentence) if (order[s] % TUNE_EVERY == 0) == (split == "tune")]
    ds = ds.select(keep)
    if split != "train" or len(paths) < 2 or not paths[1].exists():
        return ds
    from ..data.conll2012 import read_conll2012_srl

    onto = read_conll2012_srl(paths[1]).map(lambda r: {"tags": [known_tag(t) for t in r["tags"]]})
    return concatenate_datasets([ds] * EWT_REPEAT + [onto])


_KNOWN = set(srl_label_names())


def known_tag(tag: str) -> str:
    """An OntoNotes IOB2 tag in this task's label set ("O" for the labels Universal PropBank lacks)."""
    if tag == "O":
        return tag
    tag = tag[:2] + RENAMED.get(tag[2:], tag[2:])
    return tag if tag in _KNOWN else "O"


TASK = register(Task(
    name="srl",
    family=RoleLabelling(),
    description="Who did what to whom: PropBank argument spans of a predicate (Universal PropBank EWT).",
    labels=tuple(srl_label_names()),
    files={"train": ("srl/en_ewt-up-dev.conllu", "ontonotes/train.tar.xz"), "tune": "srl/en_ewt-up-dev.conllu",
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
