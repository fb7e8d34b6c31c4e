"""Results files: one JSON per run, rewritten atomically after every task, predictions beside it.

    results/20261130-141500-default.json                        scores, intervals, timings, manifest
    results/20261130-141500-default.predictions/sst2.jsonl.gz   one line per example (for compare)

Every write goes to a temporary file in the same folder, then a rename (`bertkit.files.atomic_write`): a reader (or a run
killed half-way) sees the previous complete file or the new complete one, never a partial one.
The schema is in evaluation/README.md.
"""
from __future__ import annotations

import gzip
import hashlib
import json
import math
import re
import sys
import time
from pathlib import Path

import numpy as np

from bertkit.files import atomic_write
from bertkit.metrics.stats import ExampleStats

SCHEMA = "bertkit-eval/1"


def clean(value):
    """JSON-safe: NaN/inf -> None, numpy scalars -> Python numbers, tuples -> lists."""
    if isinstance(value, dict):
        return {str(k): clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def write_json(path: Path, obj) -> None:
    # serialised in full before the file is opened: an unserialisable value leaves no trace
    atomic_write(path, (json.dumps(clean(obj), indent=1, ensure_ascii=False, allow_nan=False) + "\n").encode())


def run_id(model: str, folder: Path) -> str:
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    name = Path(model).resolve().name if Path(model).is_dir() else model.replace("/", "--")  # folder or hub id
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-.") or "model"
    name, n = f"{stamp}-{slug}", 1
    while (folder / f"{name}.json").exists():
        n += 1
        name = f"{stamp}-{slug}-{n}"
    return name


def task_key(weights_sha: str, task, split: str, data_files: dict, limit, seed: int, precision: str = "fp32") -> str:
    """Identity of a score: same weights, task version, split, data bytes, limit, seed and precision."""
    identity = {"weights": weights_sha, "task": task.name, "version": task.version, "split": split,
                "data": data_files, "limit": limit, "seed": seed}
    if precision != "fp32":  # fp32 keys stay those of the runs made before precision was an option
        identity["precision"] = precision
    blob = json.dumps(identity, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:20]


# ---- per-example predictions ---------------------------------------------------------------------
def write_predictions(path: Path, task_name: str, stats: ExampleStats) -> None:
    lines = [json.dumps({"task": task_name, "kind": stats.kind, "columns": stats.columns})]
    for i, pred, ref, row in zip(stats.ids, stats.predictions, stats.references, stats.rows.tolist()):
        lines.append(json.dumps(clean({"id": i, "prediction": pred, "reference": ref, "stats": row}),
                                ensure_ascii=False))
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, gzip.compress(("\n".join(lines) + "\n").encode(), mtime=0))


def read_predictions(path: Path) -> ExampleStats:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        header = json.loads(f.readline())
        records = [json.loads(line) for line in f if line.strip()]
    rows = np.array([[np.nan if v is None else v for v in r["stats"]] for r in records], dtype=float)
    return ExampleStats(header["kind"], header["columns"], rows.reshape(len(records), len(header["columns"])),
                        [r["id"] for r in records], [r["prediction"] for r in records],
                        [r["reference"] for r in records])


# ---- reading results folders ---------------------------------------------------------------------
def read_results(path: Path) -> dict | None:
    """A results file, or None for any JSON file that is not one (or is unreadable)."""
    return load_results(path)[0]


def load_results(path: Path) -> tuple[dict | None, str | None]:
    """(results, None), or (None, why `path` is not a readable results file)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as e:
        return None, f"cannot read it ({getattr(e, 'strerror', None) or e})"
    except ValueError as e:
        return None, f"not valid JSON, e.g. a truncated file ({e})"
    reason = schema_problem(data)
    return (None, reason) if reason else (data, None)


def schema_problem(data) -> str | None:
    """What is wrong with a parsed results file's shape (None: readers can rely on it)."""
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        found = data.get("schema") if isinstance(data, dict) else type(data).__name__
        return f"not a results file (schema {found!r}, expected {SCHEMA!r})"
    model = (data.get("manifest") or {}).get("model") if isinstance(data.get("manifest"), dict) else None
    if not isinstance(model, dict) or not isinstance(model.get("id"), str):
        return "no manifest.model.id"
    if not isinstance(data.get("settings", {}), dict) or not isinstance(data.get("tasks"), dict):
        return "'settings' or 'tasks' is not an object"
    for task, entry in data["tasks"].items():
        entries = [entry, *(entry.get("extra_splits") or {}).values()] if isinstance(entry, dict) else [entry]
        for e in entries:
            if not isinstance(e, dict) or not isinstance(e.get("status"), str):
                return f"task {task!r}: an entry without a status"
            if e["status"] != "scored":
                continue
            scores = e.get("scores")
            if not isinstance(scores, dict) or not all(
                    isinstance(v, dict) and (v.get("value") is None or isinstance(v.get("value"), (int, float))
                                             and not isinstance(v.get("value"), bool)) for v in scores.values()):
                return f"task {task!r}: 'scores' is not {{metric: {{value: number}}}}"
            if not all(isinstance(e.get(k), str) for k in ("split", "primary_metric")) or \
                    not all(isinstance(e.get(k), (str, type(None))) for k in ("kind", "predictions")):
                return f"task {task!r}: a scored entry needs split and primary_metric (kind, predictions: text)"
    return None


_WARNED: set = set()


def results_files(folder: Path) -> list[tuple[Path, dict]]:
    """Every results file in `folder` (a file path alone is one), oldest first. A *.json that cannot be
    read as one is skipped with a warning naming it (once per file version), so one bad file never
    stops a run, a leaderboard or a comparison."""
    folder = Path(folder)
    paths = [folder] if folder.is_file() else sorted(p for p in folder.glob("*.json") if not p.name.startswith("."))
    found = []
    for path in paths:
        results, reason = load_results(path)
        if results is not None:
            found.append((path, results))
            continue
        try:
            stamp = (str(path), path.stat().st_mtime_ns)
        except OSError:
            stamp = (str(path), None)
        if stamp not in _WARNED:
            _WARNED.add(stamp)
            print(f"warning: skipped {path}: {reason}; move it out of the folder or rerun "
                  "`python -m evaluation run` for it", file=sys.stderr)
    return sorted(found, key=lambda pr: (str(pr[1].get("created", "")), pr[0].name))


def find_scored(folder: Path, key: str) -> tuple[Path, dict] | None:
    """The newest scored entry with this key in `folder`, whose predictions file still exists."""
    for path, results in reversed(results_files(folder)) if Path(folder).is_dir() else []:
        entries = [e for top in results.get("tasks", {}).values() for e in (top, *top.get("extra_splits", {}).values())]
        for entry in entries:
            if entry.get("status") == "scored" and entry.get("key") == key and \
                    (path.parent / entry.get("predictions", "")).is_file():
                return path, entry
    return None


class RunFile:
    """The results file of one run, saved whole after each task."""

    def __init__(self, folder: Path, model: str, header: dict):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.id = run_id(model, self.folder)
        self.path = self.folder / f"{self.id}.json"
        self.data = {"schema": SCHEMA, "run_id": self.id, "created": _now(), "finished": None, **header,
                     "tasks": {}}

    def predictions_path(self, task_name: str) -> Path:
        return self.folder / f"{self.id}.predictions" / f"{task_name}.jsonl.gz"

    def relative(self, path: Path) -> str:
        return str(Path(path).relative_to(self.folder))

    def add(self, task_name: str, entry: dict) -> None:
        self.data["tasks"][task_name] = clean(entry)

    def save(self, finished: bool = False) -> None:
        if finished:
            self.data["finished"] = _now()
        write_json(self.path, self.data)


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


# ---- the registry's facts about an entry's task ----------------------------------------------------
def registered(task_name: str):
    """The registry's task of that name, or None (a results file may hold a task since removed)."""
    from bertkit.errors import UnknownTaskError
    from bertkit.tasks.base import get_task

    try:
        return get_task(task_name)
    except UnknownTaskError:
        return None


def extra_splits(entry: dict) -> dict:
    """{split: entry} for the task's other held-out splits (`Task.extra_splits`) scored in the same run."""
    return {split: e for split, e in (entry.get("extra_splits") or {}).items() if e.get("status") == "scored"}


def percent(task_name: str, entry: dict, value):
    """A value of this entry's metrics on the tables' 0-100 scale (`Task.metric_scale`)."""
    if value is None:
        return None
    scale = entry.get("scale")
    if scale is None:  # files written before entries carried their scale
        task = registered(task_name)
        return task.percent(value) if task else value * 100.0
    return value * scale


def headline(task_name: str, entry: dict) -> list[str]:
    """The metrics tables print and `compare` tests for this task (`Task.headline`)."""
    task = registered(task_name)
    return list(task.headline_metrics) if task else [entry["primary_metric"]]
