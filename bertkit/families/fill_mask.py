"""Masked-token prediction with the MLM head: any number of [MASK]s in one text.

Output: {"sequence": the text with each mask replaced by its best token,
"masks": [{"position": token index, "candidates": [{"token_str", "token", "score"}...]}...]}.
Special and `[unused…]` tokens are never proposed. Scoring (`evaluate`) masks 15% of the
non-special tokens of each 128-token block of running text, with a fixed seed, and reports
top-1/top-5 accuracy over targets that are not [UNK].
"""
from __future__ import annotations

import random

import torch

from ..errors import InputError
from .base import Family, check_length, clean_text

BLOCK = 128  # tokens per training / evaluation block of running text
MASK_RATE = 0.15


class FillMask(Family):
    auto_class = "AutoModelForMaskedLM"
    head_modules = ("cls.predictions",)
    lora_task_type = None
    input_fields = ("text",)
    output_keys = ("sequence", "masks")

    def check_input(self, task, item):
        if isinstance(item, dict):
            item = item.get("text")
        return {"text": clean_text(item)}

    def preprocess(self, predictor, items, truncate=False, **_):
        tok = predictor.tokenizer
        features = []
        for i, item in enumerate(items):
            if tok.mask_token not in item["text"]:
                raise InputError(f"no {tok.mask_token} in the text: write {tok.mask_token} where a word is missing, "
                                 f"e.g. 'Paris is the {tok.mask_token} of France.'")
            ids = tok(item["text"])["input_ids"]
            check_length(len(ids), predictor.max_length)
            positions = [p for p, t in enumerate(ids) if t == tok.mask_token_id]
            features.append({"item": i, "input_ids": ids, "attention_mask": [1] * len(ids), "positions": positions})
        return features

    def forward(self, predictor, batch, meta, top_k=5, **_):
        logits = mask_logits(predictor.model, batch, [f["positions"] for f in meta])
        logits[:, suppressed_ids(predictor)] = -float("inf")
        probs = torch.softmax(logits.float(), -1)
        k = min(max(int(top_k), 1), probs.shape[-1])
        scores, ids = probs.topk(k, -1)
        out, row = [], 0
        for f in meta:
            n = len(f["positions"])
            out.append((ids[row:row + n].tolist(), scores[row:row + n].tolist()))
            row += n
        return out

    def postprocess(self, predictor, items, features, outputs, **_):
        tok = predictor.tokenizer
        results = []
        for item, feature, (ids, scores) in zip(items, features, outputs):
            masks = []
            for position, row_ids, row_scores in zip(feature["positions"], ids, scores):
                masks.append({"position": position, "candidates": [
                    {"token_str": tok.convert_ids_to_tokens(t), "token": t, "score": float(s)}
                    for t, s in zip(row_ids, row_scores)]})
            pieces = item["text"].split(tok.mask_token)  # fill the user's own text, keeping its case
            best = [m["candidates"][0]["token_str"].removeprefix("##") for m in masks]
            sequence = pieces[0] + "".join(word + rest for word, rest in zip(best, pieces[1:]))
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

    def to_inputs(self, task, dataset):
        return list(dataset["text"])

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

    def evaluate(self, predictor, dataset, batch_size=None, progress=False, seed=0, **_):
        tok = predictor.tokenizer
        rng = random.Random(seed)
        features, targets = [], []
        for i, ids in enumerate(self.blocks(tok, dataset["text"])):
            inner = [p for p in range(1, len(ids) - 1) if ids[p] != tok.unk_token_id]
            positions = sorted(rng.sample(inner, max(1, int(len(inner) * MASK_RATE))))
            targets.append([ids[p] for p in positions])
            chosen = set(positions)
            masked = [tok.mask_token_id if p in chosen else t for p, t in enumerate(ids)]
            features.append({"item": i, "input_ids": masked, "attention_mask": [1] * len(ids), "positions": positions})
        outputs = predictor.run(features, batch_size or 32, progress, top_k=5)
        top1 = top5 = total = 0
        for (ids, _), gold in zip(outputs, targets):
            for row, target in zip(ids, gold):
                total += 1
                top1 += row[0] == target
                top5 += target in row
        return {"top1_accuracy": top1 / max(total, 1), "top5_accuracy": top5 / max(total, 1), "masked_tokens": total}

    def score(self, task, outputs, dataset):  # scoring needs the masked targets: see evaluate()
        raise NotImplementedError("fill-mask is scored by FillMask.evaluate")


def mask_logits(model, batch, positions):
    """Vocabulary logits at the mask positions only: (n_masks, vocab); full logits as a fallback."""
    rows = torch.tensor([r for r, ps in enumerate(positions) for _ in ps], dtype=torch.long)
    cols = torch.tensor([p for ps in positions for p in ps], dtype=torch.long)
    if hasattr(model, "bert") and hasattr(model, "cls"):  # BERT: run the head on the masks only
        hidden = model.bert(**batch).last_hidden_state
        return model.cls(hidden[rows, cols])
    return model(**batch).logits[rows, cols]


_SUPPRESSED: dict[int, list[int]] = {}


def suppressed_ids(predictor) -> list[int]:
    tok = predictor.tokenizer
    key = id(tok)
    if key not in _SUPPRESSED:
        vocab = tok.get_vocab()
        _SUPPRESSED[key] = sorted(set(tok.all_special_ids) | {i for t, i in vocab.items() if t.startswith("[unused")})
    return _SUPPRESSED[key]
