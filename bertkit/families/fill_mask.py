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
        logits[:, suppressed_ids(ctx.tokenizer)] = -float("inf")
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
                    {"token_str": tok.convert_ids_to_tokens(t), "token": t, "score": float(s)}
                    for t, s in zip(row_ids, row_scores)]})
            if "text" in item:
                pieces = item["text"].split(tok.mask_token)  # fill the user's own text, keeping its case
                best = [m["candidates"][0]["token_str"].removeprefix("##") for m in masks]
                sequence = pieces[0] + "".join(word + rest for word, rest in zip(best, pieces[1:]))
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
        """MLM loss from vocabulary logits at the masked positions only (BertForMaskedLM scores every
        position: 128x more vocabulary projections for the same loss)."""
        import torch.nn.functional as F

        labels = inputs.pop("labels")
        if not (hasattr(model, "bert") and hasattr(model, "cls")):
            return model(**inputs, labels=labels).loss
        hidden = model.bert(**inputs).last_hidden_state
        chosen = labels != -100
        return F.cross_entropy(model.cls(hidden[chosen]).float(), labels[chosen])

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
    """Vocabulary logits at the mask positions only: (n_masks, vocab); full logits as a fallback."""
    rows = torch.tensor([r for r, ps in enumerate(positions) for _ in ps], dtype=torch.long)
    cols = torch.tensor([p for ps in positions for p in ps], dtype=torch.long)
    if hasattr(model, "bert") and hasattr(model, "cls"):  # BERT: run the head on the masks only
        hidden = model.bert(**batch).last_hidden_state
        return model.cls(hidden[rows, cols])
    return model(**batch).logits[rows, cols]


_SUPPRESSED: dict[int, list[int]] = {}


def suppressed_ids(tok) -> list[int]:
    key = id(tok)
    if key not in _SUPPRESSED:
        vocab = tok.get_vocab()
        _SUPPRESSED[key] = sorted(set(tok.all_special_ids) | {i for t, i in vocab.items() if t.startswith("[unused")})
    return _SUPPRESSED[key]
