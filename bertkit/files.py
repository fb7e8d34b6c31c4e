"""File plumbing shared by training, evaluation, batch prediction and scripts: sha256, JSON, atomic writes.

An atomic write goes to a temporary file in the same folder (same file system, so the rename is
atomic), is fsynced, then renamed over the target: a reader, or a process killed half-way, sees the
previous complete file or the new complete one, never a torn one.
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path


def sha256(path) -> str:
    """The hex sha256 of a file's bytes, read in 1 MB blocks (weights and data files are large)."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def atomic_write(path, data: bytes | str) -> None:
    """Replace `path` by `data` (str: UTF-8) in one rename; the temporary file goes if anything fails."""
    path = Path(path)
    if isinstance(data, str):
        data = data.encode("utf-8")
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")  # per process: two writers never share it
    try:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def read_json(path):
    """The parsed JSON file, or None when it is missing or unreadable (callers decide what that means)."""
    try:
        return json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return None


def write_json(path, obj, indent: int = 1, **dumps) -> None:
    """`obj` as JSON, atomically; serialised in full before the file is touched."""
    atomic_write(path, json.dumps(obj, indent=indent, **dumps) + "\n")
