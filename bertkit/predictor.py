"""The one batched forward path: every prediction in bertkit runs through `Predictor.__call__`.

inputs -> family.check_input -> family.preprocess (features) -> features sorted by length into
padded batches -> family.forward under `torch.inference_mode()` -> family.postprocess -> dicts.
"""
from __future__ import annotations

import threading

import torch

from .errors import InputError

DEFAULT_BATCH_SIZE = 64  # length-sorted, so large batches waste little padding
MODEL_INPUTS = ("input_ids", "attention_mask", "token_type_ids")


class Predictor:
    """Callable on one input or a list. See docs/design.md for each task's output keys."""

    def __init__(self, task, model, tokenizer, source=None, head_trained=True, batch_size=DEFAULT_BATCH_SIZE):
        self.task, self.model, self.tokenizer, self.source = task, model.eval(), tokenizer, source
        self.head_trained = head_trained
        self.batch_size = batch_size
        self.max_length = max_model_length(model, tokenizer)
        self.device = next(model.parameters()).device
        self._lock = threading.Lock()  # one forward at a time: torch already uses every core

    def __repr__(self):
        name = self.source.name if self.source else type(self.model).__name__
        return f"Predictor(task={self.task.name!r}, model={name!r})"

    def __call__(self, inputs, batch_size: int | None = None, progress: bool = False, **options):
        single = not isinstance(inputs, list)
        items = [inputs] if single else inputs
        if not items:
            return []
        checked = []
        for i, item in enumerate(items):
            try:
                checked.append(self.task.family.check_input(self.task, item))
            except InputError as e:
                raise InputError(str(e) if single else f"input {i}: {e}") from None
        features = self.task.family.preprocess(self, checked, **options)
        outputs = self.run(features, batch_size or self.batch_size, progress, **options)
        results = self.task.family.postprocess(self, checked, features, outputs, **options)
        return results[0] if single else results

    def run(self, features: list[dict], batch_size: int, progress: bool = False, **options) -> list:
        """Forward every feature in length-sorted batches; outputs come back in feature order."""
        order = sorted(range(len(features)), key=lambda i: len(features[i]["input_ids"]))
        outputs = [None] * len(features)
        starts = range(0, len(order), max(1, batch_size))
        if progress:
            from tqdm.auto import tqdm

            starts = tqdm(starts, desc=f"{self.task.name}", unit="batch")
        with self._lock, torch.inference_mode():
            for start in starts:
                rows = order[start:start + batch_size]
                batch = self.collate([features[i] for i in rows])
                for i, out in zip(rows, self.task.family.forward(self, batch, [features[i] for i in rows], **options)):
                    outputs[i] = out
        return outputs

    def collate(self, features: list[dict]) -> dict:
        keys = [k for k in MODEL_INPUTS if k in features[0]]
        width = max(len(f["input_ids"]) for f in features)
        pad_id = self.tokenizer.pad_token_id or 0
        batch = {}
        for key in keys:
            fill = pad_id if key == "input_ids" else 0
            rows = [f[key] + [fill] * (width - len(f[key])) for f in features]
            batch[key] = torch.tensor(rows, dtype=torch.long, device=self.device)
        return batch


def max_model_length(model, tokenizer) -> int:
    config = getattr(model, "config", None)
    encoder = getattr(config, "encoder", config)
    limit = getattr(encoder, "max_position_embeddings", 512) or 512
    tok_limit = getattr(tokenizer, "model_max_length", limit) or limit
    return int(min(limit, tok_limit if tok_limit < 100_000 else limit))
