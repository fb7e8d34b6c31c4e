"""Faster dropout for CPU training: the same Bernoulli masks, drawn with a cheaper random generator.

On the CPU, torch's dropout draws its mask with `bernoulli_`, which profiling (`python -m bench
train`, torch.profiler) showed taking 9 % of a full fp32 step and 25 % of a LoRA bf16 step on MRPC:
more than any matmul once bf16 makes those fast. `fast_dropout` draws `rand < p` instead (uniform
floats come several times faster than Bernoulli draws there), keeps a boolean mask for the backward
pass and scales by 1 / (1 - p): the same distribution and the same expected value as
`torch.nn.functional.dropout`, seeded by the same global generator (so runs stay reproducible).

`speed_up(model)` swaps the model's `nn.Dropout` layers and, for BERT's attention probabilities, the
`sdpa` attention function, for one that does SDPA's own math (scores, softmax, dropout, values) with
this dropout when it trains on the CPU. Everything else (evaluation, serving, GPUs, dropout 0) keeps
the stock path, so only training on the CPU changes.
"""
from __future__ import annotations

import torch


class _Dropout(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, p: float):
        keep = torch.rand(x.shape, device=x.device) >= p
        ctx.save_for_backward(keep)
        ctx.scale = 1.0 / (1.0 - p)
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


def speed_up(model) -> int:
    """Use `fast_dropout` in `model`'s dropout layers and attention; returns how many layers changed."""
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
    return count
