"""Which tasks a run scores, on which split, and which examples a `--limit` keeps.

    python -m evaluation run --tasks glue,squad,ner     # groups and task names, comma-separated
"""
from __future__ import annotations

from bertkit.errors import UnknownTaskError
from bertkit.tasks.base import get_task, task_names

GROUPS = {
    "glue": ("sst2", "cola", "mrpc", "stsb", "rte", "wnli", "qnli"),
    "squad": ("squad", "squad_v2"),
    "squad_v1": ("squad",),  # the v1.1 task alone (the `squad` group runs v1.1 and v2)
    "ner": ("ner",),
    "srl": ("srl",),
    "translation": ("translation",),
    "fill-mask": ("fill-mask",),
}
ALL = "all"  # every group above

# The split each task reports on when it is not simply `dev`: the held-out split that no
# training step looks at. Translation's dev (Multi30k val) picks the checkpoint, so it reports
# test2016; SRL and fill-mask have no dev split (EWT test, WikiText-2 test).
REPORTED_SPLIT = {"translation": "test", "srl": "test", "fill-mask": "test"}


def expand_tasks(spec: str) -> list[str]:
    """'glue,ner' -> ['sst2', 'cola', …, 'ner'] in the given order, duplicates dropped."""
    names: list[str] = []
    for part in (p.strip() for p in spec.split(",")):
        if not part:
            continue
        if part == ALL:
            members = [t for group in GROUPS.values() for t in group]
        elif part in GROUPS:  # a group wins over the task of the same name: `squad` is v1.1 and v2
            members = list(GROUPS[part])
        elif part in task_names():
            members = [part]
        else:
            raise UnknownTaskError(part, [ALL, *GROUPS, *task_names()])
        for member in members:
            if member not in names:
                names.append(member)
    if not names:
        raise ValueError(f"no task given; choose from: {', '.join([ALL, *GROUPS, *task_names()])}")
    return names


def reported_split(task_name: str) -> str:
    task = get_task(task_name)
    split = REPORTED_SPLIT.get(task.name, "dev")
    return split if split in task.files else "test"


def limited_indices(n: int, limit: int | None) -> list[int]:
    """`limit` evenly spaced row numbers out of `n` (all rows without a limit).

    Evenly spaced, not the first rows: SQuAD-v2's unanswerable copies sit at the end of the split,
    and the first rows of a file are often one article or one genre.
    """
    if limit is None or limit >= n:
        return list(range(n))
    if limit <= 0:
        raise ValueError(f"--limit must be a positive number of examples, got {limit}")
    return sorted({int(i * n / limit) for i in range(limit)})
