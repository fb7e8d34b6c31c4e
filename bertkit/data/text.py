"""Running text for masked-LM training → one `text` column (WikiText `.tokens` or plain text)."""
import os
import re

import datasets

from bertkit.data.errors import DataError, check_file, decode, read_lines

_HEADING = re.compile(r"^(= )+.*( =)+$")  # " = Title = ", " = = Section = = " after strip
_WIKITEXT_MARKS = {" @-@ ": "-", " @,@ ": ",", " @.@ ": "."}


def _wikitext(lines):
    out = []
    for line in lines:
        line = line.strip()
        if not line or _HEADING.match(line):
            continue
        for mark, char in _WIKITEXT_MARKS.items():
            line = line.replace(mark, char)
        out.append(line.replace("<unk>", "[UNK]"))
    return out


def _paragraphs(lines):
    out, current = [], []
    for line in lines + [""]:
        if line.strip():
            current.append(line.strip())
        elif current:
            out.append(" ".join(current))
            current = []
    return out


def read_text(path, mode="auto"):
    """Read running text into a `datasets.Dataset` with one column, `text`.

    WikiText files (`.tokens`, `.raw`): one row per paragraph line; blank lines and ` = Heading = `
    lines are dropped, ` @-@ `/` @,@ `/` @.@ ` become `-`/`,`/`.`, and `<unk>` becomes `[UNK]`.
    A `.zip` is WikiText packed as a one-column CSV (the shared WikiText-2 train): its
    `wiki.train.tokens` member's cells are joined back into the file and read as above.
    Other files (`.txt`, plain or `.gz`) by `mode`: "paragraphs" (blank-line separated blocks, their
    lines joined by a space), "lines" (one row per non-blank line), or "auto" (paragraphs when the
    file has a blank line, else lines).
    """
    if mode not in ("auto", "paragraphs", "lines"):
        raise ValueError(f"mode must be 'auto', 'paragraphs' or 'lines', got {mode!r}")
    name = os.fspath(path)
    if name.endswith(".zip"):
        return _rows(name, _wikitext(_csv_zip_lines(name)))
    lines = read_lines(path)
    if name.endswith((".tokens", ".raw")):
        rows = _wikitext(lines)
    elif mode == "paragraphs" or (mode == "auto" and any(not line.strip() for line in lines)):
        rows = _paragraphs(lines)
    else:
        rows = [line.strip() for line in lines if line.strip()]
    return _rows(name, rows)


def _rows(name, rows):
    if not rows:
        raise DataError(name, "no text in the file")
    return datasets.Dataset.from_dict({"text": rows}, features=datasets.Features({"text": datasets.Value("string")}))


def _csv_zip_lines(path, member="wiki.train.tokens"):
    """The lines of a WikiText file packed as a one-column CSV inside a zip (cells joined back)."""
    import csv
    import io
    import zipfile

    check_file(path)
    try:
        with zipfile.ZipFile(path) as zf:
            names = [n for n in zf.namelist() if n.rsplit("/", 1)[-1] == member]
            if len(names) != 1:
                raise DataError(path, f"the zip holds no single {member!r} member: {zf.namelist()}")
            data = decode(f"{path}:{names[0]}", zf.read(names[0]))
    except zipfile.BadZipFile as err:
        raise DataError(path, f"not a zip file ({err})") from None
    try:
        cells = ["".join(row) for row in csv.reader(io.StringIO(data))]
    except csv.Error as err:
        raise DataError(f"{path}:{names[0]}", f"not a CSV file ({err})") from None
    return "".join(cells).split("\n")
