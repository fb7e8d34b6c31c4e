"""`bertkit.load(task, model)`: a ready predictor for one task.

Models load once per process and are shared (the demo serves many sessions from one copy).
"""
from __future__ import annotations

import logging
import threading
import warnings

from . import _env  # noqa: F401
from .errors import ModelError
from .models import DEFAULT, base_model_path, check_weights, load_tokenizer, resolve
from .predictor import Predictor
from .tasks.base import get_task

log = logging.getLogger("bertkit")
_CACHE: dict[tuple, Predictor] = {}
_LOCK = threading.Lock()


def load(task: str, model: str = DEFAULT, allow_pickle: bool = False, cache: bool = True,
         batch_size: int | None = None) -> Predictor:
    """A predictor for `task` on `model` (`default`, a local folder, or a hub id)."""
    task = get_task(task)
    key = (task.name, str(model), allow_pickle)
    with _LOCK:
        if cache and key in _CACHE:
            return _CACHE[key]
        predictor = _build(task, model, allow_pickle)
        if batch_size:
            predictor.batch_size = batch_size
        if cache:
            _CACHE[key] = predictor
        return predictor


def _build(task, model, allow_pickle):
    import transformers

    transformers.utils.logging.set_verbosity_error()  # we report a missing head ourselves
    source = resolve(model, task.name)
    if source.meta.get("task") not in (None, task.name):
        raise ModelError(f"{source.path} was trained for {source.meta['task']!r}, not {task.name!r}")
    if source.meta.get("labels") and tuple(source.meta["labels"]) != task.labels:
        import dataclasses

        task = dataclasses.replace(task, labels=tuple(source.meta["labels"]))  # trained on the user's labels
    if source.is_adapter:
        from safetensors.torch import load_file

        from .lora import apply_adapter

        base = base_model_path(source)
        net, _ = task.family.build_model(task, base, allow_pickle)
        adapter = source.path / "adapter.safetensors"
        if not adapter.exists():
            raise ModelError(f"{source.path} says it is a LoRA adapter but has no adapter.safetensors")
        share_base_weights(net, str(base))
        net = apply_adapter(net, source.meta["lora"], load_file(str(adapter)), merge=False)
        head_missing = False
        tokenizer_path = source.path if (source.path / "tokenizer.json").exists() else base
    else:
        check_weights(source.path, allow_pickle)
        try:
            net, head_missing = task.family.build_model(task, source.path, allow_pickle)
        except (OSError, ValueError) as e:
            raise ModelError(f"cannot load {source.name!r} for {task.name}: {e}") from e
        tokenizer_path = source.path
    if head_missing:
        warnings.warn(f"{source.name!r} has no trained {task.name} head: its predictions are from a randomly "
                      f"initialised head. Fine-tune it first: python -m bertkit train {task.name} --model {source.name}",
                      stacklevel=3)
    release_freed_memory()  # the transient full copy of a shared base goes back to the OS
    return Predictor(task, net, load_tokenizer(tokenizer_path), source, head_trained=not head_missing)


def release_freed_memory() -> None:
    import ctypes
    import gc

    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to trim
        pass


def clear_cache() -> None:
    _CACHE.clear()
    _SHARED.clear()


# Frozen encoder weights shared by every adapter on the same base: per-task memory is LoRA + head.
_SHARED: dict[str, dict] = {}
_PREFIXES = ("bert.", "encoder.", "decoder.bert.")


def share_base_weights(model, base_key: str) -> None:
    """Point the base weights of `model` at one shared copy per base model (before LoRA is added)."""
    import torch

    shared = _SHARED.setdefault(base_key, {})
    for module_name, module in model.named_modules():
        for param_name, param in list(module.named_parameters(recurse=False)):
            full = f"{module_name}.{param_name}" if module_name else param_name
            prefix = next((p for p in _PREFIXES if full.startswith(p)), None)
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
