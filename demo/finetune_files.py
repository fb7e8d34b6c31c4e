"""The Fine-tune tab's files: reading an upload with the CLI's own label rule, the work folders the
tab creates (a registry of this process: only those are trusted, a `bertkit-finetune-*` folder
someone else put in the temp dir is not), their expiry (by age and by a total size cap, so a public
server's disk does not fill up), zipping a trained head, and the exact interval of a held-out score.

Messages never show a server path: the upload is named by its own file name, a run by its id."""
from __future__ import annotations

import atexit
import json
import math
import random
import re
import secrets
import shutil
import tempfile
import time
import zipfile
from pathlib import Path

import gradio as gr

from .errors import UserError
from .policy import FINETUNE_PREFIX, check_text
from .workfolders import _FOLDERS, _LOCK, WorkFolder, created_by_app  # noqa: F401  (created_by_app: re-exported)

HOLD_OUT = 0.2  # share of the uploaded rows kept for the final evaluation
RELIABLE_ROWS = 50  # fewer held-out rows than this: the score is reported as unreliable
MAX_AGE_S = 3600  # a run's folder and zip are removed an hour after the run started
MAX_TOTAL_BYTES = 512 * 2**20  # and the oldest runs go first when all of them together pass this


def new_work_folder() -> WorkFolder:
    """A fresh folder for one run, registered as this app's own (after expiring old ones)."""
    expire()
    folder = WorkFolder("run-" + secrets.token_hex(8), Path(tempfile.mkdtemp(prefix=FINETUNE_PREFIX)), time.time())
    with _LOCK:
        _FOLDERS[folder.run_id] = folder
    return folder


def release(folder: WorkFolder) -> None:
    """The run is over: its folder may now expire."""
    folder.busy = False


def trained_folder(run: str) -> Path | None:
    """The trained head of a run id the page printed (None: not a run id of this app)."""
    with _LOCK:
        folder = _FOLDERS.get(str(run).strip())
    if folder is None:
        return None
    heads = [p for p in folder.path.iterdir() if p.is_dir() and (p / "bertkit.json").is_file()]
    return heads[0] if heads else None


def _size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def expire(now: float | None = None, max_age: float | None = None, max_total: int | None = None) -> list[str]:
    """Remove finished runs older than `max_age`, then the oldest until all together fit `max_total`.
    Returns the run ids removed."""
    now = time.time() if now is None else now
    max_age = MAX_AGE_S if max_age is None else max_age
    max_total = MAX_TOTAL_BYTES if max_total is None else max_total
    with _LOCK:
        idle = sorted((f for f in _FOLDERS.values() if not f.busy), key=lambda f: f.created)
        gone = [f for f in idle if now - f.created > max_age]
        kept = [f for f in idle if f not in gone]
        total = sum(_size(f.path) for f in _FOLDERS.values() if f.path.is_dir() and f not in gone)
        for f in kept:
            if total <= max_total:
                break
            total -= _size(f.path) if f.path.is_dir() else 0
            gone.append(f)
        for f in gone:
            shutil.rmtree(f.path, ignore_errors=True)
            del _FOLDERS[f.run_id]
    return [f.run_id for f in gone]


@atexit.register
def _remove_all() -> None:
    for f in list(_FOLDERS.values()):
        shutil.rmtree(f.path, ignore_errors=True)


def hide_paths(message: str, upload: str | None = None, folder: Path | None = None) -> str:
    """A message without server paths: the upload by its file name, the work folder and any other
    temp path left out."""
    if upload:
        message = message.replace(str(upload), Path(upload).name)
    if folder is not None:
        message = message.replace(str(folder) + "/", "").replace(str(folder), "the run's folder")
    temp = re.escape(str(Path(tempfile.gettempdir())))
    return re.sub(temp + r"/[^\s'\":,;)]*/([^/\s'\":,;)]+)", r"\1", message)


# ---- data ----------------------------------------------------------------------------------------
def required_columns(task) -> list[str]:
    """The columns an upload for `task` must have (the Task spec's, where it declares them)."""
    columns = getattr(task, "required_columns", None)
    if columns is not None and not callable(columns):
        return list(columns)
    from bertkit.data.schema import required_columns as columns_of

    return list(columns_of(task))


def declared_labels(text) -> tuple[str, ...] | None:
    """The Labels box ("happy, sad, meh"): the upload's own label set, like the CLI's --labels."""
    names = [x.strip() for x in str(text or "").split(",") if x.strip()]
    return tuple(names) or None


def prepare_files(path: str, task_name: str, folder: Path, max_rows: int, seed: int = 0, labels=None) -> dict:
    """Read the upload (clear errors for bad files), check its labels with the CLI's rule
    (`bertkit.data.schema.with_labels`: a value outside the task's labels, or the declared `labels`, is an
    error naming the line), cap it, split it, write train/validation JSONL into `folder`."""
    from bertkit import get_task
    from bertkit.data.user import read_user_file
    from bertkit.errors import BertkitError
    from bertkit.data.schema import LINE, with_labels

    task = get_task(task_name)
    columns = required_columns(task)
    name = Path(path).name
    declared = declared_labels(labels)
    try:
        data = read_user_file(path, None, columns, line_column=LINE)
        if "label" in columns:
            with_labels(task, declared, [(name, data)])
        elif declared:
            raise UserError(f"{task_name} has no label set to declare: leave the Labels box empty")
    except BertkitError as e:
        raise UserError(f"cannot use the uploaded file: {hide_paths(str(e), path)}") from None
    rows = [{k: v for k, v in r.items() if k != LINE} for r in data.to_list()]
    lines = [r.get(LINE) for r in data.to_list()]
    if len(rows) < 4:
        raise UserError(f"{name} has {len(rows)} rows; a fine-tuning run needs at least 4")
    capped = len(rows) > max_rows
    rows = rows[:max_rows]
    for n, row in enumerate(rows):
        for column in columns:
            if column != "label":
                try:
                    check_text(row[column], f"{name} line {lines[n] or n + 2}, column {column!r}")
                except gr.Error as e:
                    raise UserError(f"cannot use the uploaded file: {e.message}") from None
    random.Random(seed).shuffle(rows)
    n_valid = max(1, int(len(rows) * HOLD_OUT))
    files = {}
    for split, part in (("train", rows[n_valid:]), ("validation", rows[:n_valid])):
        files[split] = folder / f"{split}.jsonl"
        files[split].write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in part))
    return {"train": str(files["train"]), "validation": str(files["validation"]), "n_train": len(rows) - n_valid,
            "n_validation": n_valid, "capped": capped, "labels": declared}


def wilson(correct: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """The Wilson score interval of a proportion (exact enough at 0 or n correct, unlike ± 1.96·SE)."""
    if n <= 0:
        return 0.0, 1.0
    p = correct / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def reliability(n_held_out: int, accuracy: float | None = None) -> str:
    """A warning when the held-out rows are too few for the score to mean much, with the 95 % Wilson
    interval of the accuracy (16/16 correct still allows a true accuracy near 80 %)."""
    if n_held_out >= RELIABLE_ROWS:
        return ""
    spread = ""
    if isinstance(accuracy, (int, float)) and math.isfinite(accuracy):
        correct = round(accuracy * n_held_out)
        low, high = wilson(correct, n_held_out)
        spread = (f" ({correct}/{n_held_out} correct: the true accuracy lies between {100 * low:.0f} % and "
                  f"{100 * high:.0f} % at 95 %, Wilson interval)")
    return (f"\n\n⚠️ **Unreliable score: only {n_held_out} held-out rows**{spread}. Upload at least "
            f"{int(RELIABLE_ROWS / HOLD_OUT)} rows ({int(HOLD_OUT * 100)} % are held out) for a score to trust, and "
            f"try the head on sentences of your own below.")


def zip_folder(folder: Path, archive: Path, inner: str | None = None) -> Path:
    """The trained folder (checkpoints left out) as ARCHIVE, unpacking to one folder `inner`
    (default: the archive's stem)."""
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        for f in sorted(folder.rglob("*")):
            if f.is_file() and "checkpoints" not in f.relative_to(folder).parts:
                z.write(f, Path(inner or archive.stem) / f.relative_to(folder))
    return archive
