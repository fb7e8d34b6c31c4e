"""The one batched forward path: every prediction in bertkit runs through `Predictor.__call__`.

inputs -> family.check_input -> family.preprocess (features) -> features sorted by length into
padded batches -> family.forward under `torch.inference_mode()` (and autocast when the predictor
runs in bf16/fp16) -> family.postprocess -> dicts. The model is a torch module or an ONNX Runtime
session wrapped to look like one (`bertkit.onnx_backend.OnnxModel`): families call both the same way.
"""
from __future__ import annotations

import contextlib
import threading

import numpy as np
import torch

from .errors import InputError
from .families.base import Context
from .precision import autocast

DEFAULT_BATCH_SIZE = 64  # length-sorted, so large batches waste little padding
# On a CPU a batch also holds at most this many FFN activations (padded tokens x intermediate size):
# 2,048 tokens of MiniLM's 1,536, 12 MB, stay in the last-level cache. SQuAD windows (175 tokens) ran
# 18-21 % faster than in batches of 64 (11,000 tokens), short inputs are unchanged (docs/benchmarks.md).
CPU_ACTIVATIONS = 2048 * 1536
MODEL_INPUTS = ("input_ids", "attention_mask", "token_type_ids")


class Predictor:
    """Callable on one input or a list. See docs/design.md for each task's output keys.

    `precision` is what the forward runs in ('fp32' | 'bf16' | 'fp16'; an ONNX model: 'fp32' | 'int8');
    outputs are always fp32 numbers.
    """

    def __init__(self, task, model, tokenizer, source=None, head_trained=True, batch_size=DEFAULT_BATCH_SIZE,
                 precision: str = "fp32", user_map=None):
        self.task, self.model, self.tokenizer, self.source = task, model.eval(), tokenizer, source
        self.head_trained = head_trained
        self.batch_size = batch_size
        self.precision = precision
        self.backend = getattr(model, "backend", "torch")
        self.max_length = max_model_length(model, tokenizer)
        self.device = model_device(model)
        name = repr(source.name) if source is not None else "the model"
        # The head's own labels mapped to the task's by name (bertkit/labels.py); None: no labels.
        self.label_map = task.family.label_map(task, model, user_map, source=name)
        self.context = Context(task, tokenizer, self.max_length, tuple(task.labels),
                               source.meta if getattr(source, "meta", None) is not None else {}, self.label_map)
        self._lock = threading.Lock()  # one forward at a time: torch already uses every core
        self.shard = None  # a bertkit.distributed.Shard: forward only this rank's batches, then gather

    @property
    def batch_size(self) -> int:
        return self._batch_size

    @batch_size.setter
    def batch_size(self, value) -> None:  # checked however it is set (bertkit.load(batch_size=) sets it)
        self._batch_size = check_batch_size(value)

    def __repr__(self):
        name = self.source.name if self.source else type(self.model).__name__
        backend = "" if self.backend == "torch" else f", backend={self.backend!r}"
        return f"Predictor(task={self.task.name!r}, model={name!r}, precision={self.precision!r}{backend})"

    def __call__(self, inputs, batch_size: int | None = None, progress: bool = False, **options):
        single = not isinstance(inputs, list)
        items = [inputs] if single else inputs
        if not items:
            return []
        batch_size = check_batch_size(batch_size) if batch_size is not None else None
        options = self.task.family.check_options(self.task, options)
        checked = []
        for i, item in enumerate(items):
            try:
                checked.append(self.task.family.check_input(self.task, item))
            except InputError as e:
                raise InputError(str(e) if single else f"input {i}: {e}") from None
        features = self.task.family.preprocess(self.context, checked, **options)
        outputs = self.run(features, batch_size or self.batch_size, progress, **options)
        results = self.task.family.postprocess(self.context, checked, features, outputs, **options)
        return results[0] if single else results

    def run(self, features: list[dict], batch_size: int, progress: bool = False, **options) -> list:
        """Forward every feature in length-sorted batches; outputs come back in feature order.

        With a shard (data-parallel runs) this rank forwards every world-th batch of the same batches
        a one-process run forms, and every rank gets all outputs back."""
        batches = self.batches([len(f["input_ids"]) for f in features], max(1, batch_size))
        if self.shard is not None:
            batches = self.shard.mine(batches)
            progress = progress and self.shard.is_main
        done = {}
        if progress:
            from tqdm.auto import tqdm

            batches = tqdm(batches, desc=f"{self.task.name}", unit="batch")
        with self._lock, torch.inference_mode(), self.autocast():
            for rows in batches:
                meta = [features[i] for i in rows]
                done.update(zip(rows, self.task.family.forward(self.context, self.model, self.collate(meta), meta,
                                                               **options)))
        if self.shard is not None:
            done = self.shard.gather(done)
        return [done[i] for i in range(len(features))]

    def batches(self, lengths: list[int], batch_size: int) -> list[list[int]]:
        """Feature indices in length-sorted batches of at most `batch_size`, and on a CPU (for families
        whose cost is one encoder pass) at most `token_budget()` padded tokens (one feature at least)."""
        order = sorted(range(len(lengths)), key=lengths.__getitem__)
        budget = self.token_budget()
        batches, rows = [], []
        for i in order:  # ascending: the new feature is the batch's longest
            if rows and (len(rows) == batch_size or (len(rows) + 1) * lengths[i] > budget):
                batches.append(rows)
                rows = []
            rows.append(i)
        return batches + [rows] if rows else batches

    def token_budget(self) -> float:
        """Padded tokens per batch on a CPU: CPU_ACTIVATIONS over the model's FFN width; no cap elsewhere."""
        if self.device.type != "cpu" or not self.task.family.cpu_token_budget:
            return float("inf")
        config = getattr(self.model, "config", None)
        config = getattr(config, "encoder", config)
        width = (getattr(config, "intermediate_size", None) or getattr(config, "hidden_dim", None)  # DistilBERT
                 or 4 * (getattr(config, "hidden_size", None) or 384))  # BERT's FFN is 4x the hidden size
        return max(64, CPU_ACTIVATIONS // int(width))

    def autocast(self):
        """torch autocast for a torch model in bf16/fp16; nothing for fp32 or ONNX Runtime."""
        if self.backend != "torch" or self.precision not in ("bf16", "fp16"):
            return contextlib.nullcontext()
        return autocast(self.device.type, self.precision)

    def collate(self, features: list[dict]) -> dict:
        """One padded int64 tensor per model input, built in one numpy pass (no per-row tensors)."""
        lengths = np.fromiter((len(f["input_ids"]) for f in features), dtype=np.int64, count=len(features))
        filled = np.arange(int(lengths.max())) < lengths[:, None]  # (B, T): True where a token is
        pad_id = self.tokenizer.pad_token_id or 0
        batch = {}
        for key in MODEL_INPUTS:
            if key not in features[0]:
                continue
            values = np.full(filled.shape, pad_id if key == "input_ids" else 0, dtype=np.int64)
            values[filled] = np.fromiter((v for f in features for v in f[key]), dtype=np.int64,
                                         count=int(lengths.sum()))
            batch[key] = torch.from_numpy(values).to(self.device)
        return batch


def check_batch_size(value) -> int:
    """A whole number >= 1 (numpy ints too); InputError naming the value otherwise."""
    import numbers

    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise InputError(f"batch_size must be a whole number >= 1, got {value!r}")
    return int(value)


def model_device(model) -> torch.device:
    device = getattr(model, "device", None)
    if isinstance(device, torch.device):
        return device
    return next(model.parameters()).device


def max_model_length(model, tokenizer) -> int:
    config = getattr(model, "config", None)
    encoder = getattr(config, "encoder", config)
    limit = getattr(encoder, "max_position_embeddings", 512) or 512
    tok_limit = getattr(tokenizer, "model_max_length", limit) or limit
    return int(min(limit, tok_limit if tok_limit < 100_000 else limit))
