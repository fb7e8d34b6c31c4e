"""The data directory: `--data-dir`, else env BERTKIT_DATA_DIR, else ../shared/data beside the repo."""
import os
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def data_dir() -> Path:
    if os.environ.get("BERTKIT_DATA_DIR"):
        return Path(os.environ["BERTKIT_DATA_DIR"]).expanduser()
    return REPO.parent / "shared" / "data"
