"""Token tagging: named entities (CoNLL-2003). Words come from raw text split as the treebank does
(`words.split_words`, with character offsets) or from a pre-split {"tokens": [...]} input. Texts longer than the model
takes are cut into overlapping windows; a word seen in two windows gets the mean of its label
probabilities. Scoring also runs every sentence as raw text (`RAW_TEXT`) and reports that score
as `raw_text_*`, since raw text is what users send. Output: {"spans": [{"label", "text", "start", "end", "score"}...],
"words": [{"text", "start", "end", "tag", "score"}...]} (character offsets into the text).
"""
from __future__ import annotations

import numpy as np
import torch

from ..errors import InputError
from .base import PAD_MULTIPLE, Family, clean_text, load_metric
from .pieces import takes_segments, word_tokenizer
from .words import detokenize, split_words as split_raw_words

WINDOW_STRIDE = 64  # tokens of overlap between windows
RAW_TEXT = "raw_text"  # scoring inputs: {"tokens", RAW_TEXT: the same sentence as raw text}


class TokenTagging(Family):
    auto_class = "AutoModelForTokenClassification"
    head_modules = ("classifier",)
    input_fields = ("text",)  # or {"tokens": [...]}
    output_keys = ("spans", "words")
    labelled = tagging = True

    def model_kwargs(self, task):
        return {"num_labels": len(task.labels), "id2label": dict(enumerate(task.labels)),
                "label2id": {label: i for i, label in enumerate(task.labels)}}

    # ---- inputs --------------------------------------------------------------------------------
    def split_words(self, tokenizer, item):
        """(text, [(word, start, end)]) from a string or {"tokens": [...]}."""
        if isinstance(item, dict) and "tokens" in item:
            words, text, pos = [], "", 0
            for w in item["tokens"]:
                w = clean_text(w, "token")
                words.append((w, pos, pos + len(w)))
                text += w + " "
                pos += len(w) + 1
            if not words:
                raise InputError("tokens is empty")
            return text[:-1], words
        if isinstance(item, dict):
            item = item.get("text")
        text = clean_text(item)
        words = split_raw_words(text)
        return text, words

    def views(self, item):
        """(view, input) pairs: the input itself, and for a scoring input its raw-text twin."""
        yield None, item
        if isinstance(item, dict) and item.get(RAW_TEXT):
            yield RAW_TEXT, item[RAW_TEXT]

    def check_input(self, task, item):
        if not (isinstance(item, str) or isinstance(item, dict)):
            raise InputError(f"{task.name} takes a text or {{'tokens': [...]}}, got {type(item).__name__}")
        return item

    def encode_words(self, ctx, words, pair=None, marked=None):
        """Windows over one word list: list of (input_ids, token_type_ids, word_ids)."""
        tok, limit = word_tokenizer(ctx.tokenizer), ctx.max_length
        enc = tok([w for w, _, _ in words], [pair] if pair else None, is_split_into_words=True,
                  truncation="only_first" if pair else True, max_length=limit, stride=WINDOW_STRIDE,
                  return_overflowing_tokens=True)
        windows = []
        for f in range(len(enc["input_ids"])):
            seq = enc.sequence_ids(f)
            word_ids = [w if s == 0 else None for w, s in zip(enc.word_ids(f), seq)]
            types = list(enc["token_type_ids"][f]) if "token_type_ids" in enc else [0] * len(word_ids)
            if marked is not None:  # predicate indicator: its word pieces get segment 1
                types = [1 if w == marked else t for w, t in zip(word_ids, types)]
            windows.append((enc["input_ids"][f], types, word_ids))
        return windows

    def preprocess(self, ctx, items, **_):
        features = []
        for i, item in enumerate(items):
            for view, sub in self.views(item):
                text, words = self.split_words(ctx.tokenizer, sub)
                for ids, types, word_ids in self.encode_words(ctx, words):
                    features.append({"item": i, "view": view, "input_ids": ids, "attention_mask": [1] * len(ids),
                                     "token_type_ids": types, "word_ids": word_ids, "text": text, "words": words})
        return features

    def forward(self, ctx, model, batch, meta, **_):
        if not takes_segments(model):  # RoBERTa, DistilBERT, ModernBERT, ...: no segment ids to give
            batch.pop("token_type_ids", None)
        probs = torch.softmax(model(**batch).logits.float(), -1).cpu().numpy()
        return [probs[row, :len(f["input_ids"])] for row, f in enumerate(meta)]

    def word_probs(self, features, outputs, n_words, label_map=None):
        """Mean task-label probabilities per word over the windows that hold its first piece (the head's
        own labels summed into the task's by `label_map`)."""
        n_labels = outputs[0].shape[-1]
        total, count = np.zeros((n_words, n_labels)), np.zeros(n_words)
        for feature, probs in zip(features, outputs):
            seen = set()
            for t, w in enumerate(feature["word_ids"]):
                if w is not None and w not in seen:
                    seen.add(w)
                    total[w] += probs[t]
                    count[w] += 1
        probs = total / np.maximum(count, 1)[:, None]
        return label_map.aggregate(probs) if label_map is not None else probs

    def postprocess(self, ctx, items, features, outputs, **_):
        names = list(ctx.labels)
        grouped = {}
        for f, o in zip(features, outputs):
            grouped.setdefault((f["item"], f["view"]), []).append((f, o))
        results = [None] * len(items)
        for (i, view), pairs in sorted(grouped.items(), key=lambda g: g[0][1] is not None):
            fs = [f for f, _ in pairs]
            probs = self.word_probs(fs, [o for _, o in pairs], len(fs[0]["words"]), ctx.label_map)
            decoded = decode(fs[0]["text"], fs[0]["words"], probs, names)
            if view is None:
                results[i] = decoded
            else:
                results[i][view] = dict(decoded, text=fs[0]["text"])
        return results

    # ---- training and scoring ------------------------------------------------------------------
    def to_inputs(self, task, dataset):
        return [{"tokens": t, RAW_TEXT: detokenize(t)[0]} for t in dataset["tokens"]]

    def train_features(self, task, tokenizer, dataset, max_length):
        index = {n: i for i, n in enumerate(task.labels)}

        tokenizer = word_tokenizer(tokenizer)

        def encode(batch):
            enc = tokenizer(batch["tokens"], is_split_into_words=True, truncation=True, max_length=max_length)
            enc["labels"] = [align(enc.word_ids(r), [index[t] for t in tags]) for r, tags in enumerate(batch["tags"])]
            return enc

        return dataset.map(encode, batched=True, remove_columns=dataset.column_names)

    def collator(self, task, tokenizer):
        from transformers import DataCollatorForTokenClassification

        return DataCollatorForTokenClassification(tokenizer, pad_to_multiple_of=PAD_MULTIPLE)

    def required_columns(self, task):
        return ("tokens", "tags")

    def predictions(self, task, outputs, dataset):
        return [[w["tag"] for w in o["words"]] for o in outputs]

    def references(self, task, dataset):
        return list(dataset["tags"])

    def score(self, task, outputs, dataset):
        metric = load_metric(task)
        preds = [[w["tag"] for w in o["words"]] for o in outputs]
        result = metric.compute(predictions=preds, references=list(dataset["tags"]))
        return dict(flatten(result), **totals_prf(self.raw_text_counts(outputs, dataset), self.RAW_PREFIX))

    RAW_PREFIX = "raw_text_overall_"  # raw-text scores: {prefix}precision/recall/f1

    def example_stats(self, task, outputs, dataset):
        """The metric's statistics plus per-sentence raw-text tp/pred/gold columns (bootstrapped too)."""
        return add_raw_columns(super().example_stats(task, outputs, dataset),
                               self.raw_text_counts(outputs, dataset), self.RAW_PREFIX)

    def raw_text_counts(self, outputs, dataset):
        """Per sentence (tp, predicted, gold) entities of the raw-text predictions (`RAW_TEXT`) against
        the gold ones, matched as exact (label, start char, end char) in the raw text; None without a
        raw view."""
        if not outputs or RAW_TEXT not in outputs[0]:
            return None
        counts = []
        for out, tokens, tags in zip(outputs, dataset["tokens"], dataset["tags"]):
            offsets = detokenize(tokens)[1]
            gold = {(label, offsets[a][0], offsets[b][1]) for label, a, b in tag_spans(tags)}
            pred = {(s["label"], s["start"], s["end"]) for s in out[RAW_TEXT]["spans"]}
            counts.append((len(gold & pred), len(pred), len(gold)))
        return counts


def align(word_ids, word_labels, ignore=-100):
    """Label the first piece of each word; other pieces and special tokens are ignored (-100)."""
    labels, previous = [], None
    for w in word_ids:
        labels.append(ignore if w is None or w == previous else word_labels[w])
        previous = w
    return labels


def tag_spans(tags) -> list[tuple[str, int, int]]:
    """(label, first, last) entities of IOB2 tags; an I- that does not continue its entity starts one."""
    spans, current = [], None
    for k, tag in enumerate(tags):
        kind, _, label = tag.partition("-")
        if current and (kind != "I" or label != current[0]):
            spans.append(tuple(current))
            current = None
        if kind in ("B", "I") and current is None:
            current = [label, k, k]
        elif kind == "I":
            current[2] = k
    return spans + ([tuple(current)] if current else [])


def totals_prf(counts, prefix) -> dict:
    """P/R/F1 named `prefix`* of per-sentence (tp, predicted, gold) counts; {} when counts is None."""
    if counts is None:
        return {}
    tp, n_pred, n_gold = (sum(c[k] for c in counts) for k in range(3))
    return prf(tp, n_pred, n_gold, prefix)


def add_raw_columns(stats, counts, prefix):
    """`stats` with the raw-text counts as columns {prefix}tp/pred/gold (scored by metrics.stats)."""
    if counts is None:
        return stats
    stats.columns = stats.columns + [prefix + c for c in ("tp", "pred", "gold")]
    stats.rows = np.hstack([stats.rows, np.asarray(counts, dtype=float).reshape(-1, 3)])
    return stats


def prf(tp, n_pred, n_gold, prefix="") -> dict:
    precision = tp / n_pred if n_pred else 0.0
    recall = tp / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {prefix + "precision": precision, prefix + "recall": recall, prefix + "f1": f1}


def decode(text, words, probs, names):
    """Word tags (argmax, an I- that starts an entity read as B-) and the entity spans."""
    best = probs.argmax(-1)
    tags = [names[b] for b in best]
    out_words = [{"text": w, "start": a, "end": b, "tag": t, "score": float(probs[k, best[k]])}
                 for k, ((w, a, b), t) in enumerate(zip(words, tags))]
    result = []
    for label, first, last in tag_spans(tags):
        a, b = words[first][1], words[last][2]
        score = float(np.mean([out_words[k]["score"] for k in range(first, last + 1)]))
        result.append({"label": label, "text": text[a:b], "start": a, "end": b, "score": score})
    return {"spans": result, "words": out_words}


def flatten(result: dict) -> dict:
    """seqeval-style nested output -> flat {"overall_f1": …, "PER_f1": …}."""
    flat = {}
    for key, value in result.items():
        if isinstance(value, dict):
            flat.update({f"{key}_{k}": float(v) for k, v in value.items()})
        else:
            flat[key] = float(value)
    return flat
