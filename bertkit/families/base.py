"""What every task family provides, and input checks they share.

A family turns user inputs into model features (`preprocess`), runs one padded batch
(`forward`, always called under `torch.inference_mode()` by the predictor), and turns the
per-feature outputs back into plain dicts (`postprocess`). Those three get a small `Context`
(tokenizer, max length, head labels, the model folder's metadata), never the predictor, and the
options the family declares in `options` (anything else is an InputError naming the valid ones).
For training it builds the tokenised features the Trainer consumes (`train_features`); for
scoring it turns outputs into the metric module's inputs (`predictions`, `references`).
"""
from __future__ import annotations

import math
import numbers
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from ..errors import InputError

# Training batches pad to a multiple of this many tokens: fewer distinct shapes for the CPU kernels
# (oneDNN builds a kernel per shape) at a few padded tokens per row.
PAD_MULTIPLE = 8

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# A lone surrogate (an undecodable byte in argv or a file read with surrogateescape) cannot be encoded:
# the tokenizer and json.dumps fail on it. It becomes U+FFFD, so only that character is lost.
_SURROGATE = re.compile("[\ud800-\udfff]")


def clean_text(value, what: str = "text") -> str:
    """A non-empty string with control characters removed; InputError otherwise."""
    if not isinstance(value, str):
        raise InputError(f"{what} must be a string, got {type(value).__name__}")
    text = unicodedata.normalize("NFC", _SURROGATE.sub("\ufffd", _CONTROL.sub(" ", value)))
    if not text.strip():
        raise InputError(f"{what} is empty: type some text")
    return text


def check_length(n_tokens: int, limit: int, what: str = "text", can_truncate: bool = False) -> None:
    if n_tokens > limit:
        cut = ", or pass truncate=True to cut it" if can_truncate else ""
        raise InputError(
            f"{what} is {n_tokens} tokens long; this model takes at most {limit} "
            f"(about {int(limit * 0.75)} words). Shorten it{cut}.")


@dataclass(frozen=True)
class Option:
    """One option a family's predictor accepts: its type, default and allowed range (inclusive)."""
    type: type  # int | float | bool
    default: Any = None
    low: float | None = None
    high: float | None = None
    help: str = ""

    def check(self, name: str, value):
        if value is None and self.default is None:
            return None  # "not given": the family decides (e.g. QA's tuned threshold)
        ok_type = (isinstance(value, bool) if self.type is bool else
                   isinstance(value, numbers.Number) and not isinstance(value, bool)
                   and (self.type is float or float(value).is_integer()))
        if not ok_type:
            raise InputError(f"{name} must be {self.type.__name__}, got {value!r}")
        if not isinstance(value, bool) and not math.isfinite(value):  # nan passes every range test below
            raise InputError(f"{name} must be a finite number, got {value!r}")
        value = self.type(value)
        if (self.low is not None and value < self.low) or (self.high is not None and value > self.high):
            raise InputError(f"{name}={value} is out of range: {self.describe()}")
        return value

    def describe(self) -> str:
        bounds = "" if self.low is None and self.high is None else (
            f" in [{'-inf' if self.low is None else self.low}, {'inf' if self.high is None else self.high}]")
        return f"{self.type.__name__}{bounds}"


@dataclass(frozen=True)
class Context:
    """What a family's serving code reads besides its inputs; `forward` also gets the model."""
    task: Any  # bertkit.tasks.base.Task
    tokenizer: Any
    max_length: int  # tokens the model takes
    labels: tuple[str, ...] = ()  # the label names outputs are reported in (the task's)
    meta: dict = field(default_factory=dict)  # the model folder's bertkit.json (tuned thresholds, …)
    label_map: Any = None  # bertkit.labels.LabelMap: head outputs -> `labels` (None: no labels)


class Family:
    """Base class. Subclasses set `auto_class` (the transformers class that carries the head)."""

    auto_class = "AutoModel"
    head_modules: tuple[str, ...] = ()  # module names trained in full under LoRA
    reads_cls_only = False  # the head reads only the last layer's [CLS] position (bertkit/speed.py uses it)
    input_fields: tuple[str, ...] = ()  # what an input holds (a dict with these keys, or the one string)
    output_keys: tuple[str, ...] = ()  # the keys of every output dict
    options: dict[str, Option] = {}  # what the predictor accepts besides inputs (predictor(x, top_k=3))
    # one encoder pass per batch: on a CPU the predictor caps its padded tokens (bertkit/predictor.py);
    # False where a batch's cost is not its encoder pass (translation: the decoding steps)
    cpu_token_budget = True

    # ---- model ---------------------------------------------------------------------------------
    def model_kwargs(self, task) -> dict:
        """Config overrides for a NEW head (an untrained one); a trained head keeps its own config."""
        return {}

    # what a user training file's "label" column holds: "class" (label names or ids; --labels may declare
    # a new set), "score" (a number), or None (no such column: tags, answers, texts)
    user_labels: str | None = None
    labelled = False  # the head outputs named labels (classification, tagging), mapped by `label_map`
    tagging = False  # its labels are tags (IOB schemes convert)

    def build_model(self, task, path, allow_pickle=False):
        """Load `path` with this family's head; returns (model, head_missing: bool).

        A trained head keeps the checkpoint's own config (its labels are mapped by name afterwards,
        `label_map`); the head counts as missing when `from_pretrained` reports missing or mismatched
        head weights, or when the checkpoint's head is of another kind (a sequence classifier loaded for
        tagging); it is rebuilt fresh in the task's label config (serving warns, training trains it)."""
        from ..loading import load_pretrained

        return load_pretrained(self, task, path, allow_pickle)

    def init_head(self, model, train_rows) -> None:
        """Optional: set a new head's starting point from the training data."""

    # ---- serving -------------------------------------------------------------------------------
    def label_map(self, task, model, user_map=None, source: str = "the model"):
        """How the loaded head's outputs become the task's labels (`bertkit.labels`); None when the
        family has no named labels."""
        if not self.labelled:
            return None
        from ..labels import head_label_names, map_labels

        config = getattr(model, "config", None)
        head = head_label_names(config) if config is not None else tuple(task.labels)
        return map_labels(head, task.labels, tagging=self.tagging, user_map=user_map, source=source)

    def check_options(self, task, options: dict) -> dict:
        """The given options, type- and range-checked; InputError names the valid ones otherwise."""
        unknown = sorted(set(options) - set(self.options))
        if unknown:
            valid = ", ".join(f"{k} ({o.describe()})" for k, o in self.options.items()) or "none"
            raise InputError(f"{task.name} takes no option {', '.join(unknown)}; its options: {valid}")
        return {k: self.options[k].check(k, v) for k, v in options.items()}

    def check_input(self, task, item):
        raise NotImplementedError

    def preprocess(self, ctx: Context, items, **options) -> list[dict]:
        raise NotImplementedError

    def forward(self, ctx: Context, model, batch: dict, meta: list[dict], **options) -> list:
        raise NotImplementedError

    def postprocess(self, ctx: Context, items, features, outputs, **options) -> list[dict]:
        raise NotImplementedError

    # ---- training and scoring ------------------------------------------------------------------
    def to_inputs(self, task, dataset) -> list:
        """Predictor inputs for every row of a split (of `eval_examples`)."""
        raise NotImplementedError

    def train_features(self, task, tokenizer, dataset, max_length: int):
        raise NotImplementedError

    def train_meta(self, task, tokenizer, dataset) -> dict:
        """What the head learns from its training rows besides weights (saved in bertkit.json; serving
        reads it back as `ctx.meta`)."""
        return {}

    def collator(self, task, tokenizer):
        from transformers import DataCollatorWithPadding

        return DataCollatorWithPadding(tokenizer, pad_to_multiple_of=PAD_MULTIPLE)

    compute_loss = None  # optional (model, inputs) -> loss, replacing the model's own loss in training

    # One scoring path, as `evaluate`'s evaluators: split -> eval_examples -> predict -> predictions /
    # references in the metric module's own format -> the module (score) or per-example statistics.
    eval_batch_size: int | None = None  # the evaluation suite's batch size when none is given

    def eval_examples(self, task, tokenizer, dataset, seed: int = 0):
        """The rows the metric scores: the split itself (fill-mask: seeded masked blocks of it)."""
        return dataset

    def predictions(self, task, outputs, dataset) -> list:
        """The metric module's `predictions` for the predictor's outputs on `dataset`."""
        raise NotImplementedError

    def references(self, task, dataset) -> list:
        """The metric module's `references` for `dataset`."""
        raise NotImplementedError

    def example_ids(self, task, dataset) -> list:
        """What identifies each row in a predictions file: its id column, else its row number."""
        for column in ("id", "idx", "row"):
            if column in dataset.column_names:
                return list(dataset[column])
        return list(range(len(dataset)))

    def score(self, task, outputs, dataset) -> dict:
        """The task's metric module on the outputs: flat {name: number} (nested groups joined by _)."""
        result = load_metric(task).compute(predictions=self.predictions(task, outputs, dataset),
                                           references=self.references(task, dataset))
        return flat_numbers(result)

    def example_stats(self, task, outputs, dataset):
        """Per-example statistics that give `score`'s numbers back and let the suite bootstrap them."""
        from ..metrics.stats import example_stats

        return example_stats(task.metric, task.metric_config, self.predictions(task, outputs, dataset),
                             self.references(task, dataset), self.example_ids(task, dataset))

    def evaluate(self, predictor, dataset, batch_size=None, progress=False, seed: int = 0, **options) -> dict:
        """Predict every example of `dataset` and score it with the task's metric."""
        task = predictor.task
        examples = self.eval_examples(task, predictor.tokenizer, dataset, seed)
        outputs = predictor(self.to_inputs(task, examples), batch_size=batch_size, progress=progress, **options)
        return self.score(task, outputs, examples)

    def required_columns(self, task) -> tuple[str, ...]:
        """The canonical columns (docs/design.md) a training file must have."""
        raise NotImplementedError


def flat_numbers(result: dict, prefix: str = "") -> dict:
    """An evaluate module's output -> {"overall_f1": 0.9, "PER_f1": …}: numbers only, as floats."""
    flat = {}
    for key, value in result.items():
        if isinstance(value, dict):
            flat.update(flat_numbers(value, f"{prefix}{key}_"))
        elif isinstance(value, numbers.Number) and not isinstance(value, bool):
            flat[f"{prefix}{key}"] = float(value)
    return flat


def load_metric(task):
    """The task's local `evaluate` module (bertkit/metrics/<name>)."""
    from ..metrics import load_metric as _load

    return _load(task.metric, task.metric_config)
