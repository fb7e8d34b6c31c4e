"""What defines one training run: the `Recipe` dataclass, its checks, and the command line built from it.

The CLI's `train` options are generated from the Recipe's fields (`add_train_options`), and a model
card's "Recreate" line is generated back from a Recipe (`recipe_command`), so the Python API, the
command line and the card cannot drift. Every numeric field is checked in `Recipe.__post_init__`
and, with the same check, by argparse at parse time. Light to import (no torch, no transformers).
"""
from __future__ import annotations

import argparse
import dataclasses
import math
import numbers
import os
import shlex
import typing
from dataclasses import dataclass, field

from .errors import RecipeError  # noqa: F401  (defined with every other error; imported from here before)
from .precision import PRECISIONS


# name -> (test, what a valid value is)
CHECKS = {
    "positive": (lambda v: v > 0, "must be > 0"),
    "count": (lambda v: v >= 1, "must be >= 1"),
    "steps": (lambda v: v >= 1 or v == -1, "must be >= 1, or -1 for 'run all epochs'"),
    "fraction": (lambda v: 0 <= v < 1, "must be in [0, 1)"),
    "non_negative": (lambda v: v >= 0, "must be >= 0"),
    "length": (lambda v: v >= 8, "must be >= 8 tokens"),
    "precision": (lambda v: v in PRECISIONS, f"must be one of {', '.join(PRECISIONS)}"),
}


def opt(default, help: str, check: str | None = None, cli: str | None = None, run: bool = True):
    """A Recipe field: `help` for --help, `check` a key of CHECKS, `cli` the flag when not --field-name,
    `run` False for fields that do not define the run (left out of the run's fingerprint)."""
    meta = {"help": help, "check": check, "cli": cli, "run": run}
    if isinstance(default, (dict, list)):
        return field(default_factory=lambda: type(default)(default), metadata=meta)
    return field(default=default, metadata=meta)


@dataclass
class Recipe:
    """One training run. `None` means the task's own default (see `Task.train_defaults`)."""

    task: str
    model: str = opt("default", "default | local folder | hub id: the encoder to start from")
    output: str | None = opt(None, "result folder (default runs/TASK); checkpoints go to OUTPUT.partial/ "
                                   "while training and are removed when the run succeeds", run=False)
    data_dir: str | None = opt(None, "benchmark data folder (default $BERTKIT_DATA_DIR or ../shared/data)", run=False)
    train_file: str | None = opt(None, "your own CSV/TSV/JSONL training file", run=False)
    validation_file: str | None = opt(None, "your own CSV/TSV/JSONL file that picks the best checkpoint (default: "
                                            "a tune slice carved from --train-file)", run=False)
    columns: dict = opt({}, "map a task field to a column of your files, e.g. --column text=review "
                            "--column label=stars", cli="--column")
    labels: tuple | None = opt(None, "declare a new label set for a classification task, e.g. --labels happy,sad,meh "
                                     "(without it, a label the task does not know is an error)")
    label_map: str | None = opt(None, "what the starting model's head labels mean when their names do not say it, "
                                      "e.g. LABEL_0=negative,LABEL_1=positive (bertkit/labels.py)")
    hub_data: bool = opt(False, "train on the task's hub dataset (nyu-mll/glue, rajpurkar/squad, …); needs the Hub")
    epochs: float | None = opt(None, "passes over the training data (task default)", "positive")
    lr: float | None = opt(None, "learning rate (task default)", "positive")
    batch_size: int | None = opt(None, "examples per optimiser step, over all processes (task default)", "count")
    max_length: int | None = opt(None, "tokens per training example; longer ones are cut in training only", "length")
    max_steps: int = opt(-1, "stop after this many optimiser steps (-1: run all epochs)", "steps")
    max_minutes: float | None = opt(None, "time budget: stop after M minutes with a last evaluation, keeping "
                                          "the best checkpoint", "positive", run=False)
    save_every: int | None = opt(None, "also checkpoint every N steps (default: at each evaluation)", "count", run=False)
    save_minutes: float = opt(10.0, "also checkpoint every M minutes of training", "positive", run=False)
    seed: int = opt(42, "random seed (data order, head initialisation, dropout)")
    precision: str = opt("auto", "auto (bf16 where the CPU has AMX/AVX-512-bf16 or on a bf16 GPU, else fp32) "
                                 "| fp32 | bf16 | fp16 (GPU only)", "precision")
    lora: bool = opt(False, "train a LoRA adapter + head (a few MB) instead of all weights")
    lora_r: int | None = opt(None, "LoRA rank (task default, else 16)", "count")
    lora_dropout: float = opt(0.0, "dropout on the LoRA branch (the shipped heads used 0.1; 0 is faster)", "fraction")
    init_from: str | None = opt(None, "start the LoRA adapter (and the head, where its shape fits) from this "
                                      "earlier bertkit LoRA output on the same base, e.g. bertkit/heads/squad "
                                      "before squad_v2 (intermediate training)")
    half: bool = opt(False, "store the LoRA adapter in fp16")
    int8: bool = opt(False, "store the adapter's large weights in int8 (+ fp16 row scales)")
    train_limit: int | None = opt(None, "use only the first N training rows", "count")
    eval_limit: int | None = opt(None, "evaluate on the first N rows only", "count")
    warmup: float = opt(0.1, "fraction of the steps with a linear learning-rate warm-up", "fraction")
    weight_decay: float = opt(0.01, "AdamW weight decay", "non_negative")
    allow_pickle: bool = opt(False, "allow loading .bin (pickle) weights you trust", run=False)
    overwrite: bool = opt(False, "start afresh even if OUTPUT holds another (or a finished) run; the old "
                                 "folder is replaced only once the new run has succeeded", run=False)
    progress: bool = field(default=True, metadata={"cli": "", "run": False, "help": "tqdm progress bars"})

    def __post_init__(self):
        if isinstance(self.labels, str):
            self.labels = tuple(x.strip() for x in self.labels.split(",") if x.strip())
        elif self.labels is not None:
            self.labels = tuple(str(x) for x in self.labels)
        self.columns = dict(self.columns or {})
        if self.label_map is not None:  # one spelling (a=b,c=d) for the CLI, the fingerprint and the card
            from .labels import parse_label_map

            self.label_map = ",".join(f"{h}={t}" for h, t in parse_label_map(self.label_map).items()) or None
        if isinstance(self.precision, str):
            self.precision = self.precision.lower()
        hints = typing.get_type_hints(Recipe)
        for f in dataclasses.fields(self):
            value = check_type(f.name, getattr(self, f.name), hints[f.name])
            setattr(self, f.name, check_value(f.name, value, f.metadata.get("check")))

    def with_task_defaults(self, task) -> "Recipe":
        """This recipe with each `None` (task default) filled from `task.train_defaults`, then bertkit's."""
        d = task.train_defaults
        pick = lambda name, fallback: getattr(self, name) if getattr(self, name) is not None else d.get(name, fallback)  # noqa: E731
        filled = dict(epochs=pick("epochs", 3), lr=pick("lr", 5e-4 if self.lora else 5e-5),
                      batch_size=pick("batch_size", 32), max_length=pick("max_length", 256),
                      lora_r=pick("lora_r", 16), int8=self.int8 or d.get("int8", False),
                      output=self.output or f"runs/{task.name}")
        if self.init_from is None and d.get("init_from_head") and self.lora and self.model == "default" \
                and not self.train_file:
            from .models import HEADS_DIR  # the shipped recipe starts from another shipped head (squad_v2: squad)

            filled["init_from"] = str(HEADS_DIR / d["init_from_head"])
        return dataclasses.replace(self, **filled)


def check_type(name: str, value, hint):
    """`value` as the field's type (an int-valued float stays refused: 2.5 steps is no step count);
    RecipeError naming the field and the value otherwise. NaN and inf are refused for every number."""
    kinds = [a for a in typing.get_args(hint) if a is not type(None)] or [hint]
    kind = kinds[0]
    if value is None:
        if type(None) in typing.get_args(hint):
            return None
        raise RecipeError(f"{name} needs a value, got None")
    if kind is bool:
        if not isinstance(value, bool):
            raise RecipeError(f"{name} must be True or False, got {value!r}")
    elif kind is int:
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise RecipeError(f"{name} must be a whole number, got {value!r}")
        return int(value)
    elif kind is float:
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise RecipeError(f"{name} must be a number, got {value!r}")
        if not math.isfinite(value):
            raise RecipeError(f"{name} must be a finite number, got {value!r}")
        return value if isinstance(value, (int, float)) else float(value)
    elif kind is str:
        if isinstance(value, os.PathLike):
            return os.fspath(value)
        if not isinstance(value, str):
            raise RecipeError(f"{name} must be a string, got {type(value).__name__} {value!r}")
        if "\x00" in value:
            raise RecipeError(f"{name} contains a NUL character: {value!r}")
    return value


def check_value(name: str, value, check: str | None, flag: bool = False):
    if value is None or check is None:
        return value
    test, valid = CHECKS[check]
    if isinstance(value, bool) or not test(value):
        shown = f"--{name.replace('_', '-')}" if flag else name
        raise RecipeError(f"{shown} {valid}, got {value!r}")
    return value


def make_recipe(task: str, **kwargs) -> Recipe:
    """A Recipe from keyword arguments; an unknown one is a RecipeError naming the valid ones."""
    names = [f.name for f in dataclasses.fields(Recipe) if f.name != "task"]
    unknown = sorted(set(kwargs) - set(names))
    if unknown:
        raise RecipeError(f"unknown training option(s) {', '.join(unknown)}; valid: {', '.join(names)}")
    return Recipe(task=task, **kwargs)


def run_fields() -> list[str]:
    """The Recipe fields that define a run (its fingerprint): not paths, budgets or display options."""
    return [f.name for f in dataclasses.fields(Recipe) if f.metadata.get("run", True)]


# ---- the command line, from the fields ---------------------------------------------------------------
def flag_of(f) -> str:
    return f.metadata.get("cli") or f"--{f.name.replace('_', '-')}"


def _column(text: str) -> tuple[str, str]:
    name, sep, column = text.partition("=")
    if not sep or not name or not column:
        raise argparse.ArgumentTypeError(f"write NAME=COLUMN, e.g. --column text=review (got {text!r})")
    return name, column


def _typed(f, kind):
    def convert(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {'an integer' if kind is int else 'a number'}, got {text!r}")
        try:
            return check_value(f.name, check_type(f.name, value, kind), f.metadata.get("check"))
        except RecipeError as e:
            raise argparse.ArgumentTypeError(str(e).split(" ", 1)[1]) from None
    return convert


def add_train_options(parser: argparse.ArgumentParser) -> None:
    """One option per Recipe field (defaults left to the Recipe: absent options are not passed)."""
    hints = typing.get_type_hints(Recipe)
    for f in dataclasses.fields(Recipe):
        if f.name == "task" or f.metadata.get("cli") == "":
            continue
        flag, help_text, kind = flag_of(f), f.metadata["help"], hints[f.name]
        common = {"dest": f.name, "default": argparse.SUPPRESS, "help": help_text}
        if kind is bool:
            parser.add_argument(flag, action="store_true", **common)
        elif f.name == "columns":
            parser.add_argument(flag, action="append", type=_column, metavar="NAME=COLUMN", **common)
        elif f.name == "labels":
            parser.add_argument(flag, metavar="A,B,C", **common)
        elif f.name == "precision":
            parser.add_argument(flag, choices=PRECISIONS, type=str.lower, **common)
        else:
            base = [a for a in typing.get_args(kind) if a is not type(None)] or [kind]
            parser.add_argument(flag, type=_typed(f, base[0]) if base[0] in (int, float) else base[0], **common)


def recipe_kwargs(args: argparse.Namespace) -> dict:
    """The options given on the command line, as `bertkit.train` keyword arguments."""
    kwargs = {f.name: getattr(args, f.name) for f in dataclasses.fields(Recipe)
              if f.name != "task" and hasattr(args, f.name)}
    if "columns" in kwargs:
        kwargs["columns"] = dict(kwargs["columns"])
    return kwargs


def recipe_command(recipe: dict) -> str:
    """The `python -m bertkit train …` line that makes this recipe (the model card's "Recreate")."""
    parts = ["python", "-m", "bertkit", "train", recipe["task"]]
    for f in dataclasses.fields(Recipe):
        value = recipe.get(f.name)
        if f.name in ("task", "overwrite") or f.metadata.get("cli") == "":
            continue
        default = f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default
        if f.name not in ("model", "output") and (value is None or value == default):
            continue
        if value is None:
            continue
        if value is True:
            parts.append(flag_of(f))
        elif value is False:
            continue
        elif f.name == "columns":
            for name, column in value.items():
                parts += [flag_of(f), f"{name}={column}"]
        elif f.name == "labels":
            parts += [flag_of(f), ",".join(value)]
        else:
            parts += [flag_of(f), str(value)]
    return shlex.join(parts)
