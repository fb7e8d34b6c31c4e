"""A user's own CSV / TSV / JSON Lines / JSON file → a Dataset with canonical column names.

Parsed with the csv and json modules (never `datasets.load_dataset`, which looks up the hub).
CSV uses standard quoting; TSV is read with `csv.QUOTE_NONE` (tab-separated, no quoting), as GLUE.
"""
import csv
import io
import json
import os

import datasets

from bertkit.data.errors import DataError, check_file, read_text_file

ACCEPTED_EXTENSIONS = (".csv", ".tsv", ".jsonl", ".json")


def _read_delimited(path, text, delimiter):
    quoting = csv.QUOTE_NONE if delimiter == "\t" else csv.QUOTE_MINIMAL
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, quoting=quoting)
    try:
        header = next(reader, None)
        if header is None:
            raise DataError(path, "the file is empty")
        header = [name.strip() for name in header]
        records = []
        for row in reader:
            if not row:
                continue
            if len(row) != len(header):
                raise DataError(path, f"expected {len(header)} columns (the header has {header}), "
                                      f"found {len(row)}", reader.line_num)
            records.append((reader.line_num, dict(zip(header, row))))
    except csv.Error as err:
        raise DataError(path, f"malformed file: {err}", reader.line_num) from None
    return header, records


def _read_json(path, text):
    records = []
    if text.lstrip().startswith("["):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as err:
            raise DataError(path, f"invalid JSON: {err.msg}", err.lineno) from None
        records = [(None, obj) for obj in data]
    else:
        for line, raw in enumerate(text.split("\n"), 1):
            if raw.strip():
                try:
                    records.append((line, json.loads(raw)))
                except json.JSONDecodeError as err:
                    raise DataError(path, f"invalid JSON: {err.msg} (column {err.colno})", line) from None
    for n, (line, obj) in enumerate(records):
        if not isinstance(obj, dict):
            raise DataError(path, f"record {n + 1} is a {type(obj).__name__}, not a JSON object", line)
    header = list(dict.fromkeys(key for _, obj in records for key in obj))
    return header, records


def read_user_file(path, columns=None, required=(), line_column=None):
    """Read a `.csv`, `.tsv`, `.jsonl` or `.json` (JSON lines or a list of objects) file.

    `columns` maps canonical name → the file's column name (e.g. {"text": "review", "label":
    "stars"}); a canonical name not in `columns` is looked up under its own name. Returns a
    `datasets.Dataset` whose columns are the `required` names plus the keys of `columns`, renamed
    to canonical names (CSV/TSV values stay strings; JSON values keep their types). Raises
    `DataError` for a missing file, an unknown extension, a missing column (listing the file's
    columns), a bad JSON line, a row with the wrong number of fields, or no rows at all (a header
    only). With `line_column`, the result also has that column: each row's line in the file (None
    in a JSON list), so later checks can name the line.
    """
    path = check_file(path)
    ext = os.path.splitext(path)[1].lower()
    if ext not in ACCEPTED_EXTENSIONS:
        raise DataError(path, f"unknown file type {ext or '(none)'!r}; accepted: {', '.join(ACCEPTED_EXTENSIONS)}")
    text = read_text_file(path)
    if ext in (".csv", ".tsv"):
        header, records = _read_delimited(path, text, "," if ext == ".csv" else "\t")
    else:
        header, records = _read_json(path, text)
    if not records:
        raise DataError(path, "the file has no rows" + (" (only a header)" if ext in (".csv", ".tsv") else ""))
    columns = dict(columns or {})
    wanted = list(dict.fromkeys(list(required) + list(columns)))
    for name in wanted:
        source = columns.get(name, name)
        if source not in header:
            raise DataError(path, f"missing column {source!r} (for {name!r}); the file has columns {header}",
                            1 if ext in (".csv", ".tsv") else None)
        for n, (line, record) in enumerate(records):
            if source not in record:
                raise DataError(path, f"record {n + 1} has no column {source!r} (for {name!r})", line)
    out = {name: [record[columns.get(name, name)] for _, record in records] for name in wanted}
    if line_column:
        out[line_column] = [line for line, _ in records]
    try:
        return datasets.Dataset.from_dict(out)
    except (TypeError, ValueError) as err:  # pyarrow errors (mixed types in a column) are ValueErrors
        raise DataError(path, f"a column mixes value types: {err}") from None
