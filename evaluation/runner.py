"""The run loop: for each task, read data -> predict with bertkit -> score with the task's evaluate
module -> bootstrap intervals from per-example statistics -> save the results file.

    python -m evaluation run --model default --tasks glue,squad,ner,srl,translation,fill-mask
    python -m evaluation run --model runs/sst2 --tasks sst2 --limit 100

A task already scored in the output folder for the same weights, task version, split, data
files, limit and seed is not run again: its entry (pointing at its predictions) is copied into
this run, marked `reused_from`; a run in which every task was reused writes no file.
Under `torchrun --nproc_per_node N -m evaluation run ...` (or `accelerate launch`) every rank loads
the model and forwards its share of each task's batches (bertkit/distributed.py); rank 0 gathers the
outputs in order, scores, bootstraps and writes, so the file equals a one-process run's (its
manifest records `world_size`).
Without `--split`, a task's `extra_splits` (translation: general-domain news) are scored too and
kept inside its entry under "extra_splits", each a whole entry of its own (key, predictions, CI).
A task the model cannot do (the default model without a trained head, a folder trained for
another task, missing data) is recorded as skipped, with the reason, and the run goes on.
"""
from __future__ import annotations

import sys
import time
import warnings
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from bertkit.data.errors import DataError
from bertkit.data.schema import unlabelled as _unlabelled
from bertkit.errors import BertkitError, MissingHeadError, ModelError
from bertkit.metrics.stats import point_scores
from bertkit.tasks.base import get_task

from . import bootstrap
from .manifest import manifest, model_folders, sha256_file, weights_digest
from .results import RunFile, find_scored, task_key, write_predictions
from .selection import expand_tasks, limited_indices

COUNT_KEYS = ("number", "total", "masked_tokens")  # metric outputs that are counts, not scores


def setting(default, help: str, **cli):
    """A RunSettings field whose `help` (and `type`, `choices`, `metavar`, `flag`) generate its CLI option."""
    if callable(default):
        return field(default_factory=default, metadata={"help": help, **cli})
    return field(default=default, metadata={"help": help, **cli})


@dataclass
class RunSettings:
    """Everything one `python -m evaluation run` is told; its CLI options are generated from these fields
    (`evaluation/cli.py`), so the two cannot drift."""
    model: str = setting("default", "default | catalog | local folder | hub id (default: %(default)s)")
    tasks: str = setting("all", "comma-separated task names or groups (`all`, or a benchmark: glue, squad, …; "
                                "`python -m bertkit tasks` lists the tasks); default: all")
    data_dir: str | Path | None = setting(None, "benchmark data folder (default $BERTKIT_DATA_DIR or ../shared/data)")
    split: str | None = setting(None, "override each task's reported split (Task.reported_split: dev; test for srl, "
                                      "translation, fill-mask)")
    limit: int | None = setting(None, "score N evenly spaced examples per task (for a quick look)", type="positive")
    batch_size: int | None = setting(None, "examples per forward pass (default: the family's evaluation batch "
                                           "size, else the predictor's)", type="positive")
    output: str | Path = setting("results", "results folder (default: %(default)s)")
    seed: int = setting(0, "bootstrap, fill-mask masking and untrained-head seed", type=int)
    precision: str = setting("fp32", "numeric precision of the forward pass, passed to bertkit.load; the one the "
                                     "predictor chose is recorded per task and in the manifest (default: "
                                     "%(default)s, the published scores')", choices="precisions")
    label_map: str | None = setting(None, "what the model's own head labels mean when their names do not say "
                                          "it, e.g. LABEL_0=negative,LABEL_1=positive (bertkit/labels.py); "
                                          "recorded in the results", metavar="HEAD=TASK,...")
    progress: bool = setting(True, "no progress bars", flag="--no-progress")
    command: list = setting(lambda: list(sys.argv), "", flag="")  # recorded, not an option


def run(settings: RunSettings, log=None) -> RunFile:
    """Score `settings.model` on `settings.tasks`; returns the run. Its file is written unless every
    task was reused from an earlier run (then `run.path` does not exist)."""
    from bertkit import distributed
    from bertkit.precision import check_precision

    s = settings
    check_precision(s.precision)
    with distributed.session() as shard:
        return _run(s, log, shard)


def _run(s: RunSettings, log, shard) -> RunFile:
    from bertkit.data_dir import data_dir as default_data_dir
    from bertkit.models import resolve

    names = expand_tasks(s.tasks)
    main = shard is None or shard.is_main
    log = (log or sys.stderr) if main else _Silent()
    _quiet_transformers()
    data_dir = Path(s.data_dir) if s.data_dir else default_data_dir()
    base = resolve(s.model) if s.model != "catalog" else None  # fails early, naming the problem, for a bad --model
    recorded = {k: v for k, v in asdict(s).items() if k not in ("model", "output", "seed", "progress", "command")}
    recorded.update(tasks=names, data_dir=str(data_dir), command=s.command,
                    bootstrap={"resamples": bootstrap.RESAMPLES, "confidence": bootstrap.CONFIDENCE, "seed": s.seed})
    header = manifest(s.model, weights_digest(model_folders(base)) if base else None, s.seed)
    header["world_size"] = shard.world if shard else 1
    header["precision"] = {"requested": s.precision, "chosen": {}}  # chosen: task -> what its predictor ran in
    run_file = RunFile(s.output, s.model, {"manifest": header, "settings": recorded})
    new = 0
    for n, name in enumerate(names, 1):
        print(f"[{n}/{len(names)}] {name}", file=log, flush=True)
        task = get_task(name)
        entry = score_task(task, s, run_file, data_dir, shard)
        if s.split is None and entry["status"] == "scored":  # held-out splits reported beside the main one
            extra = {x: score_task(task, replace(s, split=x), run_file, data_dir, shard) for x in task.extra_splits}
            if extra:
                entry = dict(entry, extra_splits=extra)
        run_file.add(name, entry)
        if entry.get("precision"):
            header["precision"]["chosen"][name] = entry["precision"]
        if main:
            print(f"    {describe(entry)}", file=log, flush=True)
            for x, more in entry.get("extra_splits", {}).items():
                print(f"    {x}: {describe(more)}", file=log, flush=True)
        if not all(e.get("reused_from") for e in (entry, *entry.get("extra_splits", {}).values())):
            # saved after every new score or skip: a killed run keeps them
            new += 1
            if main:
                run_file.save()
    if new and main:
        run_file.save(finished=True)
    return run_file


class _Silent:
    """The log of ranks other than 0: one line per task is enough, rank 0 prints it."""
    def write(self, _text):
        return 0

    def flush(self):
        pass


def _quiet_transformers() -> None:
    """No "Loading weights" bar per task: the task's own progress bar is the one that matters."""
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()


def skipped(task, split: str, reason: str) -> dict:
    return {"status": "skipped", "reason": reason, "version": task.version, "split": split}


def expected_precision(task, requested: str, meta: dict) -> str:
    """What `bertkit.load` will choose for `requested` here (the loaded predictor reports it)."""
    import torch

    from bertkit.api import choose_precision

    return choose_precision(requested, meta, "cuda" if torch.cuda.is_available() else "cpu")


def score_task(task, s: RunSettings, run_file, data_dir: Path, shard=None) -> dict:
    from bertkit.models import resolve

    split = s.split or task.reported_split
    if split not in task.files:
        return skipped(task, split, f"no {split!r} split (it has: {', '.join(task.files)})")
    files = task.data_paths(split, data_dir)
    if not all(p.exists() for p in files):
        return skipped(task, split, f"no data: {next(p for p in files if not p.exists())} not found")
    try:
        source = resolve(s.model, task.name)
    except MissingHeadError as e:
        return skipped(task, split, f"no head: {e}")
    except ModelError as e:
        return skipped(task, split, f"model: {e}")
    if not source.serves(task):
        return skipped(task, split, f"model: {source.path} was trained for {source.meta['task']!r}, "
                                    f"not {task.name!r}")
    weights = weights_digest(model_folders(source))
    data = {"dir": str(data_dir), "files": {str(p.relative_to(data_dir)): sha256_file(p) for p in files},
            "limit": s.limit}
    precision = expected_precision(task, s.precision, source.meta)
    if s.label_map:  # another reading of the same head's labels is another result
        weights = dict(weights, label_map=s.label_map)
        weights["sha256"] = sha256_text(weights["sha256"] + "|label_map=" + s.label_map)
    key = task_key(weights["sha256"], task, split, data["files"], s.limit, s.seed, precision)
    found = find_scored(run_file.folder, key) if shard is None or shard.is_main else None
    if shard is not None:  # rank 0's folder decides: every rank scores the task, or none does
        found = shard.broadcast(found)
    if found:
        return reuse(found)
    return measure(task, s, split, data, weights, (key, precision), run_file, shard)


def sha256_text(text: str) -> str:
    import hashlib

    return hashlib.sha256(text.encode()).hexdigest()


def reuse(found) -> dict:
    """The earlier entry, pointing at its own predictions file (same folder): nothing is copied."""
    path, entry = found
    return dict(entry, reused_from=path.name)


def load_predictor(task, s: RunSettings):
    import bertkit

    return bertkit.load(task.name, s.model, cache=False, precision=s.precision, label_map=s.label_map)


def measure(task, s: RunSettings, split, data, weights, key, run_file, shard=None) -> dict:
    # key: (results key, the precision it assumed)
    """Load the split -> the family's evaluation examples -> predict -> score with the metric module
    (the reported numbers) and with per-example statistics (the bootstrap intervals)."""
    import torch

    from bertkit.distributed import place

    started = time.perf_counter()
    try:
        ds = task.load(split, data["dir"])
    except DataError as e:
        return skipped(task, split, f"data: {e}")
    if "label" in ds.column_names and all(_unlabelled(x) for x in ds["label"]):
        return skipped(task, split, f"data: the {split} split has no labels (GLUE test labels stay on the "
                                    "server: use `python -m evaluation submit`)")
    torch.manual_seed(s.seed)  # a head that is not trained yet is initialised the same way every run
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            predictor = load_predictor(task, s)
        except ModelError as e:
            return skipped(task, split, f"model: {e}")
    key, expected = key
    label_map = predictor.label_map
    precision = predictor.precision
    if precision != expected:  # the predictor's own choice names the score
        key = task_key(weights["sha256"], task, split, data["files"], s.limit, s.seed, precision)
    family = task.family
    examples = family.eval_examples(task, predictor.tokenizer, ds, s.seed)
    keep = limited_indices(len(examples), data["limit"])
    examples = examples.select(keep)
    if not {"id", "idx"} & set(examples.column_names):  # e.g. translation: the row number identifies an example
        examples = examples.add_column("row", keep)
    batch_size = s.batch_size or family.eval_batch_size
    predict_started = time.perf_counter()
    place(predictor, shard)  # under torchrun: this rank's share of the batches, all outputs back
    try:
        outputs = predictor(family.to_inputs(task, examples), batch_size=batch_size, progress=s.progress)
    except BertkitError as e:  # e.g. a tokenizer without a mask token for fill-mask: this task only
        return skipped(task, split, f"model: {e}")
    predict_s = time.perf_counter() - predict_started
    if shard is not None and not shard.is_main:  # rank 0 scores and writes
        return {"status": "scored", "version": task.version, "split": split, "rank": shard.rank}
    scores = family.score(task, outputs, examples)  # the evaluate module: the reported numbers
    stats = family.example_stats(task, outputs, examples)
    intervals = bootstrap.confidence_intervals(stats, s.seed)
    check_agreement(task.name, scores, point_scores(stats))
    prediction_file = run_file.predictions_path(f"{task.name}.{split}" if split in task.extra_splits else task.name)
    write_predictions(prediction_file, task.name, stats)
    n = len(stats.rows)
    return {
        "status": "scored", "version": task.version, "split": split,
        "metric": task.metric + (f"/{task.metric_config}" if task.metric_config else ""),
        "kind": stats.kind, "primary_metric": task.primary_metric, "scale": task.metric_scale,
        "scores": {k: {"value": v, "ci": intervals.get(k)} for k, v in scores.items() if not is_count(k)},
        "counts": {k: int(v) if float(v).is_integer() else v for k, v in scores.items() if is_count(k)},
        "n_examples": n, "predict_s": predict_s, "examples_per_s": n / predict_s if predict_s else None,
        "wall_s": time.perf_counter() - started, "batch_size": s.batch_size, "precision": precision,
        "data": data, "weights": weights, "head_trained": predictor.head_trained,
        "label_map": label_map.describe() if label_map is not None and not label_map.identity else None,
        "notes": sorted({str(w.message) for w in caught if issubclass(w.category, UserWarning)}),
        "key": key, "predictions": run_file.relative(prediction_file), "reused_from": None,
    }


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
