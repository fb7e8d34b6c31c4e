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
    if source.is_adapter:
        from safetensors.torch import load_file

        from .lora import apply_adapter

        base = base_model_path(source)
        net, _ = task.family.build_model(task, base, allow_pickle)
        adapter = source.path / "adapter.safetensors"
        if not adapter.exists():
            raise ModelError(f"{source.path} says it is a LoRA adapter but has no adapter.safetensors")
        net = apply_adapter(net, source.meta["lora"], load_file(str(adapter)))
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
    return Predictor(task, net, load_tokenizer(tokenizer_path), source, head_trained=not head_missing)


def clear_cache() -> None:
    _CACHE.clear()
