"""Line-aligned parallel text (line i of the source translates line i of the target) → `source`, `target`."""
import logging

import datasets

from bertkit.data.errors import DataError, read_lines

log = logging.getLogger(__name__)


def read_parallel(source_path, target_path):
    """Read two line-aligned UTF-8 files, plain or `.gz`.

    Returns a `datasets.Dataset` with columns `source` and `target` (one row per line pair).
    Empty lines are kept (a warning is logged with their count). A line-count mismatch raises
    `DataError` naming both files and both counts; bad UTF-8 raises `DataError` with its line.
    """
    source, target = read_lines(source_path), read_lines(target_path)
    if len(source) != len(target):
        raise DataError(source_path, f"{len(source)} lines, but the target file {target_path} "
                                     f"has {len(target)} lines; the files must be line-aligned")
    empty = [i for i, (s, t) in enumerate(zip(source, target), 1) if not s.strip() or not t.strip()]
    if empty:
        log.warning("%s / %s: %d line pairs with an empty side (first at line %d); kept",
                    source_path, target_path, len(empty), empty[0])
    return datasets.Dataset.from_dict({"source": source, "target": target},
                                      features=datasets.Features({"source": datasets.Value("string"),
                                                                  "target": datasets.Value("string")}))


def read_tatoeba(path, max_rows=None):
    """Read a Tatoeba / manythings.org export (`deu.txt`, or a `.zip` holding it): tab-separated
    `English<TAB>German[<TAB>attribution]` lines → `source` (German), `target` (English), file order.
    `max_rows` keeps the first rows only. A line without a tab raises `DataError` with its line."""
    import os
    import zipfile

    from bertkit.data.errors import check_file, decode

    path = check_file(path)
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as zf:
            members = [m for m in zf.namelist() if m.endswith(".txt") and not os.path.basename(m).startswith("_")]
            if len(members) != 1:
                raise DataError(path, f"the zip must hold one sentence-pair .txt file; it holds {zf.namelist()}")
            name, text = f"{path}:{members[0]}", decode(f"{path}:{members[0]}", zf.read(members[0]))
    else:
        name, text = path, "\n".join(read_lines(path))
    source, target = [], []
    for line, row in enumerate(text.split("\n"), 1):
        if not row.strip():
            continue
        cells = row.split("\t")
        if len(cells) < 2:
            raise DataError(name, f"expected English<TAB>German, found {row[:60]!r}", line)
        target.append(cells[0].strip())
        source.append(cells[1].strip())
        if max_rows and len(source) >= max_rows:
            break
    return datasets.Dataset.from_dict({"source": source, "target": target},
                                      features=datasets.Features({"source": datasets.Value("string"),
                                                                  "target": datasets.Value("string")}))
