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
