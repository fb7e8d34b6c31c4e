"""GLUE benchmark metric: a local drop-in for the hub module `glue`."""
import datasets
import evaluate
import numpy as np
from scipy.stats import pearsonr
from scipy.stats import spearmanr
from sklearn.metrics import f1_score
from sklearn.metrics import matthews_corrcoef

_CITATION = """\
@inproceedings{wang2019glue,
  title={{GLUE}: A Multi-Task Benchmark and Analysis Platform for Natural Language Understanding},
  author={Wang, Alex and Singh, Amanpreet and Michael, Julian and Hill, Felix and Levy, Omer and Bowman, Samuel R.},
  note={In the Proceedings of ICLR.},
  year={2019}
}
"""

_DESCRIPTION = """\
GLUE, the General Language Understanding Evaluation benchmark (https://gluebenchmark.com/), is a
collection of resources for training, evaluating and analysing natural language understanding
systems. This module computes the official metric(s) of one GLUE task, selected by the config name.
"""

_KWARGS_DESCRIPTION = """
Computes the GLUE metric(s) of the task chosen with the config name.
Args:
    predictions: predicted labels, one per example (int class ids; float scores for `stsb`).
    references: gold labels, one per example (int class ids; float scores for `stsb`).
Returns, depending on the config (all on a 0-1 scale; correlations in [-1, 1]):
    sst2, mnli, mnli_mismatched, mnli_matched, qnli, rte, wnli, hans: {"accuracy"}
    mrpc, qqp: {"accuracy", "f1"} (binary F1 of the positive class 1)
    cola: {"matthews_correlation"}
    stsb: {"pearson", "spearmanr"}
Examples:
    >>> glue = evaluate.load("bertkit/metrics/glue", "mrpc")
    >>> glue.compute(predictions=[0, 1], references=[0, 1])
    {'accuracy': 1.0, 'f1': 1.0}
"""

CONFIG_NAMES = (
    "sst2",
    "mnli",
    "mnli_mismatched",
    "mnli_matched",
    "cola",
    "stsb",
    "mrpc",
    "qqp",
    "qnli",
    "rte",
    "wnli",
    "hans",
)
_ACCURACY_ONLY = ("sst2", "mnli", "mnli_mismatched", "mnli_matched", "qnli", "rte", "wnli", "hans")


def _config_error(name):
    return KeyError(
        f"GLUE config {name!r} is unknown; supply a configuration name selected in {list(CONFIG_NAMES)}"
    )


def simple_accuracy(preds, labels):
    return float((np.asarray(preds) == np.asarray(labels)).mean())


def acc_and_f1(preds, labels):
    return {
        "accuracy": simple_accuracy(preds, labels),
        "f1": float(f1_score(y_true=labels, y_pred=preds)),
    }


def pearson_and_spearman(preds, labels):
    return {
        "pearson": float(pearsonr(preds, labels)[0]),
        "spearmanr": float(spearmanr(preds, labels)[0]),
    }


@evaluate.utils.file_utils.add_start_docstrings(_DESCRIPTION, _KWARGS_DESCRIPTION)
class Glue(evaluate.Metric):
    def _info(self):
        if self.config_name not in CONFIG_NAMES:
            raise _config_error(self.config_name)
        dtype = "float32" if self.config_name == "stsb" else "int64"
        return evaluate.MetricInfo(
            description=_DESCRIPTION,
            citation=_CITATION,
            inputs_description=_KWARGS_DESCRIPTION,
            features=datasets.Features(
                {"predictions": datasets.Value(dtype), "references": datasets.Value(dtype)}
            ),
            codebase_urls=[],
            reference_urls=["https://gluebenchmark.com/"],
            format="numpy",
        )

    def _compute(self, predictions, references):
        name = self.config_name
        if name == "cola":
            return {"matthews_correlation": float(matthews_corrcoef(references, predictions))}
        if name == "stsb":
            return pearson_and_spearman(predictions, references)
        if name in ("mrpc", "qqp"):
            return acc_and_f1(predictions, references)
        if name in _ACCURACY_ONLY:
            return {"accuracy": simple_accuracy(predictions, references)}
        raise _config_error(name)
