"""GLUE TSV files (the on-disk layout of the GLUE release) → the canonical classification schema.

Columns are found by header name, so both the release layout and the hub-like layout
(`sentence label`, `sentence1 sentence2 label`, `question sentence label`) work. CoLA train/dev
have no header (`source label mark sentence`). Files are read with `csv.QUOTE_NONE`: several
GLUE rows contain unmatched quote characters.
"""
import csv
import math

import datasets

from bertkit.data.errors import DataError, read_lines

GLUE_TASKS = ("cola", "sst2", "mrpc", "stsb", "rte", "wnli", "qnli")
PAIR_TASKS = ("mrpc", "stsb", "rte", "wnli", "qnli")
# Label names in the order the hub's nyu-mll/glue uses (numeric GLUE files store these ids).
GLUE_LABEL_NAMES = {
    "cola": ["unacceptable", "acceptable"],
    "sst2": ["negative", "positive"],
    "mrpc": ["not_equivalent", "equivalent"],
    "rte": ["entailment", "not_entailment"],
    "wnli": ["not_entailment", "entailment"],
    "qnli": ["entailment", "not_entailment"],
}
COLA_COLUMNS = ["source", "label", "mark", "sentence"]  # header-less CoLA train/dev
# Header names tried in order for each canonical column.
_TEXT = {"qnli": ["question"], "mrpc": ["#1 String"]}
_PAIR = {"qnli": ["sentence"], "mrpc": ["#2 String"]}
_LABEL = ["label", "Quality", "score"]
_INDEX = ["index", "idx"]


def _pick(header, names):
    return next((name for name in names if name in header), None)


def _columns(path, task, header):
    """Map canonical names to header positions; `DataError` when a text column is missing."""
    if task in PAIR_TASKS:
        wanted = {"text": _TEXT.get(task, []) + ["sentence1", "text"],
                  "text_pair": _PAIR.get(task, []) + ["sentence2", "text_pair"]}
    else:
        wanted = {"text": ["sentence", "text"]}
    found = {name: _pick(header, names) for name, names in wanted.items()}
    missing = [names[0] for name, names in wanted.items() if found[name] is None]
    if missing:
        raise DataError(path, f"missing column(s) {missing} for task {task!r}; the header has {header}", 1)
    found["label"], found["idx"] = _pick(header, _LABEL), _pick(header, _INDEX)
    return {name: header.index(col) for name, col in found.items() if col is not None}


def _label(path, line, raw, task, label_names):
    if task == "stsb":
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


def read_glue(path, task, label_names=None):
    """Read a GLUE TSV file of `task` (cola, sst2, mrpc, stsb, rte, wnli, qnli).

    Returns a `datasets.Dataset` with columns `idx` (int: the file's index column, else the row
    number from 0), `text`, `text_pair` (pair tasks only) and `label`: an int class id, or for stsb
    a float score in [0, 5]. Files without labels (GLUE test files) give -1, or NaN for stsb.

    Labels map through `label_names` (default `GLUE_LABEL_NAMES[task]`): a label equal to a name
    gets that name's index; a number 0..len-1 (as in numeric GLUE files) is taken as the id.
    Raises `DataError` (file, line, problem) on a wrong column count, missing header columns, an
    unknown label, or an stsb score that is not a number in [0, 5].
    """
    task = task.lower().replace("-", "")  # "SST-2" → "sst2"
    if task not in GLUE_TASKS:
        raise ValueError(f"unknown GLUE task {task!r}; valid: {', '.join(GLUE_TASKS)}")
    label_names = list(label_names or GLUE_LABEL_NAMES.get(task, []))
    path = str(path)
    reader = csv.reader(read_lines(path), delimiter="\t", quoting=csv.QUOTE_NONE)
    try:
        rows = [(reader.line_num, row) for row in reader if row]
    except csv.Error as err:
        raise DataError(path, f"malformed TSV: {err}", reader.line_num) from None
    if not rows:
        raise DataError(path, "the file is empty")
    header = [name.strip() for name in rows[0][1]]
    if task == "cola" and "sentence" not in header:
        header = COLA_COLUMNS  # the header-less CoLA train/dev layout
    else:
        rows = rows[1:]
    cols = _columns(path, task, header)
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
            out["label"].append(_label(path, line, row[cols["label"]].strip(), task, label_names))
        else:
            out["label"].append(math.nan if task == "stsb" else -1)
    features = datasets.Features({
        "idx": datasets.Value("int64"),
        "text": datasets.Value("string"),
        **({"text_pair": datasets.Value("string")} if "text_pair" in out else {}),
        "label": datasets.Value("float32" if task == "stsb" else "int64"),
    })
    return datasets.Dataset.from_dict(out, features=features)
