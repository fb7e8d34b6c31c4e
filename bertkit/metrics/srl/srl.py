"""Span-level semantic role labelling metric (CoNLL-2005 style P/R/F1, predicate excluded)."""
from collections import Counter

import datasets
import evaluate

_CITATION = """\
@inproceedings{carreras-marquez-2005-introduction,
    title = "Introduction to the {C}o{NLL}-2005 Shared Task: Semantic Role Labeling",
    author = "Carreras, Xavier  and M{\\`a}rquez, Llu{\\'\\i}s",
    booktitle = "Proceedings of the Ninth Conference on Computational Natural Language Learning ({C}o{NLL}-2005)",
    year = "2005",
    url = "https://aclanthology.org/W05-0620",
    pages = "152--164",
}
"""

_DESCRIPTION = """\
Span-level precision, recall and F1 for semantic role labelling. Each example is the BIO tag sequence
of one predicate instance (e.g. B-ARG0 I-ARG0 B-V B-ARG1 I-ARG1 O). Argument spans are read from the
tags and compared as exact (role, start, end) triples: a predicted span counts only if a gold span has
the same role and the same boundaries, so a boundary error is both a false positive and a false
negative. The predicate's own spans (role V by default) are not counted, as in the CoNLL-2005 scorer.
An I- tag that does not continue a span of the same role starts a new span (conlleval convention).
"""

_KWARGS_DESCRIPTION = """
Computes span-level SRL scores, overall (micro-averaged) and per role.
Args:
    predictions: list of lists of predicted BIO tags, one list per predicate instance.
    references: list of lists of gold BIO tags, aligned with predictions (same lengths).
        Tags are "O", "B-<ROLE>" or "I-<ROLE>"; the role is everything after the first "-"
        (e.g. "B-ARGM-TMP" has role "ARGM-TMP", "B-R-ARG0" has role "R-ARG0").
    ignore_labels (list of str, default ["V"]): roles left out of the counts (the predicate).
Returns (precision/recall/f1 on a 0-1 scale, 0.0 when undefined):
    "precision", "recall", "f1": over all argument spans,
    "number": number of gold argument spans,
    <ROLE>: {"precision", "recall", "f1", "number"} for every role seen in references or predictions.
Examples:
    >>> srl = evaluate.load("bertkit/metrics/srl")
    >>> srl.compute(predictions=[["B-ARG0", "B-V", "B-ARG1", "I-ARG1"]],
    ...             references=[["B-ARG0", "B-V", "B-ARG1", "O"]])
    {'precision': 0.5, 'recall': 0.5, 'f1': 0.5, 'number': 2, 'ARG0': {'precision': 1.0, 'recall': 1.0, 'f1': 1.0, 'number': 1}, 'ARG1': {'precision': 0.0, 'recall': 0.0, 'f1': 0.0, 'number': 1}}
"""

DEFAULT_IGNORE_LABELS = ("V",)


def get_spans(tags):
    """(role, start, end_inclusive) spans of a BIO tag sequence; a stray I- starts a span."""
    spans = []
    current = None  # [role, start, end]
    for i, tag in enumerate(list(tags) + ["O"]):
        if tag == "O" or tag is None or tag == "":
            prefix, role = "O", None
        elif len(tag) > 2 and tag[1] == "-" and tag[0] in "BI":
            prefix, role = tag[0], tag[2:]
        else:
            raise ValueError(f"SRL tags must be 'O', 'B-<ROLE>' or 'I-<ROLE>'; got {tag!r}")
        if current is not None and (prefix != "I" or role != current[0]):
            spans.append(tuple(current))
            current = None
        if prefix == "B" or (prefix == "I" and current is None):
            current = [role, i, i]
        elif prefix == "I":
            current[2] = i
    return spans


def _prf(tp, n_pred, n_gold):
    precision = tp / n_pred if n_pred else 0.0
    recall = tp / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def compute_srl_scores(predictions, references, ignore_labels=DEFAULT_IGNORE_LABELS):
    if len(predictions) != len(references):
        raise ValueError(f"{len(predictions)} predictions but {len(references)} references")
    ignore = set(ignore_labels or ())
    tp, n_pred, n_gold = Counter(), Counter(), Counter()
    for k, (pred_tags, gold_tags) in enumerate(zip(predictions, references)):
        if len(pred_tags) != len(gold_tags):
            raise ValueError(
                f"example {k}: {len(pred_tags)} predicted tags but {len(gold_tags)} reference tags"
            )
        pred = {s for s in get_spans(pred_tags) if s[0] not in ignore}
        gold = {s for s in get_spans(gold_tags) if s[0] not in ignore}
        n_pred.update(s[0] for s in pred)
        n_gold.update(s[0] for s in gold)
        tp.update(s[0] for s in pred & gold)

    precision, recall, f1 = _prf(sum(tp.values()), sum(n_pred.values()), sum(n_gold.values()))
    scores = {"precision": precision, "recall": recall, "f1": f1, "number": sum(n_gold.values())}
    for role in sorted(set(n_pred) | set(n_gold)):
        p, r, f = _prf(tp[role], n_pred[role], n_gold[role])
        scores[role] = {"precision": p, "recall": r, "f1": f, "number": n_gold[role]}
    return scores


@evaluate.utils.file_utils.add_start_docstrings(_DESCRIPTION, _KWARGS_DESCRIPTION)
class Srl(evaluate.Metric):
    def _info(self):
        return evaluate.MetricInfo(
            description=_DESCRIPTION,
            citation=_CITATION,
            inputs_description=_KWARGS_DESCRIPTION,
            features=datasets.Features(
                {
                    "predictions": datasets.Sequence(datasets.Value("string", id="label"), id="sequence"),
                    "references": datasets.Sequence(datasets.Value("string", id="label"), id="sequence"),
                }
            ),
            codebase_urls=[],
            reference_urls=["https://www.cs.upc.edu/~srlconll/"],
        )

    def _compute(self, predictions, references, ignore_labels=DEFAULT_IGNORE_LABELS):
        return compute_srl_scores(predictions, references, ignore_labels=ignore_labels)
