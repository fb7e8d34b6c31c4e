"""Faster dropout for CPU training: Bernoulli masks drawn with a cheaper random generator.

On the CPU, torch's dropout draws its mask with `bernoulli_`, which profiling (`python -m bench
train`, torch.profiler) showed taking 9 % of a full fp32 step and 25 % of a LoRA bf16 step on MRPC:
more than any matmul once bf16 makes those fast. `fast_dropout` draws 16 random bits per element
instead (four per 64-bit draw of the global generator, 2.7x faster than `rand` per mask on the 2-core
VM) and drops an element when its bits fall under round(p * 65536): the drop rate is p to within
1/131072 (0.1 -> 0.100006), the kept units are scaled by 1 / (1 - that rate), so the expected value
is unchanged; a boolean mask is kept for the backward pass, and the global generator seeds it all
(runs stay reproducible).

`retained_memory()` keeps the memory a training step frees inside the process for the next step: glibc
otherwise hands every large freed block (the 47 MB embedding gradient, the FFN activations) back to the
system and the next step pays page faults to get it again; torch.profiler showed the embedding gradient's
zero-fill taking 70-90 ms of a 1 s full fp32 MRPC step on the 2-core VM, 2 ms with the memory kept.

`speed_up(model, cls_only=True)` (sentence classification, whose head reads only the [CLS] position of
the last layer) also computes the last layer for that position alone: its keys and values still come
from every token, but the query, attention output and feed-forward network run on one position instead
of all of them, about 1/7 of the encoder's matmul work for MiniLM-L6, with the same logits and gradients.

`speed_up(model)` swaps the model's `nn.Dropout` layers and, for BERT's attention probabilities, the
`sdpa` attention function, for one that does SDPA's own math (scores, softmax, dropout, values) with
this dropout when it trains on the CPU. Everything else (evaluation, serving, GPUs, dropout 0) keeps
the stock path, so only training on the CPU changes.
"""
from __future__ import annotations

import contextlib
import ctypes
import functools
import platform
import sys
import threading

import torch

_M_TRIM_THRESHOLD, _M_MMAP_MAX = -1, -4  # glibc's mallopt parameters (malloc.h)
_GLIBC_DEFAULTS = {_M_TRIM_THRESHOLD: 128 * 1024, _M_MMAP_MAX: 65536}
_retained = 0  # how many trainings (threads of one process, e.g. the app) are inside retained_memory
_lock = threading.Lock()


def _libc():
    if not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc":
        return None
    try:
        return ctypes.CDLL("libc.so.6")
    except OSError:
        return None


@contextlib.contextmanager
def retained_memory():
    """While inside, glibc's malloc neither maps large blocks separately nor trims the heap, so memory
    freed by one training step is reused, already faulted in, by the next; on leaving, the defaults come
    back and the freed memory goes back to the system. A no-op where the C library is not glibc."""
    global _retained
    libc = _libc()
    if libc is None:
        yield False
        return
    with _lock:
        if _retained == 0:
            libc.mallopt(_M_MMAP_MAX, 0)
            libc.mallopt(_M_TRIM_THRESHOLD, 2**31 - 1)
        _retained += 1
    try:
        yield True
    finally:
        with _lock:
            _retained -= 1
            if _retained == 0:
                for option, value in _GLIBC_DEFAULTS.items():
                    libc.mallopt(option, value)
                libc.malloc_trim(0)


def keep_mask(shape, p: float) -> tuple[torch.Tensor, float]:
    """A boolean mask that keeps each element with probability 1 - p' (p' = round(p * 65536) / 65536,
    returned with it): 16 random bits per element, four from each 64-bit draw."""
    n = 1
    for size in shape:
        n *= size
    bits = torch.randint(-2**63, 2**63 - 1, ((n + 3) // 4,), dtype=torch.int64).view(torch.int16)[:n]
    cut = round(p * 65536)
    return (bits >= cut - 32768).view(shape), cut / 65536


class _Dropout(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, p: float):
        keep, rate = keep_mask(x.shape, p)
        ctx.save_for_backward(keep)
        ctx.scale = 1.0 / (1.0 - rate)
        return torch.where(keep, x * ctx.scale, 0)

    @staticmethod
    def backward(ctx, grad):
        (keep,) = ctx.saved_tensors
        return torch.where(keep, grad * ctx.scale, 0), None


def fast_dropout(x: torch.Tensor, p: float, training: bool = True) -> torch.Tensor:
    if not training or p == 0.0 or x.device.type != "cpu":
        return torch.nn.functional.dropout(x, p, training)
    if p >= 1.0:
        return x * 0.0
    return _Dropout.apply(x, p)


class FastDropout(torch.nn.Dropout):
    """`nn.Dropout` with `fast_dropout` on the CPU (a subclass, so the model's structure and its
    state dict are unchanged)."""

    def forward(self, x):
        return fast_dropout(x, self.p, self.training)


def _attention(module, query, key, value, attention_mask, dropout: float = 0.0, scaling=None,
               is_causal=None, **kwargs):
    """transformers' `sdpa` attention; with dropout on the CPU, SDPA's math path with `fast_dropout`."""
    simple = (getattr(module, "bertkit_fast_dropout", False) and query.device.type == "cpu" and dropout > 0.0
              and kwargs.get("position_bias") is None
              and not getattr(module, "num_key_value_groups", 1) > 1
              and not (attention_mask is None and (is_causal if is_causal is not None
                                                    else getattr(module, "is_causal", False))))
    if not simple:
        return _STOCK(module, query, key, value, attention_mask, dropout=dropout, scaling=scaling,
                      is_causal=is_causal, **kwargs)
    scale = scaling if scaling is not None else query.shape[-1] ** -0.5
    with torch.autocast(query.device.type, enabled=False):  # in the inputs' dtype, as SDPA's math path
        scores = torch.matmul(query, key.transpose(-1, -2).to(query.dtype)) * scale
        if attention_mask is not None:
            if attention_mask.dtype == torch.bool:
                scores = scores.masked_fill(~attention_mask, torch.finfo(scores.dtype).min)
            else:
                scores = scores + attention_mask.to(scores.dtype)
        probs = fast_dropout(torch.softmax(scores, dim=-1), dropout)
        output = torch.matmul(probs, value.to(probs.dtype))
    return output.transpose(1, 2).contiguous(), None


_STOCK = None


@functools.cache
def _cls_layer_class():
    from transformers.models.bert.modeling_bert import BertLayer, eager_attention_forward

    class ClsOnlyBertLayer(BertLayer):
        """A BERT encoder layer whose output is its [CLS] position only (shape batch x 1 x hidden)."""

        def forward(self, hidden_states, attention_mask=None, *args, **kwargs):
            sa = self.attention.self
            batch, length, _ = hidden_states.shape
            cls = hidden_states[:, :1]
            query = sa.query(cls).view(batch, 1, -1, sa.attention_head_size).transpose(1, 2)
            key = sa.key(hidden_states).view(batch, length, -1, sa.attention_head_size).transpose(1, 2)
            value = sa.value(hidden_states).view(batch, length, -1, sa.attention_head_size).transpose(1, 2)
            if attention_mask is not None and attention_mask.dim() == 4 and attention_mask.shape[-2] > 1:
                attention_mask = attention_mask[..., :1, :]
            from transformers.modeling_utils import ALL_ATTENTION_FUNCTIONS

            attend = ALL_ATTENTION_FUNCTIONS.get_interface(sa.config._attn_implementation, eager_attention_forward)
            out, _ = attend(sa, query, key, value, attention_mask, dropout=sa.dropout.p if sa.training else 0.0,
                            scaling=sa.scaling)
            attention_output = self.attention.output(out.reshape(batch, 1, -1), cls)
            return self.feed_forward_chunk(attention_output)

    return BertLayer, ClsOnlyBertLayer


def _cls_only(model) -> bool:
    """Make the last layer of `model`'s BERT encoder a `ClsOnlyBertLayer`, where that is safe."""
    from transformers.models.bert.modeling_bert import BertModel

    stock, cls_only = _cls_layer_class()
    bert = next((m for m in model.modules() if isinstance(m, BertModel)), None)  # also inside a peft wrapper
    layers = getattr(getattr(bert, "encoder", None), "layer", None)
    if bert is model or not layers or getattr(bert, "pooler", None) is None or bert.config.is_decoder:
        return False  # a bare encoder's token outputs are its result; without a pooler nothing reads [CLS] alone
    if type(layers[-1]) is not stock or bert.config._attn_implementation not in ("sdpa", "eager"):
        return False
    layers[-1].__class__ = cls_only
    return True


def speed_up(model, cls_only: bool = False) -> int:
    """Use `fast_dropout` in `model`'s dropout layers and attention, and with `cls_only` (a head that
    reads only the pooled [CLS] position) compute the last layer for that position alone; returns how
    many dropout layers changed."""
    global _STOCK
    from transformers.modeling_utils import ALL_ATTENTION_FUNCTIONS

    if _STOCK is None:
        _STOCK = ALL_ATTENTION_FUNCTIONS["sdpa"]
        ALL_ATTENTION_FUNCTIONS["sdpa"] = _attention  # the stock function for every model speed_up left alone
    count = 0
    for module in model.modules():
        if hasattr(module, "attention_head_size"):  # BERT's (self- and cross-) attention layers
            module.bertkit_fast_dropout = True
        if type(module) is torch.nn.Dropout:
            module.__class__ = FastDropout
            count += 1
    if cls_only:
        _cls_only(model)
    return count
