"""Extractive question answering (SQuAD v1.1 and v2.0).

Long contexts are split into overlapping windows (`doc_stride` tokens of overlap), every window is
scored, and the best span over all windows wins. Span score = p(start) * p(end), softmax over the
window's context tokens and [CLS]; the no-answer score is p(start=[CLS]) * p(end=[CLS]) (lowest over
windows). With `allow_no_answer`, the answer is empty when
no_answer_probability = null / (null + best) exceeds `threshold`.
Output: {"answer", "start", "end" (character offsets in the context), "score",
"no_answer_probability", "top_k": [{"answer", "start", "end", "score"}...]}.
"""
from __future__ import annotations

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
        out = model(**batch)
        start, end = out.start_logits.float().cpu(), out.end_logits.float().cpu()  # masks below are CPU tensors
        results = []
        for row, feature in enumerate(meta):
            n = len(feature["input_ids"])
            valid = torch.tensor([o is not None for o in feature["offsets"]] + [False] * (start.shape[1] - n))
            valid[0] = True  # [CLS] = no answer
            s = torch.softmax(start[row].masked_fill(~valid, -1e9), -1)[:n].numpy()
            e = torch.softmax(end[row].masked_fill(~valid, -1e9), -1)[:n].numpy()
            results.append((s, e))
        return results

    def postprocess(self, ctx, items, features, outputs, top_k=5, threshold=None):
        if threshold is None:  # the threshold tuned when the head was trained, else the family default
            threshold = ctx.meta.get("no_answer_threshold", self.threshold)
        threshold = float(threshold)
        per_item = [[] for _ in items]
        null = [1.0] * len(items)
        for feature, (s, e) in zip(features, outputs):
            i = feature["item"]
            null[i] = min(null[i], float(s[0] * e[0]))
            per_item[i].extend(self._spans(feature["offsets"], s, e, max(top_k, 1)))
        results = []
        for item, spans, null_score in zip(items, per_item, null):
            context = item["context"]
            best = {}
            for score, start, end in sorted(spans, reverse=True):
                key = (start, end)  # windows overlap: keep each span once, at its best score
                if key not in best:
                    best[key] = {"answer": context[start:end], "start": start, "end": end, "score": score}
            top = list(best.values())[:max(top_k, 1)]
            top_score = top[0]["score"] if top else 0.0
            no_answer_probability = null_score / (null_score + top_score) if (null_score + top_score) else 1.0
            result = dict(top[0]) if top else {"answer": "", "start": -1, "end": -1, "score": 0.0}
            if self.allow_no_answer and (not top or no_answer_probability > threshold):
                result = {"answer": "", "start": -1, "end": -1, "score": float(no_answer_probability)}
            result["no_answer_probability"] = float(no_answer_probability)
            result["top_k"] = top
            results.append(result)
        return results

    def _spans(self, offsets, s, e, k):
        """The k best (score, char_start, char_end) spans of one window."""
        candidates = [i for i, o in enumerate(offsets) if o is not None]
        if not candidates:
            return []
        starts = sorted(candidates, key=lambda i: -s[i])[:20]
        ends = sorted(candidates, key=lambda i: -e[i])[:20]
        spans = []
        for a in starts:
            for b in ends:
                if a <= b < a + self.max_answer_tokens:
                    spans.append((float(s[a] * e[b]), offsets[a][0], offsets[b][1]))
        return sorted(spans, reverse=True)[:k]

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
