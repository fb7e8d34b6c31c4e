"""Which tasks a run scores, on which split, and which examples a `--limit` keeps.

    python -m evaluation run --tasks glue,squad,ner     # groups and task names, comma-separated

Groups are the registry's benchmarks (`Task.benchmark`: glue, squad, …; a task without one is its
own group), so a new task file is in `all` and in its group with nothing else to edit.
"""
from __future__ import annotations

from bertkit.errors import OptionError, UnknownTaskError
from bertkit.tasks.base import all_tasks, get_task

ALL = "all"  # every registered task


def groups() -> dict[str, list[str]]:
    """{group: task names} in registry order."""
    out: dict[str, list[str]] = {}
    for task in all_tasks():
        out.setdefault(task.group, []).append(task.name)
    return out


def aliases() -> dict[str, str]:
    return {alias: task.name for task in all_tasks() for alias in task.aliases}


def choices() -> list[str]:
    names = [t.name for t in all_tasks()]
    return [ALL, *[g for g in groups() if g not in names], *names, *aliases()]


def expand_tasks(spec: str) -> list[str]:
    """'glue,ner' -> ['sst2', 'cola', …, 'ner'] in the given order, duplicates dropped."""
    by_group, by_alias, names = groups(), aliases(), []
    for part in (p.strip() for p in spec.split(",")):
        if not part:
            continue
        if part == ALL:
            members = [t.name for t in all_tasks()]
        elif part in by_group:  # a group wins over the task of the same name: `squad` is v1.1 and v2
            members = by_group[part]
        elif part in by_alias:
            members = [by_alias[part]]
        else:
            try:
                members = [get_task(part).name]
            except UnknownTaskError:
                raise UnknownTaskError(part, choices()) from None
        for member in members:
            if member not in names:
                names.append(member)
    if not names:
        raise OptionError(f"no task given; choose from: {', '.join(choices())}")
    return names


def reported_split(task_name: str) -> str:
    return get_task(task_name).reported_split


def limited_indices(n: int, limit: int | None) -> list[int]:
    """`limit` evenly spaced row numbers out of `n` (all rows without a limit).

    Evenly spaced, not the first rows: SQuAD-v2's unanswerable copies sit at the end of the split,
    and the first rows of a file are often one article or one genre.
    """
    if limit is None or limit >= n:
        return list(range(n))
    if limit <= 0:
        raise OptionError(f"--limit must be a positive number of examples, got {limit}")
    return sorted({int(i * n / limit) for i in range(limit)})
