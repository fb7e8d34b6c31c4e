"""Running text for masked-LM training → one `text` column (WikiText `.tokens` or plain text)."""
import os
import re

import datasets

from bertkit.data.errors import DataError, read_lines

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
    Other files (`.txt`, plain or `.gz`) by `mode`: "paragraphs" (blank-line separated blocks, their
    lines joined by a space), "lines" (one row per non-blank line), or "auto" (paragraphs when the
    file has a blank line, else lines).
    """
    if mode not in ("auto", "paragraphs", "lines"):
        raise ValueError(f"mode must be 'auto', 'paragraphs' or 'lines', got {mode!r}")
    lines = read_lines(path)
    name = os.fspath(path)
    if name.endswith((".tokens", ".raw")):
        rows = _wikitext(lines)
    elif mode == "paragraphs" or (mode == "auto" and any(not line.strip() for line in lines)):
        rows = _paragraphs(lines)
    else:
        rows = [line.strip() for line in lines if line.strip()]
    if not rows:
        raise DataError(name, "no text in the file")
    return datasets.Dataset.from_dict({"text": rows}, features=datasets.Features({"text": datasets.Value("string")}))
