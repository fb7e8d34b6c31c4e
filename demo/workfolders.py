"""The Fine-tune tab's work folders of this process (run id -> folder): what `policy` trusts as
made by this app, and what `finetune_files` creates and expires."""
from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path


@dataclass
class WorkFolder:
    run_id: str  # what the page and the API show instead of the folder's path
    path: Path
    created: float
    busy: bool = True  # training: never expired


_FOLDERS: dict[str, WorkFolder] = {}  # run id -> folder, of this process only
_LOCK = threading.Lock()


def created_by_app(path: Path) -> bool:
    """Whether `path` is (inside) a work folder this process made and still keeps."""
    try:
        path = Path(path).expanduser().resolve()
    except (OSError, RuntimeError):
        return False
    with _LOCK:
        return any(path == f.path.resolve() or f.path.resolve() in path.parents for f in _FOLDERS.values())
