"""A user's training rows -> the task's schema: label names to ids, scores checked, tags checked.

What a file's `label` column holds is the family's fact (`Family.user_labels`: "class", "score" or
None); whether rows need an `id` is the task's (`Task.row_ids`). Errors name the file and the line
(the reader keeps each row's line number in the LINE column while these checks run).
"""
from __future__ import annotations

import dataclasses
import math

from bertkit.data.errors import DataError
from bertkit.errors import BertkitError, RecipeError

LINE = "__line__"  # the user file's line number of each row, kept while checking labels


def unlabelled(label) -> bool:
    """A row without a gold label: None, -1 (a class id) or NaN (a score; NaN != NaN), as in GLUE test files."""
    return label is None or label == -1 or label != label


def required_columns(task) -> list[str]:
    return list(task.required_columns)  # declared by the family (Family.required_columns)


def declares_labels(task) -> bool:
    """The task's labels are classes a user file may rename with its own set (--labels)."""
    return task.family.user_labels == "class"


def own_label_set(task, values) -> tuple | None:
    """The label set to declare (`labels=`) for a classification file with these label values: None when
    they are the task's own names or ids (or the task is not a classifier), else their sorted names."""
    if not declares_labels(task):
        return None
    present = sorted({str(v) for v in values if str(v).strip()})
    known = set(task.labels) | {str(i) for i in range(len(task.labels))}
    return None if set(present) <= known else tuple(present)


def with_labels(task, declared, files):
    """The task with its label set checked against the user's files (`files`: [(path, dataset)]).

    A fixed-label task accepts its own label names or ids; any other value is an error naming the file,
    the line and the value, unless `declared` (--labels a,b,c) gives the new set, for classification.
    """
    if not declares_labels(task):
        if declared:
            raise RecipeError(f"--labels declares classes for a classification task; {task.name} has fixed labels")
        return task
    train_path, train = files[0]
    present = sorted({str(x) for x in train["label"] if str(x).strip()})
    if len(present) < 2:
        raise BertkitError(f"{train_path}: the label column has only {present}; a classifier needs at least two labels")
    labels = tuple(declared) if declared else task.labels
    if declared and (len(set(labels)) != len(labels) or len(labels) < 2):
        raise RecipeError(f"--labels needs at least two distinct names, got {','.join(labels)}")
    known = set(labels) | {str(i) for i in range(len(labels))}
    for path, ds in files:
        for value, line in zip(ds["label"], ds[LINE]):
            if str(value) not in known:
                hint = ("" if declared else f"; to train a head with your own label set, pass "
                        f"--labels {','.join(present)} (Python: labels=[...])")
                raise DataError(path, f"label {str(value)!r} is not one of {list(labels)} (or their ids 0-"
                                      f"{len(labels) - 1}){hint}", line)
    return dataclasses.replace(task, labels=labels) if declared else task


def to_task_schema(task, ds, path):
    """A user file's rows -> the task's schema: label names to ids, numbers checked, tags checked."""
    kind = task.family.user_labels
    if kind is not None and "label" in ds.column_names:
        index = {name: i for i, name in enumerate(task.labels)}

        def convert(row):
            value = row["label"]
            if kind == "score":
                try:
                    number = float(value)
                except (TypeError, ValueError):
                    raise DataError(path, f"label {value!r} is not a number (a {task.name} label is a score)",
                                    row[LINE]) from None
                if math.isnan(number):
                    raise DataError(path, f"label {value!r} is not a number", row[LINE])
                return {"label": number}
            if str(value) in index:
                return {"label": index[str(value)]}
            return {"label": int(value)}  # an id: with_labels checked its range

        ds = ds.map(convert)
    if "tags" in ds.column_names and "tokens" in ds.column_names:
        known = set(task.labels)
        for tokens, tags, line in zip(ds["tokens"], ds["tags"], ds[LINE]):
            if not isinstance(tokens, list) or not isinstance(tags, list):
                raise DataError(path, "tokens and tags must be lists (JSON Lines: {\"tokens\": [...], \"tags\": [...]})", line)
            if len(tokens) != len(tags):
                raise DataError(path, f"{len(tokens)} tokens but {len(tags)} tags; each token needs one tag", line)
            unknown = [t for t in tags if t not in known]
            if known and unknown:
                raise DataError(path, f"tag {unknown[0]!r} is not one of {task.name}'s tags {sorted(known)[:12]}…", line)
    if "id" not in ds.column_names and task.row_ids:
        ds = ds.add_column("id", [str(i) for i in range(len(ds))])
    return ds.remove_columns([LINE]) if LINE in ds.column_names else ds
