"""Models shared by every session: predictors (`bertkit.load` caches one per task and model), and
the tokenizer and eager-attention encoder that the Tokenizer, Attention and Explain tabs look inside."""
from __future__ import annotations

import threading
from pathlib import Path

from .errors import UserError
from .policy import model_name

_ENCODERS: dict[str, tuple] = {}
_TOKENIZERS: dict[str, object] = {}
_ENCODER_LOCK = threading.Lock()


def get_predictor(task: str, model, precision: str | None = None):
    """The shared predictor for (task, model), or a web-worded `gr.Error`. `precision`: None is
    bertkit's choice ($BERTKIT_PRECISION, else auto)."""
    import bertkit

    try:
        if precision is None:
            return bertkit.load(task, model_name(model))
        return bertkit.load(task, model_name(model), precision=precision)
    except bertkit.BertkitError as e:
        raise UserError(str(e)) from None


def encoder_path(model) -> Path:
    """The encoder folder behind a model value: the embedded one for `default`, an adapter's base."""
    from bertkit.errors import BertkitError
    from bertkit.models import base_model_path, resolve

    try:
        source = resolve(model_name(model))
        return base_model_path(source) if source.is_adapter else source.path
    except BertkitError as e:
        raise UserError(str(e)) from None


def load_tokenizer(model):
    """The tokenizer behind a model value (shared across sessions)."""
    path = encoder_path(model)
    key = str(path)
    with _ENCODER_LOCK:
        if key not in _TOKENIZERS:
            from bertkit.errors import BertkitError
            from bertkit.models import load_tokenizer as load

            try:
                _TOKENIZERS[key] = load(path)
            except BertkitError as e:
                raise UserError(str(e)) from None
        return _TOKENIZERS[key]


def load_encoder(model):
    """(tokenizer, encoder) for looking inside BERT: eager attention so the weights come back."""
    path = encoder_path(model)
    key = str(path)
    with _ENCODER_LOCK:
        if key not in _ENCODERS:
            from transformers import AutoModel

            from bertkit.models import load_tokenizer as load

            try:
                tokenizer = load(path)
                encoder = AutoModel.from_pretrained(str(path), output_attentions=True, attn_implementation="eager",
                                                    use_safetensors=True)
            except Exception as e:  # unreadable folder, not a BERT-like model
                raise UserError(f"cannot load an encoder from {path}: {e}") from None
            _ENCODERS[key] = (tokenizer, encoder.eval())
        return _ENCODERS[key]
