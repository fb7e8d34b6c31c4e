"""The task registry: one `Task` per public task name, declared in its own file in this folder.

A task is data (labels, data files, metric, examples, training defaults) plus a family object that
holds the code shared by tasks of its kind (pre-process, forward, post-process, training features).
"""
from __future__ import annotations

import importlib
import os
import pkgutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from ..errors import MissingDataError, UnknownNameError, UnknownTaskError

if TYPE_CHECKING:
    from ..families.base import Family

_REGISTRY: dict[str, "Task"] = {}


@dataclass(frozen=True)
class Task:
    name: str  # public name used by the CLI, the demo and the evaluation suite
    family: "Family"  # the code shared by tasks of its kind (bertkit/families/)
    description: str
    metric: str  # local evaluate module in bertkit/metrics/
    primary_metric: str  # the score that picks the best checkpoint (key of the metric's output)
    files: dict = field(default_factory=dict)  # split -> path (or tuple of paths) relative to the data dir
    read: Callable[[Any, str], Any] | None = None  # (path or list of paths, split) -> datasets.Dataset
    labels: tuple[str, ...] = ()
    metric_config: str | None = None
    hub_dataset: tuple[str, str | None] | None = None  # (hub id, config) for online use
    examples: tuple = ()  # demo / CLI examples, in the predictor's input format
    trainable: bool = True  # False: no training data here (evaluation only)
    train_defaults: dict = field(default_factory=dict)  # epochs, lr, batch_size, max_length
    version: str = "1"  # bumped when data processing or scoring changes
    row_ids: bool = False  # its metric pairs predictions with references by an "id" column (SQuAD): user rows get one
    glue: Any = None  # bertkit.data.glue.GlueFormat: the layout of GLUE-style TSV files (GLUE tasks only)

    tune_split: str = "dev"  # the split that picks the best checkpoint while training
    # ---- how the evaluation suite, the leaderboard, the cards and the app report the task ---------
    benchmark: str = ""  # its group for `--tasks` and its leaderboard table ("": the task's own name)
    aliases: tuple[str, ...] = ()  # other names `--tasks` accepts for this task alone
    reported_split: str = "dev"  # the held-out split scores are reported on (never picks checkpoints)
    extra_splits: tuple[str, ...] = ()  # more held-out splits a default run reports beside it (never pick either)
    headline: tuple[str, ...] = ()  # metrics the tables print and `compare` tests (default: primary_metric)
    metric_scale: float = 100.0  # factor to the tables' 0-100 scale (1.0: the metric is 0-100 already)
    references: str | None = None  # benchmark key of its published scores in evaluation/references.py
    target_score: float | None = None  # the bar the shipped head must reach (0-100), shown in the README
    title: str = ""  # display name in tables, plots and the app ("": the name)
    dataset: str = ""  # the reported data in a few words, for table titles ("CoNLL-2003")
    score_note: str = ""  # how the score is computed, printed under its leaderboard table

    @property
    def inputs(self) -> tuple[str, ...]:
        return self.family.input_fields

    @property
    def outputs(self) -> tuple[str, ...]:
        return self.family.output_keys

    @property
    def group(self) -> str:
        return self.benchmark or self.name

    @property
    def headline_metrics(self) -> tuple[str, ...]:
        return self.headline or (self.primary_metric,)

    @property
    def display_name(self) -> str:
        return self.title or self.name

    @property
    def required_columns(self) -> tuple[str, ...]:
        """The columns a user training file must provide (after --column mappings)."""
        return self.family.required_columns(self)

    def percent(self, value):
        """A metric value of this task on the 0-100 scale the tables use (None stays None)."""
        return None if value is None else value * self.metric_scale

    def data_paths(self, split: str, data_dir: str | os.PathLike | None = None) -> list[Path]:
        from ..data_dir import data_dir as default_dir

        if split not in self.files:
            raise UnknownNameError(f"task {self.name!r} has no {split!r} split; it has: {', '.join(self.files) or 'none'}")
        names = self.files[split]
        names = [names] if isinstance(names, str) else list(names)
        return [Path(data_dir or default_dir()) / n for n in names]

    def load(self, split: str, data_dir: str | os.PathLike | None = None):
        """The split as a `datasets.Dataset` in the family's canonical columns."""
        paths = self.data_paths(split, data_dir)
        if not paths[0].exists():
            first = self.files[split] if isinstance(self.files[split], str) else self.files[split][0]
            raise MissingDataError(paths[0], f"{self.name} {split} data not found; set --data-dir or "
                                             f"BERTKIT_DATA_DIR to the folder that holds {first}")
        return self.read(paths[0] if len(paths) == 1 else paths, split)


TUNE_FRACTION = 0.1
TUNE_MAX = 2000


def tune_step(n_blocks: int) -> int:
    """Every `tune_step(n)`-th block (from block 0) is a tune block: about 10 %, at most ~2,000."""
    return max(int(round(1 / TUNE_FRACTION)), -(-n_blocks // TUNE_MAX))


def carve_tune(ds, split: str, block: int = 1):
    """A training file -> its `train` part or its held-back `tune` part (other splits unchanged).

    Reported splits never choose checkpoints, so tasks whose data has only train + reported files
    hold back every k-th block of `block` consecutive rows of train as `tune` (blocks keep
    neighbouring rows, e.g. the sentences of one document, on the same side).
    """
    if split not in ("train", "tune"):
        return ds
    step = tune_step(-(-len(ds) // block))
    keep = [i for i in range(len(ds)) if ((i // block) % step == 0) == (split == "tune")]
    return ds.select(keep)


def register(task: Task) -> Task:
    if task.name in _REGISTRY:
        raise ValueError(f"task {task.name!r} registered twice")
    _REGISTRY[task.name] = task
    return task


def _discover() -> None:
    if _REGISTRY:
        return
    package = Path(__file__).parent
    for info in sorted(pkgutil.iter_modules([str(package)]), key=lambda m: m.name):
        if info.name != "base" and not info.name.startswith("_"):
            importlib.import_module(f"{__package__}.{info.name}")


def get_task(name: str) -> Task:
    _discover()
    if isinstance(name, Task):
        return name
    if not isinstance(name, str) or name not in _REGISTRY:  # a list or None is no task name either
        raise UnknownTaskError(name, task_names())
    return _REGISTRY[name]


def all_tasks() -> list[Task]:
    _discover()
    return [_REGISTRY[n] for n in task_names()]


ORDER = ["fill-mask", "sst2", "cola", "mrpc", "stsb", "rte", "wnli", "qnli", "squad", "squad_v2",
         "ner", "srl", "translation"]


def task_names() -> list[str]:
    _discover()
    return sorted(_REGISTRY, key=lambda n: (ORDER.index(n) if n in ORDER else len(ORDER), n))
