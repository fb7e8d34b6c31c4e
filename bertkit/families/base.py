"""What every task family provides, and input checks they share.

A family turns user inputs into model features (`preprocess`), runs one padded batch
(`forward`, always called under `torch.inference_mode()` by the predictor), and turns the
per-feature outputs back into plain dicts (`postprocess`). For training it builds the tokenised
features the Trainer consumes (`train_features`) and scores predictions against a split (`score`).
"""
from __future__ import annotations

import re
import unicodedata

from ..errors import InputError

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(value, what: str = "text") -> str:
    """A non-empty string with control characters removed; InputError otherwise."""
    if not isinstance(value, str):
        raise InputError(f"{what} must be a string, got {type(value).__name__}")
    text = unicodedata.normalize("NFC", _CONTROL.sub(" ", value))
    if not text.strip():
        raise InputError(f"{what} is empty: type some text")
    return text


def check_length(n_tokens: int, limit: int, what: str = "text") -> None:
    if n_tokens > limit:
        raise InputError(
            f"{what} is {n_tokens} tokens long; this model takes at most {limit} "
            f"(about {int(limit * 0.75)} words). Shorten it, or pass truncate=True to cut it.")


class Family:
    """Base class. Subclasses set `auto_class` (the transformers class that carries the head)."""

    auto_class = "AutoModel"
    head_modules: tuple[str, ...] = ()  # module names trained in full under LoRA
    input_fields: tuple[str, ...] = ()  # what an input holds (a dict with these keys, or the one string)
    output_keys: tuple[str, ...] = ()  # the keys of every output dict
    lora_task_type: str | None = None

    # ---- model ---------------------------------------------------------------------------------
    def model_kwargs(self, task) -> dict:
        return {}

    def build_model(self, task, path, allow_pickle=False):
        """Load `path` with this family's head; returns (model, head_missing: bool)."""
        import transformers

        cls = getattr(transformers, self.auto_class)
        model, info = cls.from_pretrained(
            str(path), use_safetensors=None if allow_pickle else True, trust_remote_code=False,
            output_loading_info=True, **self.model_kwargs(task))
        missing = [k for k in info.get("missing_keys", []) if any(h in k for h in self.head_modules)]
        return model, bool(missing)

    def init_head(self, model, train_rows) -> None:
        """Optional: set a new head's starting point from the training data."""

    # ---- serving -------------------------------------------------------------------------------
    def check_input(self, task, item):
        raise NotImplementedError

    def preprocess(self, predictor, items, **options) -> list[dict]:
        raise NotImplementedError

    def forward(self, predictor, batch: dict, meta: list[dict], **options) -> list:
        raise NotImplementedError

    def postprocess(self, predictor, items, features, outputs, **options) -> list[dict]:
        raise NotImplementedError

    # ---- training and scoring ------------------------------------------------------------------
    def to_inputs(self, task, dataset) -> list:
        """Predictor inputs for every row of a split."""
        raise NotImplementedError

    def train_features(self, task, tokenizer, dataset, max_length: int):
        raise NotImplementedError

    def collator(self, task, tokenizer):
        from transformers import DataCollatorWithPadding

        return DataCollatorWithPadding(tokenizer)

    def score(self, task, outputs, dataset) -> dict:
        raise NotImplementedError

    compute_loss = None  # optional (model, inputs) -> loss, replacing the model's own loss in training

    def evaluate(self, predictor, dataset, batch_size=None, progress=False, **options) -> dict:
        """Predict every row of `dataset` and score it with the task's metric."""
        outputs = predictor(self.to_inputs(predictor.task, dataset), batch_size=batch_size, progress=progress, **options)
        return self.score(predictor.task, outputs, dataset)


def load_metric(task):
    """The task's local `evaluate` module (evaluation/metrics/<name>)."""
    from evaluation.metrics import load_metric as _load

    return _load(task.metric, task.metric_config)
