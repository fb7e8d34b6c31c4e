"""A trained head's own labels -> the task's labels, by name.

Hub checkpoints name and order their labels their own way: an SST-2 head may say `NEGATIVE, POSITIVE`
or `POSITIVE, NEGATIVE`, an NER head `O, B-MISC, I-MISC, B-PER, ...` (dslim) or `B-PER, I-PER, ..., O`,
an NLI head `CONTRADICTION, NEUTRAL, ENTAILMENT`. bertkit never renames a head's outputs by position:
it keeps the checkpoint's config and maps each head label to a task label by name, then sums the
probabilities of the head labels that map to the same task label. The rules, in order:

1. `--label-map a=b,...` (API `label_map=`): the user's word for head label `a` is task label `b`.
2. Same name once case and separators are ignored (`NEGATIVE` = `negative`, `not-entailment` =
   `not_entailment`), or a documented synonym (`SYNONYMS`: pos/neg, paraphrase/equivalent, ...).
3. 2-way NLI tasks (labels `entailment`, `not_entailment`): `contradiction` and `neutral` both map to
   `not_entailment` (a 3-way MNLI head serves RTE, WNLI, QNLI).
4. Tag sets: IOB1, IOB2, BIOES/BILOU and IO (bare `PER`) heads convert to the task's IOB2 tags:
   `S-`/`U-` -> `B-`, `E-`/`L-` -> `I-`, a bare type -> `I-` (decoding reads an `I-` that starts an
   entity as `B-`); entity types by name with `PERSON`/`LOCATION`/`ORGANIZATION`/`MISCELLANEOUS`
   as synonyms of `PER`/`LOC`/`ORG`/`MISC`.
5. Generic names (`LABEL_0`, `LABEL_1`, or `0`, `1`) carry no meaning: with as many labels as the task
   has they are read in the task's order, with a warning that says so.
Anything else is a `LabelMapError` (a ModelError) naming both label sets and the way out.
"""
from __future__ import annotations

import re
import warnings
from dataclasses import dataclass

import numpy as np

from .errors import LabelMapError

# Normalised name -> normalised name of the same meaning (classification labels).
SYNONYMS = {
    "neg": "negative", "pos": "positive",
    "entailed": "entailment", "entails": "entailment", "nonentailment": "notentailment",
    "notentailed": "notentailment",
    "paraphrase": "equivalent", "notparaphrase": "notequivalent", "nonparaphrase": "notequivalent",
    "grammatical": "acceptable", "ungrammatical": "unacceptable",
}
NLI_TWO_WAY = {"contradiction": "notentailment", "neutral": "notentailment"}
ENTITY_SYNONYMS = {"person": "per", "location": "loc", "organization": "org", "organisation": "org",
                   "miscellaneous": "misc"}
TAG_PREFIX = {"B": "B", "I": "I", "S": "B", "U": "B", "E": "I", "L": "I"}
_TAG = re.compile(r"^([BIESLU])[-_](.+)$", re.IGNORECASE)
_GENERIC = re.compile(r"^(LABEL_)?(\d+)$", re.IGNORECASE)


def normalize(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", str(name).lower())


@dataclass(frozen=True)
class LabelMap:
    """How a head's outputs become task labels: head label i counts for task label index[i]."""
    head: tuple[str, ...]  # the checkpoint's own label names, in its output order
    task: tuple[str, ...]  # the labels predictions are reported in
    index: tuple[int, ...]  # len(head): the task label each head label counts for
    how: str  # "same" | "by name" | "task order (generic names)" | "user map"

    @property
    def identity(self) -> bool:
        return self.head == self.task

    def aggregate(self, probs):
        """Probabilities over head labels (..., H) -> over task labels (..., T), summed."""
        probs = np.asarray(probs)
        if self.index == tuple(range(len(self.task))) and len(self.head) == len(self.task):
            return probs
        out = np.zeros(probs.shape[:-1] + (len(self.task),), dtype=probs.dtype)
        for h, t in enumerate(self.index):
            out[..., t] += probs[..., h]
        return out

    def describe(self) -> dict:
        """What bertkit.json, the card and evaluation results record."""
        return {"how": self.how, "head_labels": list(self.head),
                "to_task": {h: self.task[t] for h, t in zip(self.head, self.index)}}


def parse_label_map(value) -> dict[str, str]:
    """`"POS=positive,NEG=negative"` or a dict -> {head label: task label}; a clear error otherwise."""
    if value is None or value == "" or value == {}:
        return {}
    if isinstance(value, dict):
        pairs = list(value.items())
    elif isinstance(value, str):
        pairs = []
        for part in value.split(","):
            head, sep, task = part.partition("=")
            if not sep or not head.strip() or not task.strip():
                raise LabelMapError(f"--label-map {value!r}: each entry must be HEAD_LABEL=TASK_LABEL, got {part!r}")
            pairs.append((head.strip(), task.strip()))
    else:
        raise LabelMapError(f"label_map must be 'a=b,c=d' or a dict, got {type(value).__name__}")
    return {str(h): str(t) for h, t in pairs}


def head_label_names(config) -> tuple[str, ...]:
    """A model config's own label names in output order."""
    id2label = getattr(config, "id2label", None) or {}
    n = getattr(config, "num_labels", len(id2label))
    return tuple(str(id2label.get(i, id2label.get(str(i), f"LABEL_{i}"))) for i in range(n))


def map_labels(head, task_labels, tagging: bool = False, user_map=None, source: str = "the model") -> LabelMap:
    """The LabelMap from `head` names to `task_labels`; LabelMapError when some head label has no meaning."""
    head, task_labels = tuple(head), tuple(task_labels)
    user = parse_label_map(user_map)
    if head == task_labels and not user:
        return LabelMap(head, task_labels, tuple(range(len(head))), "same")
    task_index = {normalize(t): i for i, t in enumerate(task_labels)}
    for h, t in user.items():
        if normalize(t) not in task_index:
            raise LabelMapError(f"--label-map {h}={t}: {t!r} is not a label of this task ({', '.join(task_labels)})")
        if normalize(h) not in {normalize(x) for x in head}:
            raise LabelMapError(f"--label-map {h}={t}: {source} has no label {h!r} (its labels: {', '.join(head)})")
    user_norm = {normalize(h): task_index[normalize(t)] for h, t in user.items()}
    generic = [_GENERIC.match(h) for h in head]
    if not user and all(generic) and len(head) == len(task_labels) \
            and [int(m.group(2)) for m in generic] == list(range(len(head))):
        warnings.warn(f"{source} names its labels {', '.join(head)} (no meaning): read in the task's order "
                      f"{', '.join(task_labels)}. If that is wrong, pass --label-map (API label_map=).", stacklevel=3)
        return LabelMap(head, task_labels, tuple(range(len(head))), "task order (generic names)")
    index, unmapped = [], []
    for h in head:
        n = normalize(h)
        t = user_norm.get(n)
        if t is None:
            t = (_tag_index(h, task_index) if tagging else _class_index(n, task_index))
        if t is None:
            unmapped.append(h)
        index.append(t)
    covered = {t for t in index if t is not None}
    missing = [task_labels[i] for i in range(len(task_labels)) if i not in covered]
    if unmapped or (missing and not tagging):
        problem = (f"its label(s) {', '.join(unmapped)} match no task label" if unmapped else
                   f"no head label means {', '.join(missing)}")
        raise LabelMapError(
            f"{source}'s head labels ({', '.join(head)}) cannot be mapped to this task's labels "
            f"({', '.join(task_labels)}): {problem}. Pass --label-map HEAD=TASK,... (API label_map={{...}}) to say "
            "what each head label means, or fine-tune the model on this task first.")
    return LabelMap(head, task_labels, tuple(index), "user map" if user else "by name")


def _class_index(n: str, task_index: dict) -> int | None:
    if n in task_index:
        return task_index[n]
    if SYNONYMS.get(n) in task_index:
        return task_index[SYNONYMS[n]]
    if "notentailment" in task_index and "contradiction" not in task_index and n in NLI_TWO_WAY:
        return task_index[NLI_TWO_WAY[n]]
    return None


def _tag_index(tag: str, task_index: dict) -> int | None:
    if normalize(tag) in ("o", "outside") and "o" in task_index:
        return task_index["o"]
    m = _TAG.match(tag)
    prefix, kind = (TAG_PREFIX[m.group(1).upper()], m.group(2)) if m else ("I", tag)
    kind = normalize(kind)
    kind = ENTITY_SYNONYMS.get(kind, kind)
    for candidate in (prefix + kind, ("I" if prefix == "B" else "B") + kind):
        if candidate.lower() in task_index:
            return task_index[candidate.lower()]
    return None
