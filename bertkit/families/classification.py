"""Sequence classification: single sentences (SST-2, CoLA), pairs (MRPC, RTE, WNLI, QNLI) and
regression (STS-B). Output: {"label", "score", "scores": {label: probability}}; STS-B: {"score"}.
"""
from __future__ import annotations


import numpy as np
import torch

from ..data.schema import unlabelled
from ..errors import InputError
from .base import Family, Option, check_length, clean_text


class SequenceClassification(Family):
    auto_class = "AutoModelForSequenceClassification"
    head_modules = ("classifier", "pooler")  # BERT's [CLS] pooler is part of the task head
    reads_cls_only = True  # the pooler reads the [CLS] position alone
    options = {"truncate": Option(bool, False, help="cut inputs longer than the model takes instead of refusing them")}

    @property
    def input_fields(self):
        return ("text", "text_pair") if self.pair else ("text",)

    @property
    def output_keys(self):
        return ("score",) if self.regression else ("label", "score", "scores")

    def __init__(self, pair: bool = False, regression: bool = False, score_range=(0.0, 5.0)):
        self.pair, self.regression, self.score_range = pair, regression, score_range
        self.labelled = not regression
        self.user_labels = "score" if regression else "class"

    def label_map(self, task, model, user_map=None, source="the model"):
        if self.regression:
            n = getattr(getattr(model, "config", None), "num_labels", 1)
            if n != 1:
                from ..labels import LabelMapError

                raise LabelMapError(f"{source} is a {n}-label classifier; {task.name} needs a regression head "
                                    "(one output). Fine-tune it on this task first.")
            return None
        return super().label_map(task, model, user_map, source)

    def model_kwargs(self, task):
        if self.regression:
            return {"num_labels": 1, "problem_type": "regression"}
        return {"num_labels": len(task.labels), "id2label": dict(enumerate(task.labels)),
                "label2id": {label: i for i, label in enumerate(task.labels)},
                "problem_type": "single_label_classification"}

    def init_head(self, model, train_rows):
        """Regression starts at the mean target: otherwise the first epoch is spent moving the bias."""
        if self.regression and hasattr(model, "classifier"):
            import torch

            labels = [float(x) for x in train_rows["label"] if not unlabelled(x)]
            last = [m for m in model.classifier.modules() if isinstance(m, torch.nn.Linear)][-1]
            with torch.no_grad():
                last.bias.fill_(sum(labels) / max(len(labels), 1))

    def check_input(self, task, item):
        if not self.pair:
            if isinstance(item, dict):
                item = item.get("text")
            return {"text": clean_text(item)}
        if isinstance(item, (list, tuple)) and len(item) == 2:
            item = {"text": item[0], "text_pair": item[1]}
        if not isinstance(item, dict) or "text" not in item or "text_pair" not in item:
            raise InputError(f"{task.name} takes a pair: {{'text': ..., 'text_pair': ...}}, got {item!r:.80}")
        return {"text": clean_text(item["text"], "text"), "text_pair": clean_text(item["text_pair"], "text_pair")}

    def preprocess(self, ctx, items, truncate=False):
        tok, limit = ctx.tokenizer, ctx.max_length
        texts = [x["text"] for x in items]
        pairs = [x["text_pair"] for x in items] if self.pair else None
        enc = tok(texts, pairs, truncation=bool(truncate), max_length=limit if truncate else None)
        features = []
        for i in range(len(items)):
            ids = enc["input_ids"][i]
            check_length(len(ids), limit, "the pair" if self.pair else "text", can_truncate=True)
            feature = {"item": i, "input_ids": ids, "attention_mask": enc["attention_mask"][i]}
            if "token_type_ids" in enc:
                feature["token_type_ids"] = enc["token_type_ids"][i]
            features.append(feature)
        return features

    def forward(self, ctx, model, batch, meta, **_):
        logits = model(**batch).logits.float()
        if self.regression:
            return logits[:, 0].tolist()
        return torch.softmax(logits, dim=-1).tolist()

    def postprocess(self, ctx, items, features, outputs, **_):
        if self.regression:
            low, high = self.score_range
            return [{"score": float(min(max(out, low), high))} for out in outputs]
        names = ctx.labels
        if ctx.label_map is not None:  # the head's own labels, by name, summed into the task's
            outputs = ctx.label_map.aggregate(np.asarray(outputs, dtype=np.float64))
        results = []
        for probs in outputs:
            best = int(np.argmax(probs))
            results.append({"label": names[best], "score": float(probs[best]),
                            "scores": {n: float(p) for n, p in zip(names, probs)}})
        return results

    # ---- training and scoring ------------------------------------------------------------------
    def to_inputs(self, task, dataset):
        if self.pair:
            return [{"text": t, "text_pair": p} for t, p in zip(dataset["text"], dataset["text_pair"])]
        return list(dataset["text"])

    def train_features(self, task, tokenizer, dataset, max_length):
        def encode(batch):
            enc = tokenizer(batch["text"], batch["text_pair"] if self.pair else None,
                            truncation=True, max_length=max_length)
            enc["labels"] = [float(x) for x in batch["label"]] if self.regression else batch["label"]
            return enc

        labelled = dataset.filter(lambda r: not unlabelled(r["label"]))
        return labelled.map(encode, batched=True, remove_columns=dataset.column_names)

    def required_columns(self, task):
        return ("text", "text_pair", "label") if self.pair else ("text", "label")

    def predictions(self, task, outputs, dataset):
        if self.regression:
            return [o["score"] for o in outputs]
        index = {n: i for i, n in enumerate(task.labels)}
        return [index.get(o["label"], -1) for o in outputs]

    def references(self, task, dataset):
        return list(dataset["label"])
