"""Extractive question answering (SQuAD v1.1 and v2.0) over contexts of any length.

Long contexts are split into overlapping windows (`doc_stride` tokens of overlap) and every window is
scored. Windows are compared on one scale: a span's value is its logit sum start+end minus its own
window's no-answer ([CLS]) logit sum, so a span counts by how far its window prefers it to "no answer
here". (Per-window softmax probabilities are not comparable: a window without the answer still holds
a confident span.) The span with the highest value over all windows wins; a span seen by two windows
is kept once, at its best value. `scoring` names the rule; "raw" (logit sums, null = the lowest
window's, as the BERT SQuAD v2 reference) and "window" (per-window softmax, the rule before 2026-12-03)
are kept for `scripts/qa_haystack.py`, which chose among them on the squad tune split only: 45 questions
each hidden in ~2,600 words of other articles, F1 67.5 on their paragraphs alone, in the haystack
43.3 (window), 55.5 (raw), 59.9 (relative).
Output: {"answer", "start", "end" (character offsets in the context), "score",
"no_answer_probability", "top_k": [{"answer", "start", "end", "score"}...]}, where
- `score` (in [0, 1]) is a span's share of exp(value) among every candidate span of the context
  (each window's 20 best starts x 20 best ends, at most `max_answer_tokens` long) and "no answer"
  (value 0); the top_k scores sum to at most 1;
- `no_answer_probability` (in [0, 1]) is sigmoid(-best value): "no answer" against the best span
  alone. On a one-window context it equals null / (null + best) of that window's softmax
  probabilities, the number the shipped squad_v2 threshold was tuned on.
With `allow_no_answer` (squad_v2) the answer is empty when no_answer_probability exceeds `threshold`
(default: the head's tuned `no_answer_threshold` in bertkit.json); `score` is then that probability.
"""
from __future__ import annotations

import math

import numpy as np
import torch

from ..errors import InputError
from .base import Family, Option, clean_text
from .pieces import trim_span

MAX_QUESTION_TOKENS = 64


class QuestionAnswering(Family):
    auto_class = "AutoModelForQuestionAnswering"
    head_modules = ("qa_outputs",)
    options = {"top_k": Option(int, 5, low=1, help="candidate spans in top_k"),
               "threshold": Option(float, None, low=0.0, high=1.0,
                                   help="no-answer probability above which v2 abstains (default: the tuned one)")}
    input_fields = ("question", "context")
    output_keys = ("answer", "start", "end", "score", "no_answer_probability", "top_k")

    def __init__(self, allow_no_answer: bool = False, max_length: int = 384, doc_stride: int = 128,
                 max_answer_tokens: int = 30, threshold: float = 0.5):
        self.allow_no_answer, self.max_length, self.doc_stride = allow_no_answer, max_length, doc_stride
        self.max_answer_tokens, self.threshold = max_answer_tokens, threshold
        self.scoring = "relative"

    def model_kwargs(self, task):
        return {"num_labels": 2}

    def check_input(self, task, item):
        if not isinstance(item, dict) or "question" not in item or "context" not in item:
            raise InputError(f"{task.name} takes {{'question': ..., 'context': ...}}, got {item!r:.80}")
        return {"question": clean_text(item["question"], "question"),
                "context": clean_text(item["context"], "context")}

    def preprocess(self, ctx, items, **_):
        tok = ctx.tokenizer
        max_length = min(self.max_length, ctx.max_length)
        questions = [x["question"].lstrip() for x in items]
        for q in tok(questions)["input_ids"]:
            if len(q) > MAX_QUESTION_TOKENS:
                raise InputError(f"the question is {len(q)} tokens; at most {MAX_QUESTION_TOKENS} are allowed")
        enc = tok(questions, [x["context"] for x in items], truncation="only_second", max_length=max_length,
                  stride=self.doc_stride, return_overflowing_tokens=True, return_offsets_mapping=True)
        features = []
        for f, item in enumerate(enc["overflow_to_sample_mapping"]):
            seq = enc.sequence_ids(f)
            context = items[item]["context"]  # offsets without the spaces byte-level BPE tokens carry
            offsets = [trim_span(context, *o) if s == 1 else None for o, s in zip(enc["offset_mapping"][f], seq)]
            feature = {"item": item, "input_ids": enc["input_ids"][f],
                       "attention_mask": enc["attention_mask"][f], "offsets": offsets}
            if "token_type_ids" in enc:
                feature["token_type_ids"] = enc["token_type_ids"][f]
            features.append(feature)
        return features

    def forward(self, ctx, model, batch, meta, **_):
        """Per window: start and end logits over its tokens, -inf where no answer can be ([CLS] kept)."""
        out = model(**batch)
        start, end = out.start_logits.float().cpu(), out.end_logits.float().cpu()  # masks below are CPU tensors
        results = []
        for row, feature in enumerate(meta):
            n = len(feature["input_ids"])
            valid = torch.tensor([o is not None for o in feature["offsets"]])
            valid[0] = True  # [CLS] = no answer
            results.append((start[row, :n].masked_fill(~valid, -math.inf).numpy(),
                            end[row, :n].masked_fill(~valid, -math.inf).numpy()))
        return results

    def postprocess(self, ctx, items, features, outputs, top_k=5, threshold=None):
        if threshold is None:  # the threshold tuned when the head was trained, else the family default
            threshold = ctx.meta.get("no_answer_threshold", self.threshold)
        threshold = float(threshold)
        windows = [[] for _ in items]
        for feature, (s, e) in zip(features, outputs):
            windows[feature["item"]].append((feature["offsets"], s, e))
        return [self._answer(item["context"], w, top_k, threshold) for item, w in zip(items, windows)]

    def _answer(self, context, windows, top_k, threshold):
        """One item's answer from all its windows' logits, on scores comparable across windows."""
        null, best = None, {}
        for offsets, s, e in windows:
            window_null, spans = self._window(offsets, s, e)
            null = window_null if null is None else min(null, window_null)
            for value, start, end in spans:
                if value > best.get((start, end), -math.inf):  # windows overlap: each span once, at its best
                    best[(start, end)] = value
        if self.scoring == "relative":
            null = 0.0
        ranked = sorted(((v - null, a, b) for (a, b), v in best.items()), reverse=True)
        # score: the span's share of exp(value) among every candidate span and "no answer" (value 0)
        m = max([0.0] + [v for v, _, _ in ranked[:1]])
        norm = math.exp(-m) + sum(math.exp(v - m) for v, _, _ in ranked)
        top = [{"answer": context[a:b], "start": a, "end": b, "score": math.exp(v - m) / norm}
               for v, a, b in ranked[:max(top_k, 1)]]
        # no answer against the best span alone: sigmoid(null - best); 1 when no span exists
        no_answer_probability = _sigmoid(-ranked[0][0]) if ranked else 1.0
        result = dict(top[0]) if top else {"answer": "", "start": -1, "end": -1, "score": 0.0}
        if self.allow_no_answer and (not top or no_answer_probability > threshold):
            result = {"answer": "", "start": -1, "end": -1, "score": float(no_answer_probability)}
        result["no_answer_probability"] = float(no_answer_probability)
        result["top_k"] = top
        return result

    def _window(self, offsets, s, e):
        """(null value, [(value, char_start, char_end)]) of one window's candidate spans.

        Values are logit sums start+end: raw ("raw"), minus the window's own [CLS] sum ("relative": the
        null is then 0 in every window), or log-probabilities of a softmax over the window ("window")."""
        if self.scoring == "window":
            s, e = s - _logsumexp(s), e - _logsumexp(e)
        null = float(s[0] + e[0])
        candidates = np.array([i for i, o in enumerate(offsets) if o is not None], dtype=int)
        if not len(candidates):
            return null, []
        starts = candidates[np.argsort(-s[candidates], kind="stable")[:20]]
        ends = candidates[np.argsort(-e[candidates], kind="stable")[:20]]
        value = s[starts][:, None] + e[ends][None, :]
        ok = (ends[None, :] >= starts[:, None]) & (ends[None, :] < starts[:, None] + self.max_answer_tokens)
        shift = null if self.scoring == "relative" else 0.0
        return null, [(float(value[i, j] - shift), offsets[starts[i]][0], offsets[ends[j]][1])
                      for i, j in zip(*np.nonzero(ok))]

    # ---- training and scoring ------------------------------------------------------------------
    def to_inputs(self, task, dataset):
        return [{"question": q, "context": c} for q, c in zip(dataset["question"], dataset["context"])]

    def train_features(self, task, tokenizer, dataset, max_length):
        max_length = min(self.max_length, max_length)

        def encode(batch):
            enc = tokenizer([q.lstrip() for q in batch["question"]], batch["context"], truncation="only_second",
                            max_length=max_length, stride=min(self.doc_stride, max_length // 2),
                            return_overflowing_tokens=True, return_offsets_mapping=True)
            starts, ends = [], []
            for f, offsets in enumerate(enc["offset_mapping"]):
                answers = batch["answers"][enc["overflow_to_sample_mapping"][f]]
                seq = enc.sequence_ids(f)
                start_tok = end_tok = 0  # [CLS]: no answer, or the answer is outside this window
                if answers["answer_start"]:
                    a0 = answers["answer_start"][0]
                    a1 = a0 + len(answers["text"][0])
                    ctx = [i for i, sid in enumerate(seq) if sid == 1]
                    if offsets[ctx[0]][0] <= a0 and offsets[ctx[-1]][1] >= a1:
                        start_tok = next(i for i in ctx if offsets[i][1] > a0)
                        end_tok = next(i for i in reversed(ctx) if offsets[i][0] < a1)
                starts.append(start_tok)
                ends.append(end_tok)
            enc.pop("offset_mapping")
            enc.pop("overflow_to_sample_mapping")
            enc["start_positions"], enc["end_positions"] = starts, ends
            return enc

        return dataset.map(encode, batched=True, remove_columns=dataset.column_names)

    def required_columns(self, task):
        return ("question", "context", "answers")

    def predictions(self, task, outputs, dataset):
        if self.allow_no_answer:
            return [{"id": i, "prediction_text": o["answer"], "no_answer_probability": o["no_answer_probability"]}
                    for i, o in zip(dataset["id"], outputs)]
        return [{"id": i, "prediction_text": o["answer"]} for i, o in zip(dataset["id"], outputs)]

    def references(self, task, dataset):
        return [{"id": i, "answers": a} for i, a in zip(dataset["id"], dataset["answers"])]


def _logsumexp(x):
    m = float(np.max(x))
    return m + math.log(float(np.sum(np.exp(x - m))))


def _sigmoid(x):
    return 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))
