"""Fixtures of the data-reader tests: a file writer for tmp_path and the shared data folder."""
import gzip
import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def write(tmp_path):
    """write(name, text) → the path of a new UTF-8 file (gzip-compressed when the name ends in .gz)."""

    def _write(name, text):
        path = tmp_path / name
        data = text.encode("utf-8") if isinstance(text, str) else text
        path.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
        return path

    return _write


@pytest.fixture(scope="session")
def shared_data():
    """The shared data folder: $BERTKIT_DATA_DIR, else <repo>/../shared/data; skips when absent."""
    path = Path(os.environ.get("BERTKIT_DATA_DIR") or REPO.parent / "shared" / "data")
    if not path.is_dir():
        pytest.skip(f"shared data folder {path} not found (set BERTKIT_DATA_DIR to run these tests)")
    return path
