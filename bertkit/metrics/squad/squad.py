"""SQuAD v1.1 metric: a local drop-in for the hub module `squad` (official v1.1 scoring)."""
import re
import string
import sys
from collections import Counter

import datasets
import evaluate

_CITATION = """\
@inproceedings{Rajpurkar2016SQuAD10,
  title={SQuAD: 100, 000+ Questions for Machine Comprehension of Text},
  author={Pranav Rajpurkar and Jian Zhang and Konstantin Lopyrev and Percy Liang},
  booktitle={EMNLP},
  year={2016}
}
"""

_DESCRIPTION = """\
The official scoring of version 1.1 of the Stanford Question Answering Dataset (SQuAD): exact match
and token-overlap F1 between the predicted answer text and the best-matching gold answer, after
the official normalisation (lower case, punctuation removed, articles a/an/the removed, whitespace
collapsed).
"""

_KWARGS_DESCRIPTION = """
Computes SQuAD v1.1 scores (exact match and F1).
Args:
    predictions: list of dicts {"id": str, "prediction_text": str}.
    references: list of dicts {"id": str, "answers": {"text": [str, ...], "answer_start": [int, ...]}}.
        answer_start is not used by the score. Every reference id counts in the total; a reference
        with no prediction scores 0 (a note is printed on stderr).
Returns (both on a 0-100 scale):
    "exact_match": percentage of questions whose normalised prediction equals a normalised gold answer,
    "f1": mean over questions of the best token-overlap F1 against the gold answers, times 100.
Examples:
    >>> squad = evaluate.load("bertkit/metrics/squad")
    >>> squad.compute(predictions=[{"id": "q1", "prediction_text": "1976"}],
    ...               references=[{"id": "q1", "answers": {"text": ["1976"], "answer_start": [97]}}])
    {'exact_match': 100.0, 'f1': 100.0}
"""

_ARTICLES = re.compile(r"\b(a|an|the)\b")
_PUNCTUATION = frozenset(string.punctuation)


def normalize_answer(s):
    """Lower case, drop punctuation, drop the articles a/an/the, collapse whitespace."""
    s = s.lower()
    s = "".join(ch for ch in s if ch not in _PUNCTUATION)
    s = _ARTICLES.sub(" ", s)
    return " ".join(s.split())


def f1_score(prediction, ground_truth):
    prediction_tokens = normalize_answer(prediction).split()
    ground_truth_tokens = normalize_answer(ground_truth).split()
    num_same = sum((Counter(prediction_tokens) & Counter(ground_truth_tokens)).values())
    if num_same == 0:
        return 0
    precision = num_same / len(prediction_tokens)
    recall = num_same / len(ground_truth_tokens)
    return (2 * precision * recall) / (precision + recall)


def exact_match_score(prediction, ground_truth):
    return normalize_answer(prediction) == normalize_answer(ground_truth)


def metric_max_over_ground_truths(metric_fn, prediction, ground_truths):
    return max(metric_fn(prediction, ground_truth) for ground_truth in ground_truths)


def compute_score(references, predictions):
    """references: [{"id", "answers": {"text": [...]}}]; predictions: {id: text}."""
    f1 = exact_match = total = 0
    for ref in references:
        total += 1
        qid = ref["id"]
        if qid not in predictions:
            print(f"Unanswered question {qid} will receive score 0.", file=sys.stderr)
            continue
        ground_truths = list(ref["answers"]["text"])
        prediction = predictions[qid]
        exact_match += metric_max_over_ground_truths(exact_match_score, prediction, ground_truths)
        f1 += metric_max_over_ground_truths(f1_score, prediction, ground_truths)
    return {"exact_match": 100.0 * exact_match / total, "f1": 100.0 * f1 / total}


@evaluate.utils.file_utils.add_start_docstrings(_DESCRIPTION, _KWARGS_DESCRIPTION)
class Squad(evaluate.Metric):
    def _info(self):
        return evaluate.MetricInfo(
            description=_DESCRIPTION,
            citation=_CITATION,
            inputs_description=_KWARGS_DESCRIPTION,
            features=datasets.Features(
                {
                    "predictions": {
                        "id": datasets.Value("string"),
                        "prediction_text": datasets.Value("string"),
                    },
                    "references": {
                        "id": datasets.Value("string"),
                        "answers": datasets.features.Sequence(
                            {"text": datasets.Value("string"), "answer_start": datasets.Value("int32")}
                        ),
                    },
                }
            ),
            codebase_urls=["https://rajpurkar.github.io/SQuAD-explorer/"],
            reference_urls=["https://rajpurkar.github.io/SQuAD-explorer/"],
        )

    def _compute(self, predictions, references):
        pred_dict = {p["id"]: p["prediction_text"] for p in predictions}
        return compute_score(references, pred_dict)
