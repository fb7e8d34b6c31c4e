"""Masked-token accuracy: how often the gold token is the model's first (top-1) or among its first
five (top-5) candidates at a masked position."""
import datasets
import evaluate

_DESCRIPTION = """\
Masked-language-model accuracy over masked tokens. One example is one block of running text with
some positions masked: its prediction holds, per masked position, the candidate token ids best
first; its reference holds the gold token id per masked position. Accuracy is micro-averaged over
all masked tokens of all examples.
"""

_KWARGS_DESCRIPTION = """
Args:
    predictions: per example, a list (one per masked position) of candidate token ids, best first
        (at least 5 for a meaningful top-5).
    references: per example, the gold token id of each masked position (same length).
Returns:
    top1_accuracy: share of masked tokens whose gold id is the first candidate (0-1)
    top5_accuracy: share of masked tokens whose gold id is among the first five candidates (0-1)
    masked_tokens: the number of masked tokens scored
Examples:
    >>> masked_lm = evaluate.load("bertkit/metrics/masked_lm")
    >>> masked_lm.compute(predictions=[[[7, 3], [2, 9]]], references=[[7, 9]])
    {'top1_accuracy': 0.5, 'top5_accuracy': 1.0, 'masked_tokens': 2}
"""


def block_hits(candidates, gold):
    """(top-1 hits, top-5 hits, masked tokens) of one block."""
    top1 = sum(bool(row) and row[0] == target for row, target in zip(candidates, gold))
    top5 = sum(target in list(row)[:5] for row, target in zip(candidates, gold))
    return int(top1), int(top5), len(gold)


@evaluate.utils.file_utils.add_start_docstrings(_DESCRIPTION, _KWARGS_DESCRIPTION)
class MaskedLm(evaluate.Metric):
    def _info(self):
        return evaluate.MetricInfo(
            description=_DESCRIPTION,
            citation="",
            inputs_description=_KWARGS_DESCRIPTION,
            features=datasets.Features({
                "predictions": datasets.Sequence(datasets.Sequence(datasets.Value("int64"))),
                "references": datasets.Sequence(datasets.Value("int64")),
            }),
        )

    def _compute(self, predictions, references):
        top1 = top5 = total = 0
        for candidates, gold in zip(predictions, references):
            if len(candidates) != len(gold):
                raise ValueError(f"a block has {len(candidates)} candidate lists for {len(gold)} masked tokens")
            a, b, n = block_hits(candidates, gold)
            top1, top5, total = top1 + a, top5 + b, total + n
        return {"top1_accuracy": top1 / max(total, 1), "top5_accuracy": top5 / max(total, 1), "masked_tokens": total}
