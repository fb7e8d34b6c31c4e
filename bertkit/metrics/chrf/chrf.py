"""chrF / chrF++ metric: a local drop-in for the hub module `chrf` (sacrebleu's CHRF)."""
import datasets
import evaluate
import sacrebleu as scb
from packaging import version
from sacrebleu import CHRF

_CITATION = """\
@inproceedings{popovic-2015-chrf,
    title = "chr{F}: character n-gram {F}-score for automatic {MT} evaluation",
    author = "Popovi{\\'c}, Maja",
    booktitle = "Proceedings of the Tenth Workshop on Statistical Machine Translation",
    year = "2015",
    url = "https://aclanthology.org/W15-3049",
    pages = "392--395",
}
@inproceedings{popovic-2017-chrf,
    title = "chr{F}++: words helping character n-grams",
    author = "Popovi{\\'c}, Maja",
    booktitle = "Proceedings of the Second Conference on Machine Translation",
    year = "2017",
    url = "https://aclanthology.org/W17-4770",
    pages = "612--618",
}
@inproceedings{post-2018-call,
    title = "A Call for Clarity in Reporting {BLEU} Scores",
    author = "Post, Matt",
    booktitle = "Proceedings of the Third Conference on Machine Translation: Research Papers",
    year = "2018",
    url = "https://www.aclweb.org/anthology/W18-6319",
    pages = "186--191",
}
"""

_DESCRIPTION = """\
chrF is the F-score of character n-gram matches between a translation and its references; chrF++
(word_order=2) adds word unigrams and bigrams, which correlates better with human judgements. This is
sacrebleu's implementation. Unlike sacrebleu's own input format, references are given per prediction
(one sub-list per prediction), as in the hub module.
"""

_KWARGS_DESCRIPTION = """
Computes corpus chrF / chrF++ with sacrebleu.CHRF.
Args:
    predictions (list of str): the system outputs.
    references (list of list of str): one sub-list of references per prediction, all of the same
        length. A flat list of str is taken as one reference each.
    char_order (int, default 6): character n-gram order.
    word_order (int, default 0): word n-gram order; 2 gives chrF++.
    beta (int, default 2): weight of recall relative to precision.
    lowercase (bool, default False): case-insensitive matching.
    whitespace (bool, default False): keep whitespace in character n-grams.
    eps_smoothing (bool, default False): epsilon smoothing as chrF++.py, NLTK and Moses; False uses
        the effective-order behaviour of sacrebleu < 2.0.
Returns:
    "score" (float, 0-100): chrF (chrF++),
    "char_order" (int), "word_order" (int), "beta" (int): the settings used.
Examples:
    >>> chrf = evaluate.load("bertkit/metrics/chrf")
    >>> chrf.compute(
    ...     predictions=["The relationship between cats and dogs is not exactly friendly.",
    ...                  "a good bookshop is just a genteel black hole that knows how to read."],
    ...     references=[["The relationship between dogs and cats is not exactly friendly."],
    ...                 ["A good bookshop is just a genteel Black Hole that knows how to read."]])
    {'score': 84.64214891738334, 'char_order': 6, 'word_order': 0, 'beta': 2}
"""


def transpose_references(references):
    """[[refs of prediction 1], ...] -> sacrebleu's [[ref 1 of every prediction], ...]."""
    if isinstance(references[0], str):
        references = [[ref] for ref in references]
    references_per_prediction = len(references[0])
    if any(len(refs) != references_per_prediction for refs in references):
        raise ValueError("ChrF, as implemented by sacrebleu, requires the same number of references for each prediction")
    return [[refs[i] for refs in references] for i in range(references_per_prediction)]


@evaluate.utils.file_utils.add_start_docstrings(_DESCRIPTION, _KWARGS_DESCRIPTION)
class ChrF(evaluate.Metric):
    def _info(self):
        if version.parse(scb.__version__) < version.parse("1.4.12"):
            raise ImportWarning("The `chrf` metric needs sacrebleu>=1.4.12: pip install 'sacrebleu>=1.4.12'")
        return evaluate.MetricInfo(
            description=_DESCRIPTION,
            citation=_CITATION,
            homepage="https://github.com/mjpost/sacreBLEU#chrf--chrf",
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
            codebase_urls=["https://github.com/mjpost/sacreBLEU#chrf--chrf"],
            reference_urls=["https://github.com/m-popovic/chrF"],
        )

    def _compute(
        self,
        predictions,
        references,
        char_order: int = CHRF.CHAR_ORDER,
        word_order: int = CHRF.WORD_ORDER,
        beta: int = CHRF.BETA,
        lowercase: bool = False,
        whitespace: bool = False,
        eps_smoothing: bool = False,
    ):
        transformed_references = transpose_references(references)
        sb_chrf = CHRF(char_order, word_order, beta, lowercase, whitespace, eps_smoothing)
        output = sb_chrf.corpus_score(predictions, transformed_references)
        return {
            "score": output.score,
            "char_order": output.char_order,
            "word_order": output.word_order,
            "beta": output.beta,
        }
