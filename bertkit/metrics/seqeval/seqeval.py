"""seqeval metric: a local drop-in for the hub module `seqeval` (entity-level P/R/F1)."""
import importlib
from typing import List
from typing import Optional
from typing import Union

import datasets
import evaluate
from seqeval.metrics import accuracy_score
from seqeval.metrics import classification_report

_CITATION = """\
@inproceedings{ramshaw-marcus-1995-text,
    title = "Text Chunking using Transformation-Based Learning",
    author = "Ramshaw, Lance  and Marcus, Mitch",
    booktitle = "Third Workshop on Very Large Corpora",
    year = "1995",
    url = "https://www.aclweb.org/anthology/W95-0107",
}
@misc{seqeval,
  title={{seqeval}: A Python framework for sequence labeling evaluation},
  url={https://github.com/chakki-works/seqeval},
  note={Software available from https://github.com/chakki-works/seqeval},
  author={Hiroki Nakayama},
  year={2018},
}
"""

_DESCRIPTION = """\
seqeval evaluates sequence labelling (named-entity recognition, chunking, ...) at the level of
chunks, as the conlleval Perl script of the CoNLL-2000 shared task does. Supported tagging formats:
IOB1, IOB2, IOE1, IOE2, IOBES (and BILOU in strict mode). See https://github.com/chakki-works/seqeval.
"""

_KWARGS_DESCRIPTION = """
Computes chunk-level precision, recall and F1, overall and per entity type, plus token accuracy.
Args:
    predictions: list of lists of predicted tags (one list per sentence).
    references: list of lists of gold tags, aligned with predictions.
    suffix (bool, default False): True if the IOB prefix comes after the type (e.g. "PER-B").
    scheme (str, default None): one of "IOB1", "IOB2", "IOE1", "IOE2", "IOBES", "BILOU"
        (a seqeval.scheme class name), used by mode="strict".
    mode (str, default None): "strict" counts only chunks whose tags follow the scheme exactly;
        None uses conlleval's lenient chunking.
    sample_weight (list, default None): a weight per sentence.
    zero_division (0, 1 or "warn", default "warn"): value used when a ratio divides by zero
        ("warn" acts as 0 and warns).
Returns (all on a 0-1 scale):
    <TYPE>: {"precision", "recall", "f1", "number"} for every entity type (number = gold chunks),
    "overall_precision", "overall_recall", "overall_f1": micro averages over all chunks,
    "overall_accuracy": token-level accuracy.
Examples:
    >>> seqeval = evaluate.load("bertkit/metrics/seqeval")
    >>> results = seqeval.compute(
    ...     predictions=[["O", "O", "B-MISC", "I-MISC", "I-MISC", "I-MISC", "O"], ["B-PER", "I-PER", "O"]],
    ...     references=[["O", "O", "O", "B-MISC", "I-MISC", "I-MISC", "O"], ["B-PER", "I-PER", "O"]])
    >>> list(results)
    ['MISC', 'PER', 'overall_precision', 'overall_recall', 'overall_f1', 'overall_accuracy']
    >>> results["overall_f1"], results["PER"]["f1"]
    (0.5, 1.0)
"""

SCHEMES = ("IOB1", "IOB2", "IOE1", "IOE2", "IOBES", "BILOU")


@evaluate.utils.file_utils.add_start_docstrings(_DESCRIPTION, _KWARGS_DESCRIPTION)
class Seqeval(evaluate.Metric):
    def _info(self):
        return evaluate.MetricInfo(
            description=_DESCRIPTION,
            citation=_CITATION,
            homepage="https://github.com/chakki-works/seqeval",
            inputs_description=_KWARGS_DESCRIPTION,
            features=datasets.Features(
                {
                    "predictions": datasets.Sequence(datasets.Value("string", id="label"), id="sequence"),
                    "references": datasets.Sequence(datasets.Value("string", id="label"), id="sequence"),
                }
            ),
            codebase_urls=["https://github.com/chakki-works/seqeval"],
            reference_urls=["https://github.com/chakki-works/seqeval"],
        )

    def _compute(
        self,
        predictions,
        references,
        suffix: bool = False,
        scheme: Optional[str] = None,
        mode: Optional[str] = None,
        sample_weight: Optional[List[int]] = None,
        zero_division: Union[str, int] = "warn",
    ):
        if scheme is not None:
            scheme_class = None
            if scheme in SCHEMES:
                scheme_class = getattr(importlib.import_module("seqeval.scheme"), scheme, None)
            if scheme_class is None:
                raise ValueError(f"Scheme should be one of {list(SCHEMES)}, got {scheme}")
            scheme = scheme_class
        report = classification_report(
            y_true=references,
            y_pred=predictions,
            suffix=suffix,
            output_dict=True,
            scheme=scheme,
            mode=mode,
            sample_weight=sample_weight,
            zero_division=zero_division,
        )
        report.pop("macro avg")
        report.pop("weighted avg")
        overall_score = report.pop("micro avg")

        # Plain Python numbers (seqeval gives numpy ones): same values, and JSON-serialisable.
        scores = {
            type_name: {
                "precision": float(score["precision"]),
                "recall": float(score["recall"]),
                "f1": float(score["f1-score"]),
                "number": int(score["support"]),
            }
            for type_name, score in report.items()
        }
        scores["overall_precision"] = float(overall_score["precision"])
        scores["overall_recall"] = float(overall_score["recall"])
        scores["overall_f1"] = float(overall_score["f1-score"])
        scores["overall_accuracy"] = float(accuracy_score(y_true=references, y_pred=predictions))
        return scores
