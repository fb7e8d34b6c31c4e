"""The online catalogue: one well-known hub checkpoint per task, pinned to a revision.

`--model catalog` (API `model="catalog"`, app `BERTKIT_DEMO_MODEL=catalog`) serves each task with the
checkpoint below when the Hugging Face Hub is reachable (or the pinned snapshot is in the local hub
cache); offline it fails at once with a clear ModelError. Their labels are read from each checkpoint's
own config and mapped to the task's by name (`bertkit/labels.py`): the `labels` column documents what
each one says, so a reader can check the mapping. Revisions are commit hashes (or a release tag)
that public code pins for these repositories; a task with no entry has no well-known BERT-family
checkpoint in the hub's standard format (srl, translation: use bertkit's own heads).
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Entry:
    hub_id: str
    revision: str
    labels: str  # the checkpoint's own label convention, as its config.json names it
    note: str = ""


CATALOG: dict[str, Entry] = {
    "fill-mask": Entry("google-bert/bert-base-uncased", "86b5e0934494bd15c9632b12f734a8a67f723594",
                       "-", "the original BERT with its masked-LM head (the tutorial's 'fox')"),
    "sst2": Entry("distilbert/distilbert-base-uncased-finetuned-sst-2-english",
                  "714eb0fa89d2f80546fda750413ed43d93601a13", "NEGATIVE, POSITIVE",
                  "transformers' default text-classification model"),
    "ner": Entry("dslim/bert-base-NER", "f7c2808a659015eeb8828f3f809a2f1be67a2446",
                 "O, B-MISC, I-MISC, B-PER, I-PER, B-ORG, I-ORG, B-LOC, I-LOC", "BERT-base cased, CoNLL-2003"),
    "squad": Entry("distilbert/distilbert-base-cased-distilled-squad", "564e9b5",
                   "-", "transformers' default question-answering model"),
    "squad_v2": Entry("deepset/roberta-base-squad2", "v1.0", "-", "RoBERTa-base on SQuAD 2.0"),
}
CATALOG_NAME = "catalog"


def entry(task: str) -> Entry:
    from .errors import MissingHeadError

    if task not in CATALOG:
        raise MissingHeadError(
            f"the catalogue has no hub checkpoint for {task!r} (it lists {', '.join(CATALOG)}): pass a hub id "
            f"or folder with --model, or use --model default")
    return CATALOG[task]


def table_markdown() -> str:
    """The catalogue as a Markdown table (README, docs)."""
    rows = ["| task | checkpoint | revision | its labels |", "|---|---|---|---|"]
    rows += [f"| `{t}` | `{e.hub_id}` | `{e.revision[:12]}` | {e.labels} |" for t, e in CATALOG.items()]
    return "\n".join(rows)
