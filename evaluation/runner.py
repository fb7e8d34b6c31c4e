"""The run loop: for each task, read data -> predict with bertkit -> score with the task's evaluate
module -> bootstrap intervals from per-example statistics -> save the results file.

    python -m evaluation run --model default --tasks glue,squad,ner,srl,translation,fill-mask
    python -m evaluation run --model runs/sst2 --tasks sst2 --limit 100

A task already scored in the output folder for the same weights, task version, split, data
files, limit and seed is not run again: its entry (pointing at its predictions) is copied into
this run, marked `reused_from`; a run in which every task was reused writes no file.
A task the model cannot do (the default model without a trained head, a folder trained for
another task, missing data) is recorded as skipped, with the reason, and the run goes on.
"""
from __future__ import annotations

import sys
import time
import warnings
from pathlib import Path

from bertkit.data.errors import DataError
from bertkit.errors import MissingHeadError, ModelError
from bertkit.tasks.base import get_task

from . import bootstrap
from .manifest import manifest, model_folders, sha256_file, weights_digest
from .results import RunFile, find_scored, task_key, write_predictions
from .selection import expand_tasks, limited_indices, reported_split
from .stats import example_stats, kind_of, point_scores

COUNT_KEYS = ("number", "total", "masked_tokens")  # metric outputs that are counts, not scores


def data_files(task, split: str, data_dir: Path) -> list[Path]:
    paths = task.data_paths(split, data_dir)
    # translation names only the German side; its English references are the sibling .en.gz
    return paths + [p.with_name(p.name.replace(".de.gz", ".en.gz")) for p in paths if p.name.endswith(".de.gz")]


def skipped(task, split: str, reason: str) -> dict:
    return {"status": "skipped", "reason": reason, "version": task.version, "split": split}


def run(model: str = "default", tasks: str = "all", data_dir=None, split: str | None = None,
        limit: int | None = None, batch_size: int | None = None, output="results", seed: int = 0,
        progress: bool = True, log=None) -> RunFile:
    """Score `model` on `tasks` (names or groups, comma-separated); returns the run. Its file is
    written unless every task was reused from an earlier run (then `run.path` does not exist)."""
    from bertkit.data_dir import data_dir as default_data_dir
    from bertkit.models import resolve

    names = expand_tasks(tasks)
    log = log or sys.stderr
    _quiet_transformers()
    data_dir = Path(data_dir) if data_dir else default_data_dir()
    base = resolve(model)  # fails early, naming the problem, for a bad --model
    settings = {"tasks": names, "split": split, "limit": limit, "batch_size": batch_size, "data_dir": str(data_dir),
                "bootstrap": {"resamples": bootstrap.RESAMPLES, "confidence": bootstrap.CONFIDENCE, "seed": seed},
                "command": sys.argv}
    run_file = RunFile(output, model, {"manifest": manifest(model, weights_digest(model_folders(base)), seed),
                                       "settings": settings})
    new = 0
    for n, name in enumerate(names, 1):
        print(f"[{n}/{len(names)}] {name}", file=log, flush=True)
        entry = score_task(name, model, run_file, data_dir, split, limit, batch_size, seed, progress)
        run_file.add(name, entry)
        print(f"    {describe(entry)}", file=log, flush=True)
        if not entry.get("reused_from"):  # saved after every new score or skip: a killed run keeps them
            new += 1
            run_file.save()
    if new:
        run_file.save(finished=True)
    return run_file


def _quiet_transformers() -> None:
    """No "Loading weights" bar per task: the task's own progress bar is the one that matters."""
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()


def score_task(name, model, run_file, data_dir, split, limit, batch_size, seed, progress) -> dict:
    from bertkit.models import resolve

    task = get_task(name)
    split = split or reported_split(name)
    if split not in task.files:
        return skipped(task, split, f"no {split!r} split (it has: {', '.join(task.files)})")
    files = data_files(task, split, data_dir)
    if not all(p.exists() for p in files):
        return skipped(task, split, f"no data: {next(p for p in files if not p.exists())} not found")
    try:
        source = resolve(model, task.name)
    except MissingHeadError as e:
        return skipped(task, split, f"no head: {e}")
    except ModelError as e:
        return skipped(task, split, f"model: {e}")
    if source.meta.get("task") not in (None, task.name):
        return skipped(task, split, f"model: {source.path} was trained for {source.meta['task']!r}, "
                                    f"not {task.name!r}")
    weights = weights_digest(model_folders(source))
    data = {"dir": str(data_dir), "files": {str(p.relative_to(data_dir)): sha256_file(p) for p in files},
            "limit": limit}
    key = task_key(weights["sha256"], task, split, data["files"], limit, seed)
    found = find_scored(run_file.folder, key)
    if found:
        return reuse(found)
    return measure(task, model, split, data, weights, key, run_file, batch_size, seed, progress)


def reuse(found) -> dict:
    """The earlier entry, pointing at its own predictions file (same folder): nothing is copied."""
    path, entry = found
    return dict(entry, reused_from=path.name)


def measure(task, model, split, data, weights, key, run_file, batch_size, seed, progress) -> dict:
    import torch

    import bertkit

    started = time.perf_counter()
    try:
        ds = task.load(split, data["dir"])
    except DataError as e:
        return skipped(task, split, f"data: {e}")
    if "label" in ds.column_names and all(_unlabelled(x) for x in ds["label"]):
        return skipped(task, split, f"data: the {split} split has no labels (GLUE test labels stay on the "
                                    "server: use `python -m evaluation submit`)")
    if task.name != "fill-mask":  # fill-mask limits text blocks, not lines (evaluation/fillmask.py)
        keep = limited_indices(len(ds), data["limit"])
        ds = ds.select(keep)
        if not {"id", "idx"} & set(ds.column_names):  # translation: the row number identifies an example
            ds = ds.add_column("row", keep)
    torch.manual_seed(seed)  # a head that is not trained yet is initialised the same way every run
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            predictor = bertkit.load(task.name, model, cache=False)
        except ModelError as e:
            return skipped(task, split, f"model: {e}")
    predict_started = time.perf_counter()
    if task.name == "fill-mask":
        from .fillmask import fill_mask_stats

        stats = fill_mask_stats(predictor, ds, seed, data["limit"], batch_size or 32, progress)
        predict_s = time.perf_counter() - predict_started
        scores = dict(point_scores(stats), masked_tokens=int(stats.rows[:, 2].sum()))
    else:
        outputs = predictor(task.family.to_inputs(task, ds), batch_size=batch_size, progress=progress)
        predict_s = time.perf_counter() - predict_started
        scores = task.family.score(task, outputs, ds)  # the evaluate module: the reported numbers
        stats = example_stats(task, outputs, ds)
    intervals = bootstrap.confidence_intervals(stats, seed)
    check_agreement(task.name, scores, point_scores(stats))
    prediction_file = run_file.predictions_path(task.name)
    write_predictions(prediction_file, task.name, stats)
    n = len(stats.rows)
    return {
        "status": "scored", "version": task.version, "split": split,
        "metric": task.metric + (f"/{task.metric_config}" if task.metric_config else ""),
        "kind": kind_of(task), "primary_metric": task.primary_metric,
        "scores": {k: {"value": v, "ci": intervals.get(k)} for k, v in scores.items() if not is_count(k)},
        "counts": {k: v for k, v in scores.items() if is_count(k)},
        "n_examples": n, "predict_s": predict_s, "examples_per_s": n / predict_s if predict_s else None,
        "wall_s": time.perf_counter() - started, "batch_size": batch_size,
        "data": data, "weights": weights, "head_trained": predictor.head_trained,
        "notes": sorted({str(w.message) for w in caught if issubclass(w.category, UserWarning)}),
        "key": key, "predictions": run_file.relative(prediction_file), "reused_from": None,
    }


def _unlabelled(label) -> bool:
    return label is None or label == -1 or label != label  # -1: class, NaN: STS-B score


def is_count(name: str) -> bool:
    return any(name == k or name.endswith("_" + k) for k in COUNT_KEYS)


def check_agreement(task_name, module_scores: dict, stats_scores: dict, tolerance: float = 1e-6) -> None:
    """Warn when the per-example statistics do not reproduce the evaluate module (a bug here)."""
    for k, v in stats_scores.items():
        ref = module_scores.get(k)
        if ref is not None and v == v and abs(ref - v) > tolerance * max(1.0, abs(ref)):
            warnings.warn(f"{task_name}: {k} from per-example statistics is {v}, the metric module says {ref}; "
                          "the interval may be off", stacklevel=2)


def describe(entry: dict) -> str:
    if entry["status"] != "scored":
        return f"skipped: {entry['reason'][:160]}"
    primary = entry["primary_metric"]
    value = entry["scores"].get(primary, {}).get("value")
    value = "undefined" if value is None or value != value else f"{value:.4g}"
    reused = f", reused from {entry['reused_from']}" if entry.get("reused_from") else ""
    return (f"{primary} = {value} on {entry['n_examples']} examples ({entry['split']}), "
            f"{entry['examples_per_s'] or 0:.1f} ex/s, {entry['wall_s']:.1f} s{reused}")
