"""`bertkit.load(task, model, precision=)`: a ready predictor for one task.

Models load once per process and are shared (the demo serves many sessions from one copy). A
shipped head's LoRA adapter is merged into its encoder's linear weights once at load time (one
matmul per layer instead of three, no LoRA modules on the hot path); embeddings and layer norms
stay shared by every head on the same base. In bf16/fp16 the merged linear weights are stored in
that precision (half the memory, no casts per call) and the forward runs under autocast.
"""
from __future__ import annotations

import copy
import logging
import threading
import warnings

import torch

from . import _env  # noqa: F401
from .errors import ModelError
from .models import DEFAULT, base_model_path, check_weights, load_tokenizer, resolve
from .precision import check_precision, resolve_precision, torch_dtype
from .predictor import Predictor, check_batch_size
from .tasks.base import get_task

log = logging.getLogger("bertkit")
_CACHE: dict[tuple, Predictor] = {}
_LOCK = threading.Lock()


def load(task: str, model: str = DEFAULT, allow_pickle: bool = False, cache: bool = True,
         batch_size: int | None = None, precision: str | None = None, label_map=None) -> Predictor:
    """A predictor for `task` on `model` (`default`, `catalog`, a local folder, a hub id, or a folder
    written by `bertkit export`). `precision`: 'auto' | 'fp32' | 'bf16' | 'fp16' (None: $BERTKIT_PRECISION,
    else 'auto'); the predictor's `.precision` says what was chosen. `label_map`: what the head's own
    labels mean when their names do not say it ({"LABEL_0": "negative", ...} or "LABEL_0=negative,...";
    see bertkit/labels.py); `.label_map` says how the labels were mapped."""
    from .labels import parse_label_map

    task = get_task(task)
    requested = check_precision(precision)
    user_map = parse_label_map(label_map)
    key = (task.name, str(model), allow_pickle, requested, tuple(sorted(user_map.items())))
    if batch_size is not None:
        batch_size = check_batch_size(batch_size)
    with _LOCK:
        predictor = _CACHE.get(key) if cache else None
        if predictor is None:
            predictor = _build(task, model, allow_pickle, requested, user_map)
            if cache:
                _CACHE[key] = predictor
    if batch_size is not None and batch_size != predictor.batch_size:
        predictor = copy.copy(predictor)  # the same model and lock; its own batch size (the cached one stays)
        predictor.batch_size = batch_size
    return predictor


def choose_precision(requested: str, meta: dict | None = None, device: str = "cpu") -> str:
    """The precision a predictor runs in: `requested` resolved on `device`; under 'auto', bf16 only for a
    model whose bertkit.json says it was measured safe in it (`"bf16_ok": true`, written for each shipped
    head by scripts/bf16_verdicts.py); any other model (a hub checkpoint, a head without a verdict)
    runs fp32 under 'auto'."""
    chosen = resolve_precision(requested, device, use="serve")
    if requested == "auto" and chosen != "fp32" and (meta or {}).get("bf16_ok") is not True:
        return "fp32"
    return chosen


def _build(task, model, allow_pickle, requested="auto", user_map=None):
    import transformers

    transformers.utils.logging.set_verbosity_error()  # we report a missing head ourselves
    source = resolve(model, task.name)
    if not source.serves(task):
        raise ModelError(f"{source.path} was trained for {source.meta['task']!r}, not {task.name!r}")
    if source.meta.get("labels") and tuple(source.meta["labels"]) != task.labels:
        import dataclasses

        task = dataclasses.replace(task, labels=tuple(source.meta["labels"]))  # trained on the user's labels
    if source.meta.get("format") == "onnx":
        from .onnx_backend import load_onnx_predictor

        return load_onnx_predictor(task, source, requested, user_map)
    precision = choose_precision(requested, source.meta)
    if source.is_adapter:
        from safetensors.torch import load_file

        from .lora import apply_adapter

        base = base_model_path(source)
        net, _ = task.family.build_model(task, base, allow_pickle)
        adapter = source.path / "adapter.safetensors"
        if not adapter.exists():
            raise ModelError(f"{source.path} says it is a LoRA adapter but has no adapter.safetensors")
        share_base_weights(net, str(base))
        try:
            net = apply_adapter(net, source.meta["lora"], load_file(str(adapter)), merge=False)
        except Exception as e:  # a corrupt file, or a head of another size than bertkit.json's labels
            raise ModelError(f"cannot load the adapter in {source.path}: {type(e).__name__}: {str(e)[:300]}. "
                             "Its files do not fit together: re-train it or restore the folder.") from None
        merge_lora(net)  # new per-head linear weights; the shared base stays untouched
        head_missing = False
        tokenizer_path = source.path if (source.path / "tokenizer.json").exists() else base
    else:
        check_weights(source.path, allow_pickle)
        net, head_missing = task.family.build_model(task, source.path, allow_pickle)  # ModelError on failure
        tokenizer_path = source.path
    if head_missing:
        warnings.warn(f"{source.name!r} has no trained {task.name} head: its predictions are from a randomly "
                      f"initialised head. Fine-tune it first: python -m bertkit train {task.name} --model {source.name}",
                      stacklevel=3)
    if precision != "fp32":
        store_linear_weights(net, torch_dtype(precision))
    release_freed_memory()  # the transient full copy of a shared base goes back to the OS
    return Predictor(task, net.eval(), load_tokenizer(tokenizer_path), source, head_trained=not head_missing,
                     precision=precision, user_map=user_map)


def merge_lora(model) -> None:
    """Replace every LoRA layer by its base linear layer holding W + B·A·scale as a new tensor.

    peft's own `merge()` adds in place, which would change the base weights every head shares."""
    from peft.tuners.lora import LoraLayer

    for name, module in list(model.named_modules()):
        if not isinstance(module, LoraLayer):
            continue
        base = module.get_base_layer()
        with torch.no_grad():
            merged = base.weight + sum(module.get_delta_weight(a) for a in module.active_adapters)
        base.weight = torch.nn.Parameter(merged, requires_grad=False)
        parent, _, child = name.rpartition(".")
        setattr(model.get_submodule(parent), child, base)


class LowPrecisionLinear(torch.nn.Linear):
    """A linear layer whose weights are stored in bf16/fp16: it casts its input to them, and outside
    autocast (e.g. the demo's gradient saliency) gives the input's dtype back."""

    def forward(self, x):
        out = torch.nn.functional.linear(x.to(self.weight.dtype), self.weight, self.bias)
        return out if torch.is_autocast_enabled(x.device.type) else out.to(x.dtype)


def store_linear_weights(model, dtype) -> None:
    """Cast every linear layer's weights to `dtype` (not those tied to an embedding matrix). New
    tensors, never in place: a weight may be shared with other loaded heads."""
    tied = {id(m.weight) for m in model.modules() if isinstance(m, torch.nn.Embedding)}
    for module in model.modules():
        if type(module) is torch.nn.Linear and id(module.weight) not in tied:
            for name in ("weight", "bias"):
                if getattr(module, name) is not None:
                    value = getattr(module, name).detach().to(dtype)
                    setattr(module, name, torch.nn.Parameter(value, requires_grad=False))
            module.__class__ = LowPrecisionLinear  # same module, casting forward


def release_freed_memory() -> None:
    import ctypes
    import gc

    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to trim
        pass


# Frozen encoder weights shared by every adapter on the same base: per-task memory is LoRA + head.
_SHARED: dict[str, dict] = {}


def share_base_weights(model, base_key: str) -> None:
    """Point the base weights of `model` at one shared copy per base model (before LoRA is added)."""
    shared = _SHARED.setdefault(base_key, {})
    prefixes = [model.base_model_prefix + "."]  # the encoder of any architecture ("bert.", "roberta.", …)
    decoder = getattr(model, "decoder", None)
    if decoder is not None and hasattr(model, "encoder"):  # bert2bert: both halves start from the same base
        prefixes += ["encoder.", f"decoder.{decoder.base_model_prefix}."]
    for module_name, module in model.named_modules():
        for param_name, param in list(module.named_parameters(recurse=False)):
            full = f"{module_name}.{param_name}" if module_name else param_name
            prefix = next((p for p in prefixes if full.startswith(p)), None)
            if prefix is None or "crossattention" in full or "pooler" in full:
                continue
            key = full[len(prefix):]
            if key not in shared:
                shared[key] = param
            elif shared[key].shape == param.shape and torch.equal(shared[key].data, param.data):
                setattr(module, param_name, shared[key])
    if hasattr(model, "tie_weights"):
        model.tie_weights()
    # Weights load as views of one memory-mapped file: copy what is not shared out of it, so the
    # mapping of this (second, third, …) load is released instead of staying resident.
    kept = {id(p) for p in shared.values()}
    with torch.no_grad():
        for param in model.parameters():
            if id(param) not in kept:
                param.data = param.data.clone()
        for module in model.modules():
            for name, buffer in list(module.named_buffers(recurse=False)):
                if buffer is not None:
                    setattr(module, name, buffer.clone())
