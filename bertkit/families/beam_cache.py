"""A decoder cache for beam search that copies less than transformers' default, with the same numbers.

transformers' `EncoderDecoderCache` reorders every layer's cached keys/values after each step of
beam search: the decoder self-attention's (needed) and the cross-attention's over the encoder output
(not needed: the beams of one source sentence attend to the same encoder output, and a reorder only
moves rows among the beams of the same sentence, so every cross-attention row already holds what the
reorder would copy there). `BeamCache` skips that copy. The self-attention cache defers its reorder
to the next append and does both in one `cat` (one copy of the cache per step instead of two).
Same tensors go into every attention, so the decoded tokens are the same.
"""
from __future__ import annotations

import torch
from transformers.cache_utils import Cache, DynamicLayer, EncoderDecoderCache


class ReorderOnAppend(DynamicLayer):
    """A growing self-attention cache layer whose beam reorder happens inside the next append."""

    pending = None  # beam rows to gather before the next append

    def reorder_cache(self, beam_idx: torch.LongTensor) -> None:
        if self.get_seq_length() == 0:
            return
        beam_idx = beam_idx.to(self.keys.device)
        self.pending = beam_idx if self.pending is None else self.pending[beam_idx]

    def update(self, key_states, value_states, *args, **kwargs):
        if not self.is_initialized:
            self.lazy_initialization(key_states, value_states)
        keys, values = self.keys, self.values
        if self.pending is not None:
            keys, values = keys.index_select(0, self.pending), values.index_select(0, self.pending)
            self.pending = None
        self.keys = torch.cat([keys, key_states], dim=-2)
        self.values = torch.cat([values, value_states], dim=-2)
        return self.keys, self.values


class BeamCache(EncoderDecoderCache):
    """Self-attention reordered (lazily), cross-attention never (see the module docstring)."""

    def __init__(self):
        super().__init__(Cache(layer_class_to_replicate=ReorderOnAppend), Cache(layer_class_to_replicate=DynamicLayer))

    def reorder_cache(self, beam_idx: torch.LongTensor):
        self.self_attention_cache.reorder_cache(beam_idx)
