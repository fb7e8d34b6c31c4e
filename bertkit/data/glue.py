"""GLUE TSV files (the on-disk layout of the GLUE release) → the canonical classification schema.

Columns are found by header name, so both the release layout and the hub-like layout
(`sentence label`, `sentence1 sentence2 label`, `question sentence label`) work. CoLA train/dev
have no header (`source label mark sentence`). Files are read with `csv.QUOTE_NONE`: several
GLUE rows contain unmatched quote characters.
"""
import csv
import math
from dataclasses import dataclass

import datasets

from bertkit.data.errors import DataError, read_lines
from bertkit.errors import OptionError

_LABEL = ["label", "Quality", "score"]
_INDEX = ["index", "idx"]


@dataclass(frozen=True)
class GlueFormat:
    """How one task's GLUE-style TSV files are laid out: a task declares it (`Task.glue`), the reader
    and the submission writer read it, so a new GLUE-format task needs no edit here."""
    task: str = ""  # the task's name, for messages
    labels: tuple[str, ...] = ()  # label names in the order numeric files store their ids
    pair: bool = False
    regression: bool = False  # a float score in [0, 5] (STS-B)
    text: tuple[str, ...] = ("sentence", "sentence1", "text")  # header names tried for `text`, in order
    text_pair: tuple[str, ...] = ("sentence2", "text_pair")
    headerless: tuple[str, ...] = ()  # the columns of files that have no header row (CoLA train/dev)
    string_labels: bool = False  # GLUE's submission files name the class instead of its id (RTE, QNLI)


def _pick(header, names):
    return next((name for name in names if name in header), None)


def _columns(path, fmt: GlueFormat, header):
    """Map canonical names to header positions; `DataError` when a text column is missing."""
    wanted = {"text": list(fmt.text)}
    if fmt.pair:
        wanted["text_pair"] = list(fmt.text_pair)
    found = {name: _pick(header, names) for name, names in wanted.items()}
    missing = [names[0] for name, names in wanted.items() if found[name] is None]
    if missing:
        raise DataError(path, f"missing column(s) {missing} for task {fmt.task!r}; the header has {header}", 1)
    found["label"], found["idx"] = _pick(header, _LABEL), _pick(header, _INDEX)
    return {name: header.index(col) for name, col in found.items() if col is not None}


def _label(path, line, raw, regression, label_names):
    if regression:
        try:
            score = float(raw)
        except ValueError:
            score = math.nan
        if not 0.0 <= score <= 5.0:  # NaN fails too
            raise DataError(path, f"score {raw!r} is not a number in [0, 5]", line)
        return score
    if raw in label_names:
        return label_names.index(raw)
    if raw.isascii() and raw.isdigit() and int(raw) < len(label_names):
        return int(raw)  # numeric files store the class id
    raise DataError(path, f"label {raw!r} not in {label_names}", line)


def glue_format(task) -> GlueFormat:
    """The GlueFormat a registered task declares (`task`: a Task or its name, "SST-2" = "sst2")."""
    from bertkit.tasks.base import all_tasks, get_task

    if isinstance(task, str):
        name = task.lower().replace("-", "")
        valid = [t.name for t in all_tasks() if getattr(t, "glue", None)]
        if name not in valid:
            raise OptionError(f"unknown GLUE task {task!r}; valid: {', '.join(valid)}")
        task = get_task(name)
    if getattr(task, "glue", None) is None:
        raise OptionError(f"{task.name} is not a GLUE-format task")
    return task.glue


def read_glue(path, task, label_names=None):
    """Read a GLUE TSV file of `task` (a GLUE-format Task, its name, or a `GlueFormat`).

    Returns a `datasets.Dataset` with columns `idx` (int: the file's index column, else the row
    number from 0), `text`, `text_pair` (pair tasks only) and `label`: an int class id, or for a
    regression task a float score in [0, 5]. Files without labels (GLUE test files) give -1, or NaN.

    Labels map through `label_names` (default: the format's `labels`): a label equal to a name
    gets that name's index; a number 0..len-1 (as in numeric GLUE files) is taken as the id.
    Raises `DataError` (file, line, problem) on a wrong column count, missing header columns, an
    unknown label, or a score that is not a number in [0, 5].
    """
    fmt = task if isinstance(task, GlueFormat) else glue_format(task)
    label_names = list(label_names or fmt.labels)
    path = str(path)
    reader = csv.reader(read_lines(path), delimiter="\t", quoting=csv.QUOTE_NONE)
    try:
        rows = [(reader.line_num, row) for row in reader if row]
    except csv.Error as err:
        raise DataError(path, f"malformed TSV: {err}", reader.line_num) from None
    if not rows:
        raise DataError(path, "the file is empty")
    header = [name.strip() for name in rows[0][1]]
    if fmt.headerless and not set(fmt.text) & set(header):
        header = list(fmt.headerless)  # a header-less layout (CoLA train/dev)
    else:
        rows = rows[1:]
    cols = _columns(path, fmt, header)
    out = {"idx": [], "text": [], **({"text_pair": []} if "text_pair" in cols else {}), "label": []}
    for n, (line, row) in enumerate(rows):
        if len(row) != len(header):
            raise DataError(path, f"expected {len(header)} tab-separated columns, found {len(row)}", line)
        if "idx" in cols:
            raw = row[cols["idx"]]
            if not (raw.isascii() and raw.strip().lstrip("-").isdigit()):
                raise DataError(path, f"index {raw!r} is not an integer", line)
            out["idx"].append(int(raw))
        else:
            out["idx"].append(n)
        out["text"].append(row[cols["text"]])
        if "text_pair" in cols:
            out["text_pair"].append(row[cols["text_pair"]])
        if "label" in cols:
            out["label"].append(_label(path, line, row[cols["label"]].strip(), fmt.regression, label_names))
        else:
            out["label"].append(math.nan if fmt.regression else -1)
    features = datasets.Features({
        "idx": datasets.Value("int64"),
        "text": datasets.Value("string"),
        **({"text_pair": datasets.Value("string")} if "text_pair" in out else {}),
        "label": datasets.Value("float32" if fmt.regression else "int64"),
    })
    return datasets.Dataset.from_dict(out, features=features)
