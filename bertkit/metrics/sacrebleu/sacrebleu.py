"""SacreBLEU metric: a local drop-in for the hub module `sacrebleu` (corpus BLEU)."""
import datasets
import evaluate
import sacrebleu as scb
from packaging import version

_CITATION = """\
@inproceedings{post-2018-call,
    title = "A Call for Clarity in Reporting {BLEU} Scores",
    author = "Post, Matt",
    booktitle = "Proceedings of the Third Conference on Machine Translation: Research Papers",
    month = oct,
    year = "2018",
    address = "Belgium, Brussels",
    publisher = "Association for Computational Linguistics",
    url = "https://www.aclweb.org/anthology/W18-6319",
    pages = "186--191",
}
"""

_DESCRIPTION = """\
SacreBLEU computes shareable, comparable and reproducible corpus-level BLEU scores on detokenised
text, with its own standard tokenisation (13a by default), as reported in WMT.
See https://github.com/mjpost/sacreBLEU.
"""

_KWARGS_DESCRIPTION = """
Computes corpus BLEU with sacrebleu.corpus_bleu.
Args:
    predictions (list of str): the system outputs, detokenised.
    references (list of list of str): one sub-list of references per prediction; every sub-list must
        hold the same number of references. A flat list of str is taken as one reference each.
    smooth_method (str, default "exp"): "none", "floor", "add-k" or "exp".
    smooth_value (float, default None): for "floor" (default 0.1) and "add-k" (default 1).
    tokenize (str, default None = sacrebleu's default "13a"): "none", "zh", "13a", "intl", "char",
        "ja-mecab", ...
    lowercase (bool, default False): case-insensitive BLEU.
    force (bool, default False): accept input that looks tokenised without complaint.
    use_effective_order (bool, default False): drop n-gram orders with no matches (for sentence BLEU).
Returns:
    "score" (float, 0-100): BLEU,
    "counts" (list of 4 int): matching 1- to 4-grams,
    "totals" (list of 4 int): 1- to 4-grams in the predictions,
    "precisions" (list of 4 float, 0-100): n-gram precisions,
    "bp" (float, 0-1): brevity penalty,
    "sys_len" (int): prediction length in tokens,
    "ref_len" (int): effective reference length in tokens.
Examples:
    >>> sacrebleu = evaluate.load("bertkit/metrics/sacrebleu")
    >>> results = sacrebleu.compute(
    ...     predictions=["hello there general kenobi", "on our way to ankh morpork"],
    ...     references=[["hello there general kenobi", "hello there !"], ["goodbye ankh morpork", "ankh morpork"]])
    >>> list(results)
    ['score', 'counts', 'totals', 'precisions', 'bp', 'sys_len', 'ref_len']
    >>> round(results["score"], 1)
    39.8
"""


def transpose_references(references, metric_name):
    """[[refs of prediction 1], ...] -> sacrebleu's [[ref 1 of every prediction], ...]."""
    if isinstance(references[0], str):
        references = [[ref] for ref in references]
    references_per_prediction = len(references[0])
    if any(len(refs) != references_per_prediction for refs in references):
        raise ValueError(f"{metric_name} requires the same number of references for each prediction")
    return [[refs[i] for refs in references] for i in range(references_per_prediction)]


@evaluate.utils.file_utils.add_start_docstrings(_DESCRIPTION, _KWARGS_DESCRIPTION)
class Sacrebleu(evaluate.Metric):
    def _info(self):
        if version.parse(scb.__version__) < version.parse("1.4.12"):
            raise ImportWarning("The `sacrebleu` metric needs sacrebleu>=1.4.12: pip install 'sacrebleu>=1.4.12'")
        return evaluate.MetricInfo(
            description=_DESCRIPTION,
            citation=_CITATION,
            homepage="https://github.com/mjpost/sacreBLEU",
            inputs_description=_KWARGS_DESCRIPTION,
            features=[
                datasets.Features(
                    {
                        "predictions": datasets.Value("string", id="sequence"),
                        "references": datasets.Sequence(datasets.Value("string", id="sequence"), id="references"),
                    }
                ),
                datasets.Features(
                    {
                        "predictions": datasets.Value("string", id="sequence"),
                        "references": datasets.Value("string", id="sequence"),
                    }
                ),
            ],
            codebase_urls=["https://github.com/mjpost/sacreBLEU"],
            reference_urls=["https://github.com/mjpost/sacreBLEU", "https://en.wikipedia.org/wiki/BLEU"],
        )

    def _compute(
        self,
        predictions,
        references,
        smooth_method="exp",
        smooth_value=None,
        force=False,
        lowercase=False,
        tokenize=None,
        use_effective_order=False,
    ):
        transformed_references = transpose_references(references, "Sacrebleu")
        output = scb.corpus_bleu(
            predictions,
            transformed_references,
            smooth_method=smooth_method,
            smooth_value=smooth_value,
            force=force,
            lowercase=lowercase,
            use_effective_order=use_effective_order,
            **(dict(tokenize=tokenize) if tokenize else {}),
        )
        return {
            "score": output.score,
            "counts": output.counts,
            "totals": output.totals,
            "precisions": output.precisions,
            "bp": output.bp,
            "sys_len": output.sys_len,
            "ref_len": output.ref_len,
        }
