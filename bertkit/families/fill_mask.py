"""Masked-token prediction with the MLM head: any number of [MASK]s in one text.

Output: {"sequence": the text with each mask replaced by its best token,
"masks": [{"position": token index, "candidates": [{"token_str", "token", "score"}...]}...]}.
Special and `[unused…]` tokens are never proposed. An input is a text, or {"input_ids": [...]} already
tokenised with at least one mask id. Scoring (`eval_examples`) masks 15% of the non-[UNK] inner
tokens of each 128-token block of running text with a seeded draw, and the `masked_lm` metric reports
top-1/top-5 accuracy over the masked tokens.
"""
from __future__ import annotations

import random

import torch

from ..errors import InputError
from .base import Family, Option, check_length, clean_text
from .pieces import suppressed_token_ids, token_text
from .vocab import projection

BLOCK = 128  # tokens per training / evaluation block of running text
MASK_RATE = 0.15


class FillMask(Family):
    auto_class = "AutoModelForMaskedLM"
    head_modules = ("cls.predictions",)
    options = {"top_k": Option(int, 5, low=1, high=1000, help="candidates per mask")}
    input_fields = ("text",)
    output_keys = ("sequence", "masks")

    def check_input(self, task, item):
        if isinstance(item, dict) and "input_ids" in item:
            ids = item["input_ids"]
            if not isinstance(ids, (list, tuple)) or not ids or not all(isinstance(t, int) for t in ids):
                raise InputError("input_ids must be a non-empty list of token ids")
            return {"input_ids": list(ids)}
        if isinstance(item, dict):
            item = item.get("text")
        return {"text": clean_text(item)}

    def preprocess(self, ctx, items, **_):
        tok = ctx.tokenizer
        features = []
        for i, item in enumerate(items):
            if "text" in item and tok.mask_token not in item["text"]:
                raise InputError(f"no {tok.mask_token} in the text: write {tok.mask_token} where a word is missing, "
                                 f"e.g. 'Paris is the {tok.mask_token} of France.'")
            ids = item["input_ids"] if "input_ids" in item else tok(item["text"])["input_ids"]
            check_length(len(ids), ctx.max_length)
            positions = [p for p, t in enumerate(ids) if t == tok.mask_token_id]
            if not positions:
                raise InputError(f"no {tok.mask_token} id ({tok.mask_token_id}) among the input_ids")
            features.append({"item": i, "input_ids": ids, "attention_mask": [1] * len(ids), "positions": positions})
        return features

    def forward(self, ctx, model, batch, meta, top_k=5):
        logits = mask_logits(model, batch, [f["positions"] for f in meta])
        logits[:, suppressed_ids(ctx.tokenizer, logits.shape[-1])] = -float("inf")
        probs = torch.softmax(logits.float(), -1)
        k = min(top_k, probs.shape[-1])
        scores, ids = probs.topk(k, -1)
        out, row = [], 0
        for f in meta:
            n = len(f["positions"])
            out.append((ids[row:row + n].tolist(), scores[row:row + n].tolist()))
            row += n
        return out

    def postprocess(self, ctx, items, features, outputs, **_):
        tok = ctx.tokenizer
        results = []
        for item, feature, (ids, scores) in zip(items, features, outputs):
            masks = []
            for position, row_ids, row_scores in zip(feature["positions"], ids, scores):
                masks.append({"position": position, "candidates": [
                    {"token_str": token_text(tok, t), "token": t, "score": float(s)}
                    for t, s in zip(row_ids, row_scores)]})
            if "text" in item:
                sequence = fill_text(item["text"], tok.mask_token, [m["candidates"][0]["token_str"] for m in masks])
            else:
                filled = list(feature["input_ids"])
                for m in masks:
                    filled[m["position"]] = m["candidates"][0]["token"]
                sequence = tok.decode(filled, skip_special_tokens=True)
            results.append({"sequence": sequence, "masks": masks})
        return results

    # ---- training and scoring ------------------------------------------------------------------
    def blocks(self, tokenizer, texts, block=BLOCK):
        """Running text -> lists of `block - 2` token ids (then wrapped in [CLS] … [SEP])."""
        ids = [t for row in tokenizer(list(texts), add_special_tokens=False)["input_ids"] for t in row]
        size = block - 2
        return [[tokenizer.cls_token_id] + ids[s:s + size] + [tokenizer.sep_token_id]
                for s in range(0, len(ids) - size + 1, size)]

    def train_features(self, task, tokenizer, dataset, max_length):
        from datasets import Dataset

        rows = self.blocks(tokenizer, dataset["text"], min(BLOCK, max_length))
        return Dataset.from_dict({"input_ids": rows, "attention_mask": [[1] * len(r) for r in rows]})

    def collator(self, task, tokenizer):
        from transformers import DataCollatorForLanguageModeling

        return DataCollatorForLanguageModeling(tokenizer, mlm_probability=MASK_RATE)

    def required_columns(self, task):
        return ("text",)

    def to_inputs(self, task, dataset):
        return [{"input_ids": ids} for ids in dataset["input_ids"]]  # the masked blocks of eval_examples

    def compute_loss(self, model, inputs):
        """MLM loss from vocabulary logits at the masked positions only (a masked-LM model scores every
        position: 128x more vocabulary projections for the same loss)."""
        return masked_lm_loss(model, inputs)

    eval_batch_size = 32

    def eval_examples(self, task, tokenizer, dataset, seed=0):
        """Every 128-token block of the split's running text with 15 % of its non-[UNK] inner tokens
        masked (`random.Random(seed)`, block after block): columns idx, input_ids, targets (gold ids)."""
        from datasets import Dataset

        rng = random.Random(seed)
        rows = {"idx": [], "input_ids": [], "targets": []}
        for i, ids in enumerate(self.blocks(tokenizer, dataset["text"])):
            inner = [p for p in range(1, len(ids) - 1) if ids[p] != tokenizer.unk_token_id]
            positions = sorted(rng.sample(inner, max(1, int(len(inner) * MASK_RATE))))
            chosen = set(positions)
            rows["idx"].append(i)
            rows["input_ids"].append([tokenizer.mask_token_id if p in chosen else t for p, t in enumerate(ids)])
            rows["targets"].append([ids[p] for p in positions])
        return Dataset.from_dict(rows)

    def predictions(self, task, outputs, dataset):
        return [[[c["token"] for c in m["candidates"]] for m in out["masks"]] for out in outputs]

    def references(self, task, dataset):
        return list(dataset["targets"])


def mask_logits(model, batch, positions):
    """Vocabulary logits at the mask positions only: (n_masks, vocab)."""
    rows = torch.tensor([r for r, ps in enumerate(positions) for _ in ps], dtype=torch.long)
    cols = torch.tensor([p for ps in positions for p in ps], dtype=torch.long)
    return logits_at(model, batch, rows, cols)


def logits_at(model, inputs, rows, cols):
    """The MLM head's logits at (rows, cols) of the batch, (n, vocab).

    The vocabulary projection (the model's output embeddings, a Linear) is most of an MLM head's
    work: it keeps only the chosen positions of its input, so it runs on those alone (bertkit/
    families/vocab.py). Every layer before it works position by position, so the result is exactly
    the full logits' rows; a model whose output does not come back as those rows (a head that
    reshapes after the projection) gets the full forward instead.
    """
    with projection(model, pick=lambda x: x[rows, cols]) as narrowed:
        if narrowed:
            logits = model(**inputs).logits
            if logits.dim() == 2 and logits.shape[0] == len(rows):
                return logits
    return model(**inputs).logits[rows, cols]


def masked_lm_loss(model, inputs):
    """Cross-entropy at the masked positions (labels != -100) from their logits alone."""
    import torch.nn.functional as F

    labels = inputs.pop("labels")
    rows, cols = (labels != -100).nonzero(as_tuple=True)
    return F.cross_entropy(logits_at(model, inputs, rows, cols).float(), labels[rows, cols])


_SUPPRESSED: dict[tuple, list[int]] = {}


def suppressed_ids(tok, vocab_size: int | None = None) -> list[int]:
    """`pieces.suppressed_token_ids` (cached per tokenizer), plus the head's rows the tokenizer lacks."""
    key = (id(tok), vocab_size)
    if key not in _SUPPRESSED:
        ids = set(suppressed_token_ids(tok))
        if vocab_size is not None:  # rows padded past the vocabulary (e.g. to a multiple of 64): no token
            known = set(tok.get_vocab().values())
            ids |= {i for i in range(vocab_size) if i not in known}
            ids = {i for i in ids if i < vocab_size}
        _SUPPRESSED[key] = sorted(ids)
    return _SUPPRESSED[key]


def fill_text(text: str, mask_token: str, words: list[str]) -> str:
    """The user's text (its own case and spacing) with each mask replaced by a token's text. A token
    that starts a word carries its space (byte-level `Ġ`): where the text already has one before the
    mask, it is not doubled; a WordPiece continuation (`##ing`) joins the text before it."""
    pieces = text.split(mask_token)
    out = pieces[0]
    for word, rest in zip(words, pieces[1:]):
        word = word.removeprefix("##")
        if not out or out[-1].isspace():
            word = word.lstrip()
        out += word + rest
    return out
