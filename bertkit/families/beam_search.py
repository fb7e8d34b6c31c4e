"""bertkit's own decoding loop for bert2bert: the tokens transformers' `generate()` picks, with less work.

The beam step is transformers' `_beam_search` step (v5) op for op: log_softmax, add the running scores,
top 2k over beams x vocab, the k best unfinished continue, the finished ones merge into each sentence's
k best hypotheses (score / generated length ** length_penalty), and the same stopping heuristic
(`early_stopping` False / True / "never"). The same topk calls on the same numbers give the same ties.
What it does not do that `generate()` does:
- keep sentences that are done in the batch: `generate()` runs every row until the slowest sentence
  stops; here a sentence leaves the batch (its rows leave the decoder cache) as soon as its hypotheses
  can no longer change, so late steps run on the few long sentences only;
- run the first step on k identical rows per sentence: it runs one row per sentence (the start token)
  and copies its cache and log-probs to the k beams;
- rebuild inputs, masks and the logits processors' chain every step (there are none to apply with
  the generation config `configure()` in translation.py sets; `check_plain()` refuses any other).
The encoder runs once, the cross-attention keys/values are computed once per layer (BeamCache).
"""
from __future__ import annotations

import torch

from .beam_cache import BeamCache
from .vocab import projection


def check_plain(config) -> None:
    """Options whose logits processors this loop does not implement: refuse rather than decode differently."""
    unsupported = {"do_sample": False, "num_return_sequences": 1, "repetition_penalty": 1.0, "no_repeat_ngram_size": 0,
                   "min_length": 0, "min_new_tokens": None, "bad_words_ids": None, "forced_bos_token_id": None,
                   "forced_eos_token_id": None, "temperature": 1.0, "top_k": 50, "top_p": 1.0,
                   "diversity_penalty": 0.0, "encoder_no_repeat_ngram_size": 0, "suppress_tokens": None,
                   "begin_suppress_tokens": None}
    for name, plain in unsupported.items():
        value = getattr(config, name, plain)
        if value is not None and value != plain and not (name == "min_length" and value in (0, None)):
            raise ValueError(f"bertkit's decoding loop does not implement generation_config.{name}={value!r}; "
                             "use model.generate()")


class Decoder:
    """One decoder step at a time over a shrinking set of rows (k per live sentence)."""

    def __init__(self, model, input_ids, attention_mask):
        self.model, self.cache = model, BeamCache()
        encoder_states = model.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        if getattr(model, "enc_to_dec_proj", None) is not None:
            encoder_states = model.enc_to_dec_proj(encoder_states)
        self.states, self.mask = encoder_states, attention_mask

    def step(self, tokens: torch.Tensor) -> torch.Tensor:
        """Log-probabilities (rows, vocab) of the next token after `tokens` (rows,)."""
        with projection(self.model.decoder):  # the vocabulary projection as (W @ x^T)^T (vocab.py)
            out = self.model.decoder(input_ids=tokens[:, None], encoder_hidden_states=self.states,
                                     encoder_attention_mask=self.mask, cache=self.cache, use_cache=True,
                                     return_dict=True)
        logits = out.logits[:, -1, :].float()
        return torch.nn.functional.log_softmax(logits, dim=-1)

    def select(self, rows: torch.Tensor, cross_rows: torch.Tensor | None = None) -> None:
        """Keep (and reorder) decoder rows, indices into the current rows: self-attention rows `rows`,
        encoder-side rows `cross_rows` (None: unchanged; a beam reorder never needs them, beam_cache.py)."""
        self.cache.self_attention_cache.reorder_cache(rows)  # applied in the next append (beam_cache.py)
        if cross_rows is None:
            return
        for layer in self.cache.cross_attention_cache.layers:
            if layer.is_initialized:
                layer.keys, layer.values = layer.keys.index_select(0, cross_rows), layer.values.index_select(0, cross_rows)
        self.states, self.mask = self.states.index_select(0, cross_rows), self.mask.index_select(0, cross_rows)


def greedy(model, input_ids, attention_mask, max_new_tokens: int, eos: int) -> list[list[int]]:
    """Argmax decoding; a sentence leaves the batch at its end-of-sequence token."""
    dec = Decoder(model, input_ids, attention_mask)
    n = input_ids.shape[0]
    tokens = torch.full((n,), model.generation_config.decoder_start_token_id, dtype=torch.long)
    live = torch.arange(n)
    out = [[] for _ in range(n)]
    for step in range(max_new_tokens):
        tokens = dec.step(tokens).argmax(-1)
        for i, t in zip(live.tolist(), tokens.tolist()):
            out[i].append(t)
        going = tokens != eos
        if step + 1 == max_new_tokens or not bool(going.any()):
            break
        if not bool(going.all()):
            keep = going.nonzero().squeeze(1)
            live, tokens = live[keep], tokens[keep]
            dec.select(keep, keep)
    return out


def beam_search(model, input_ids, attention_mask, num_beams: int, max_new_tokens: int) -> list[list[int]]:
    """The best hypothesis of each sentence (generated tokens, end token included), as `generate()` picks it."""
    config = model.generation_config
    check_plain(config)
    eos, start = config.eos_token_id, config.decoder_start_token_id
    eos = eos[0] if isinstance(eos, (list, tuple)) else eos
    if num_beams == 1:
        return greedy(model, input_ids, attention_mask, max_new_tokens, eos)
    length_penalty = 1.0 if config.length_penalty is None else config.length_penalty
    early_stopping = config.early_stopping
    n, k = input_ids.shape[0], num_beams
    keep_k, max_length = 2 * k, 1 + max_new_tokens  # one end token: generate() keeps max(2, 1 + 1) * k
    top_k_mask = torch.arange(keep_k) < k
    dec = Decoder(model, input_ids, attention_mask)

    # per live sentence (rows of these tensors), as in generate(): running beams and finished hypotheses
    running = torch.full((n, k, max_length), config.pad_token_id or eos, dtype=torch.long)
    running[:, :, 0] = start
    finished = running.clone()
    running_scores = torch.zeros((n, k))
    running_scores[:, 1:] = -1e9
    scores = torch.full((n, k), -1e9)
    is_finished = torch.zeros((n, k), dtype=torch.bool)
    improvable = torch.ones((n, 1), dtype=torch.bool)
    live = torch.arange(n)
    best: list[list[int] | None] = [None] * n

    cur_len = 1
    log_probs = dec.step(torch.full((n,), start, dtype=torch.long))  # one row per sentence: the k are equal
    expand = torch.arange(n).repeat_interleave(k)
    dec.select(expand, expand)
    log_probs = log_probs.repeat_interleave(k, dim=0)
    while True:
        m, vocab = running.shape[0], log_probs.shape[-1]
        log_probs = (log_probs.view(m, k, vocab) + running_scores[:, :, None]).view(m, k * vocab)
        topk_scores, topk_index = torch.topk(log_probs, k=keep_k)
        topk_beam, topk_ids = topk_index // vocab, topk_index % vocab
        topk_seqs = torch.take_along_dim(running, topk_beam[:, :, None], dim=1)
        topk_seqs[:, :, cur_len] = topk_ids
        hits = (topk_ids == eos) | (cur_len + 1 >= max_length)

        # the k best unfinished continue
        topk_running = topk_scores + hits.float() * -1e9
        nxt = torch.topk(topk_running, k=k)[1]
        running = torch.take_along_dim(topk_seqs, nxt[:, :, None], dim=1)
        running_scores = torch.take_along_dim(topk_running, nxt, dim=1)
        source_beam = torch.take_along_dim(topk_beam, nxt, dim=1)

        # finished ones among the top k join the hypotheses if they beat them
        just_done = hits & top_k_mask[None, :]
        done_scores = topk_scores / ((cur_len + 1 - 1) ** length_penalty)
        done_scores = done_scores + (is_finished.all(-1, keepdim=True) & (early_stopping is True)).float() * -1e9
        done_scores = done_scores + (~improvable).float() * -1e9
        done_scores = done_scores + (~just_done) * -1e9
        merged = torch.topk(torch.cat((scores, done_scores), dim=1), k=k)[1]
        finished = torch.take_along_dim(torch.cat((finished, topk_seqs), dim=1), merged[:, :, None], dim=1)
        scores = torch.take_along_dim(torch.cat((scores, done_scores), dim=1), merged, dim=1)
        is_finished = torch.take_along_dim(torch.cat((is_finished, just_done), dim=1), merged, dim=1)

        cur_len += 1
        if early_stopping == "never" and length_penalty > 0.0:
            hypothetical = max_length - 1
        else:
            hypothetical = cur_len - 1
        best_running = running_scores[:, :1] / (hypothetical ** length_penalty)
        worst_done = torch.where(is_finished, scores.min(dim=1, keepdim=True)[0], -1.0e9)
        improvable = improvable & (best_running > worst_done).any(-1, keepdim=True)

        # a sentence whose hypotheses can no longer change leaves the batch
        going = improvable[:, 0] & ~(is_finished.all(-1) & (early_stopping is True)) & ~hits.all(-1)
        if cur_len >= max_length:
            going[:] = False
        for row in (~going).nonzero().squeeze(1).tolist():
            best[live[row]] = strip(finished[row, 0, 1:].tolist(), eos)
        if not bool(going.any()):
            return best
        keep = going.nonzero().squeeze(1)
        live, running, finished = live[keep], running[keep], finished[keep]
        running_scores, scores, is_finished, improvable = (running_scores[keep], scores[keep], is_finished[keep],
                                                           improvable[keep])
        old_rows = (keep[:, None] * k + source_beam[keep]).view(-1)  # beam reorder and drop in one gather
        cross_rows = (keep[:, None] * k + torch.arange(k)).view(-1)
        dec.select(old_rows, cross_rows if len(keep) < m else None)
        log_probs = dec.step(running[:, :, cur_len - 1].reshape(-1))


def strip(tokens: list[int], eos: int) -> list[int]:
    """The tokens up to and including the first end token (the rest is padding)."""
    return tokens[:tokens.index(eos) + 1] if eos in tokens else tokens
