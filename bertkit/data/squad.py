"""SQuAD JSON (v1.1 and v2.0), plain or in a zip, → the canonical QA schema, plus an article split."""
import hashlib
from collections import Counter
import json
import zipfile

import datasets

from bertkit.data.errors import DataError, check_file, decode

SQUAD_FEATURES = datasets.Features({
    "id": datasets.Value("string"),
    "title": datasets.Value("string"),
    "context": datasets.Value("string"),
    "question": datasets.Value("string"),
    "answers": {"text": datasets.List(datasets.Value("string")),
                "answer_start": datasets.List(datasets.Value("int32"))},
})


def _load_json(path):
    """The parsed JSON of a `.json` file or of the one `.json` member of a `.zip`."""
    name = path
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as zf:
            members = [m for m in zf.namelist() if m.endswith(".json") and not m.startswith("__MACOSX/")]
            if len(members) != 1:
                raise DataError(path, f"the zip must hold exactly one .json file; it holds {members or zf.namelist()}")
            name = f"{path}:{members[0]}"
            data = zf.read(members[0])
    else:
        with open(path, "rb") as f:
            data = f.read()
    try:
        return json.loads(decode(name, data))
    except json.JSONDecodeError as err:
        raise DataError(name, f"invalid JSON: {err.msg} (column {err.colno})", err.lineno) from None


def _get(path, obj, key, where):
    if not isinstance(obj, dict) or key not in obj:
        raise DataError(path, f"{where}: missing key {key!r}")
    return obj[key]


def _answers(path, qa, qid, context):
    if qa.get("is_impossible"):
        return {"text": [], "answer_start": []}
    answers = _get(path, qa, "answers", f"question {qid!r}")
    texts, starts = [], []
    for answer in answers:
        text = _get(path, answer, "text", f"question {qid!r} answer")
        start = _get(path, answer, "answer_start", f"question {qid!r} answer")
        if not isinstance(start, int) or not 0 <= start <= len(context):
            raise DataError(path, f"question {qid!r}: answer_start {start!r} is not an offset into the context")
        texts.append(text)
        starts.append(start)
    return {"text": texts, "answer_start": starts}


def read_squad(path):
    """Read SQuAD v1.1/v2.0 JSON (or a `.zip` holding exactly one `.json`).

    Returns a `datasets.Dataset`, one row per question, with columns `id`, `title`, `context`,
    `question` and `answers` = {"text": [str], "answer_start": [int]} (the HF squad schema);
    v2 `is_impossible` questions have empty lists. Raises `DataError` on bad JSON (with its line)
    and on missing keys (naming the key and the question id).
    """
    path = check_file(path)
    root = _load_json(path)
    rows = []
    for a, article in enumerate(_get(path, root, "data", "top level")):
        title = _get(path, article, "title", f"article {a}")
        for p, paragraph in enumerate(_get(path, article, "paragraphs", f"article {title!r}")):
            where = f"article {title!r} paragraph {p}"
            context = _get(path, paragraph, "context", where)
            for q, qa in enumerate(_get(path, paragraph, "qas", where)):
                qid = _get(path, qa, "id", f"{where} question {q}")
                rows.append({"id": str(qid), "title": str(title), "context": context,
                             "question": _get(path, qa, "question", f"question {qid!r}"),
                             "answers": _answers(path, qa, qid, context)})
    return datasets.Dataset.from_list(rows, features=SQUAD_FEATURES)


def split_squad_by_article(ds, held_out_fraction=0.2):
    """Split a QA dataset into (train_ds, heldout_ds) by article, so no title is in both parts.

    Deterministic rule: sort the distinct titles by `sha256(title.encode()).hexdigest()` and hold
    out titles in that order until the held-out part has at least `held_out_fraction` of the
    questions (articles differ in size, so a fraction of titles would not be a fraction of
    questions). Both parts keep the input's columns and row order.
    """
    if not 0.0 <= held_out_fraction <= 1.0:
        raise ValueError(f"held_out_fraction must be in [0, 1], got {held_out_fraction}")
    titles = ds["title"]
    counts = Counter(titles)
    ordered = sorted(counts, key=lambda t: hashlib.sha256(t.encode()).hexdigest())
    held, taken = set(), 0
    for title in ordered:
        if taken >= held_out_fraction * len(titles):
            break
        held.add(title)
        taken += counts[title]
    train_rows = [i for i, t in enumerate(titles) if t not in held]
    held_rows = [i for i, t in enumerate(titles) if t in held]
    return ds.select(train_rows), ds.select(held_rows)
