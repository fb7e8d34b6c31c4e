"""Semantic role labelling (PropBank roles) given a predicate, after Shi & Lin (2019).

Input: {"text": ..., "predicate": word index} (or {"tokens": [...], "predicate": i}), or plain text,
which labels every predicate the model finds. The encoder sees
`[CLS] sentence [SEP] predicate [SEP]` with the predicate's own pieces in segment 1 (the
indicator); a model without segment ids (RoBERTa, DistilBERT, ModernBERT, MPNet, DeBERTa-v3) gets the
predicate from the pair alone (`pieces.takes_segments`, the same rule in training and serving).
Training also shows non-predicate words with all-`O` tags, so the model tags `B-V` only
on real predicates: plain text tries every candidate word and keeps those with p(B-V) > 0.5.
Output per input: {"frames": [{"predicate": {"index", "text", "start", "end", "score"},
"spans": [{"label", "text", "start", "end", "score"}...], "words": [...]}]} (V itself excluded from spans).
Scoring inputs that carry the sentence's raw text (`RAW_TEXT`, the treebank's own `# text`) are run
a second time on that text, the predicate found by its characters, and scored as `raw_text_*`.
"""
from __future__ import annotations

import random

from ..errors import InputError
from .base import clean_text
from .pieces import takes_segments, word_tokenizer
from .tagging import RAW_TEXT, TokenTagging, align, decode, tag_spans, totals_prf
from .words import split_words as split_raw_words, token_offsets

PREDICATE_THRESHOLD = 0.5
NEGATIVES_PER_SENTENCE = 1  # non-predicate words shown in training with all-O tags


def is_candidate(word: str) -> bool:
    return word.isalpha() and len(word) > 1


class RoleLabelling(TokenTagging):
    input_fields = ("text", "predicate")  # predicate: word index, optional
    output_keys = ("frames",)

    def check_input(self, task, item):
        if isinstance(item, str):
            return {"text": clean_text(item), "predicate": None}
        if not isinstance(item, dict) or not ({"text", "tokens"} & set(item)):
            raise InputError("srl takes a text, or {'text': ..., 'predicate': word index}")
        predicate = item.get("predicate")
        if predicate is not None and (not isinstance(predicate, int) or isinstance(predicate, bool)):
            raise InputError(f"predicate must be a word index (int), got {predicate!r}")
        return dict(item, predicate=predicate)

    def preprocess(self, ctx, items, **_):
        features = []
        for i, item, view in ((i, sub, view) for i, it in enumerate(items) for view, sub in self.views(it)):
            text, words = self.split_words(ctx.tokenizer, item)
            p = item["predicate"]
            if p is not None and not 0 <= p < len(words):
                raise InputError(f"predicate index {p} is out of range: the text has {len(words)} words "
                                 f"({', '.join(f'{k}={w}' for k, (w, _, _) in enumerate(words[:12]))}…)")
            candidates = [p] if p is not None else [k for k, (w, _, _) in enumerate(words) if is_candidate(w)]
            for k in candidates:
                for ids, types, word_ids in self.encode_words(ctx, words, pair=words[k][0], marked=k):
                    features.append({"item": i, "view": view, "predicate": k, "forced": p is not None, "input_ids": ids,
                                     "attention_mask": [1] * len(ids), "token_type_ids": types,
                                     "word_ids": word_ids, "text": text, "words": words})
        return features

    def postprocess(self, ctx, items, features, outputs, **_):
        names = list(ctx.labels)
        v_index = names.index("B-V") if "B-V" in names else None
        grouped = {}
        for f, o in zip(features, outputs):
            grouped.setdefault((f["item"], f["view"] or "", f["predicate"]), []).append((f, o))
        results = [{"frames": []} for _ in items]
        for (i, view, k), pairs in sorted(grouped.items()):
            fs = [f for f, _ in pairs]
            probs = self.word_probs(fs, [o for _, o in pairs], len(fs[0]["words"]), ctx.label_map)
            p_verb = float(probs[k, v_index]) if v_index is not None else 1.0
            if not fs[0]["forced"] and p_verb <= PREDICATE_THRESHOLD:
                continue
            decoded = decode(fs[0]["text"], fs[0]["words"], probs, names)
            word, start, end = fs[0]["words"][k]
            frames = results[i].setdefault(view, {"frames": []})["frames"] if view else results[i]["frames"]
            frames.append({
                "predicate": {"index": k, "text": word, "start": start, "end": end, "score": p_verb},
                "spans": [s for s in decoded["spans"] if s["label"] != "V"],
                "words": decoded["words"]})
        return results

    def views(self, item):
        """The input, and for a scoring input its raw-text twin with the predicate found by characters."""
        yield None, item
        raw, p = item.get(RAW_TEXT), item.get("predicate")
        if raw and p is not None and "tokens" in item:
            start = token_offsets(raw, item["tokens"])[p][0]
            k = next((n for n, (_, a, b) in enumerate(split_raw_words(raw)) if a <= start < b), None)
            if k is not None:
                yield RAW_TEXT, {"text": raw, "predicate": k}

    # ---- training and scoring ------------------------------------------------------------------
    def to_inputs(self, task, dataset):
        texts = dataset["text"] if "text" in dataset.column_names else [None] * len(dataset)
        return [{"tokens": t, "predicate": p, RAW_TEXT: x}
                for t, p, x in zip(dataset["tokens"], dataset["predicate_index"], texts)]

    def train_features(self, task, tokenizer, dataset, max_length, negatives=NEGATIVES_PER_SENTENCE, seed=0):
        index = {n: i for i, n in enumerate(task.labels)}
        tokenizer = word_tokenizer(tokenizer)
        rng = random.Random(seed)
        rows, predicates = [], {}
        for r in dataset:
            predicates.setdefault(tuple(r["tokens"]), set()).add(r["predicate_index"])
            rows.append((r["tokens"], r["predicate_index"], [index[t] for t in r["tags"]]))
        for tokens, used in predicates.items():  # negatives: words that are no predicate here
            others = [k for k, w in enumerate(tokens) if k not in used and is_candidate(w)]
            for k in rng.sample(others, min(negatives, len(others))):
                rows.append((list(tokens), k, [index["O"]] * len(tokens)))
        features = {"input_ids": [], "attention_mask": [], "token_type_ids": [], "labels": []}
        for tokens, k, tags in rows:
            enc = tokenizer(tokens, [tokens[k]], is_split_into_words=True, truncation="only_first",
                            max_length=max_length)
            word_ids = [w if s == 0 else None for w, s in zip(enc.word_ids(), enc.sequence_ids())]
            features["input_ids"].append(enc["input_ids"])
            features["attention_mask"].append(enc["attention_mask"])
            types = enc.get("token_type_ids") or [0] * len(word_ids)
            features["token_type_ids"].append([1 if w == k else t for w, t in zip(word_ids, types)])
            features["labels"].append(align(word_ids, tags))
        from datasets import Dataset

        return Dataset.from_dict(features)

    def compute_loss(self, model, inputs):
        """The model's own loss, without the segment ids a model that has none cannot take (as `forward`)."""
        if not takes_segments(model):
            inputs.pop("token_type_ids", None)
        return model(**inputs).loss

    def required_columns(self, task):
        return ("tokens", "predicate_index", "tags")

    def predictions(self, task, outputs, dataset):
        return [[w["tag"] for w in o["frames"][0]["words"]] for o in outputs]

    def score(self, task, outputs, dataset):
        from .base import load_metric
        from .tagging import flatten

        metric = load_metric(task)
        preds = [[w["tag"] for w in o["frames"][0]["words"]] for o in outputs]
        scores = flatten(metric.compute(predictions=preds, references=list(dataset["tags"])))
        return dict(scores, **totals_prf(self.raw_text_counts(outputs, dataset), self.RAW_PREFIX))

    RAW_PREFIX = "raw_text_"

    def raw_text_counts(self, outputs, dataset):
        """Per sentence (tp, predicted, gold) roles of the raw-text runs against the gold roles, matched
        as (role, start char, end char) in the raw text (V excluded); None when the split has no raw text."""
        if "text" not in dataset.column_names:
            return None
        counts = []
        for out, tokens, tags, text in zip(outputs, dataset["tokens"], dataset["tags"], dataset["text"]):
            offsets = token_offsets(text, tokens)
            gold = {(role, offsets[a][0], offsets[b][1]) for role, a, b in tag_spans(tags) if role != "V"}
            frames = out.get(RAW_TEXT, {}).get("frames", [])
            pred = {(s["label"], s["start"], s["end"]) for s in (frames[0]["spans"] if frames else [])}
            counts.append((len(gold & pred), len(pred), len(gold)))
        return counts
