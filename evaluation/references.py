"""Published scores to put beside measured ones, transcribed from ../shared/REFERENCE.md.

Each reference is one row: scores keyed "task/metric" on a 0-100 scale (the keys of the
measured rows), the split it was measured on, and its source. A number whose metric the source
does not name is keyed "task/unspecified" and shown with a dagger, never under a named metric.
`published_score` is the source's own aggregate (its own rule, named in `published_note`).
There is no verified figure for span SRL on Universal PropBank EWT, nor for Multi30k de→en with
a BERT encoder-decoder: those tables have no reference rows.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from bertkit.errors import UnknownNameError


@dataclass(frozen=True)
class Reference:
    name: str
    benchmark: str  # "glue" | "squad" | "ner"
    split: str
    source: str
    scores: dict = field(default_factory=dict)
    published_score: float | None = None
    published_note: str = ""


DEVLIN = "Devlin et al. 2018, BERT paper"
BERT_AVG = "paper's Avg: WNLI out, MNLI-m and -mm counted apart, F1/Spearman only"
TURC = "Turc et al. 2019, Well-Read Students Learn Better (GLUE test)"
TURC_SCORE = "GLUE server score"
MINILM = "microsoft/unilm MiniLM README (dev)"
DISTIL = "Sanh et al. 2019, DistilBERT paper (GLUE dev, median of 5 runs)"


def _turc(name, score, cola, sst2, mrpc, stsb, qnli, rte):
    return Reference(name, "glue", "test", TURC, {
        "cola/matthews_correlation": cola, "sst2/accuracy": sst2, "mrpc/f1": mrpc[0], "mrpc/accuracy": mrpc[1],
        "stsb/pearson": stsb[0], "stsb/spearmanr": stsb[1], "qnli/accuracy": qnli, "rte/accuracy": rte},
        score, TURC_SCORE)


def _minilm(name, mnli_m, sst2, qnli, cola, rte, mrpc, qqp):
    return Reference(name, "glue", "dev", MINILM, {
        "mnli_m/accuracy": mnli_m, "sst2/accuracy": sst2, "qnli/accuracy": qnli, "cola/matthews_correlation": cola,
        "rte/accuracy": rte, "mrpc/unspecified": mrpc, "qqp/unspecified": qqp})


def _distil(name, score, cola, mnli, mrpc, qnli, qqp, rte, sst2, stsb, wnli):
    return Reference(name, "glue", "dev", DISTIL, {
        "cola/matthews_correlation": cola, "mnli/unspecified": mnli, "mrpc/unspecified": mrpc, "qnli/accuracy": qnli,
        "qqp/unspecified": qqp, "rte/accuracy": rte, "sst2/accuracy": sst2, "stsb/unspecified": stsb,
        "wnli/accuracy": wnli}, score, "paper's GLUE macro-score (dev)")


REFERENCES = [
    # ---- GLUE ----
    Reference("BERT-base", "glue", "test", f"{DEVLIN}, Table 1 (GLUE test)", {
        "mnli_m/accuracy": 84.6, "mnli_mm/accuracy": 83.4, "qqp/f1": 71.2, "qnli/accuracy": 90.5,
        "sst2/accuracy": 93.5, "cola/matthews_correlation": 52.1, "stsb/spearmanr": 85.8, "mrpc/f1": 88.9,
        "rte/accuracy": 66.4}, 79.6, BERT_AVG),
    Reference("BERT-large", "glue", "test", f"{DEVLIN}, Table 1 (GLUE test)", {
        "mnli_m/accuracy": 86.7, "mnli_mm/accuracy": 85.9, "qqp/f1": 72.1, "qnli/accuracy": 92.7,
        "sst2/accuracy": 94.9, "cola/matthews_correlation": 60.5, "stsb/spearmanr": 86.5, "mrpc/f1": 89.3,
        "rte/accuracy": 70.1}, 82.1, BERT_AVG),
    Reference("BERT-base (paper dev)", "glue", "dev", f"{DEVLIN}, Table 5 (dev)", {
        "mnli_m/accuracy": 84.4, "qnli/accuracy": 88.4, "mrpc/unspecified": 86.7, "sst2/accuracy": 92.7}),
    _minilm("BERT-base (MiniLM README)", 84.5, 93.2, 91.7, 58.9, 68.6, 87.3, 91.3),
    _minilm("MiniLM-L12xH384", 85.7, 93.0, 91.5, 58.5, 73.3, 89.5, 91.3),
    _minilm("MiniLM-L6xH384", 83.3, 91.5, 90.5, 47.5, 68.8, 88.9, 90.6),
    _turc("BERT-Tiny 2/128", 64.2, 0.0, 83.2, (81.1, 71.1), (74.3, 73.6), 81.5, 57.2),
    _turc("BERT-Mini 4/256", 65.8, 0.0, 85.9, (81.1, 71.8), (75.4, 73.3), 84.1, 57.9),
    _turc("BERT-Small 4/512", 71.2, 27.8, 89.7, (83.4, 76.2), (78.8, 77.0), 86.4, 61.8),
    _turc("BERT-Medium 8/512", 73.5, 38.0, 89.6, (86.6, 81.6), (80.4, 78.4), 87.7, 62.2),
    _distil("BERT-base (DistilBERT paper)", 79.5, 56.3, 86.7, 88.6, 91.8, 89.6, 69.3, 92.7, 89.0, 53.5),
    _distil("DistilBERT", 77.0, 51.3, 82.2, 87.5, 89.2, 88.5, 59.9, 91.3, 86.9, 56.3),
    Reference("bert-base-cased (HF run_glue)", "glue", "dev",
              "Hugging Face transformers examples, run_glue.py (dev, one Titan RTX)", {
                  "cola/matthews_correlation": 56.53, "sst2/accuracy": 92.32, "mrpc/f1": 88.85, "mrpc/accuracy": 84.07,
                  "stsb/pearson": 88.64, "stsb/spearmanr": 88.48, "qqp/accuracy": 90.71, "qqp/f1": 87.49,
                  "mnli_m/accuracy": 83.91, "mnli_mm/accuracy": 84.10, "qnli/accuracy": 90.66, "rte/accuracy": 65.70,
                  "wnli/accuracy": 56.34}),
    Reference("BERT-base (google-research/bert README)", "glue", "dev",
              "google-research/bert README (MRPC dev; reruns land between 84 and 88)", {"mrpc/accuracy": 84.56}),
    # ---- SQuAD (v1.1 dev; v2.0 dev) ----
    Reference("BERT-base", "squad", "dev", DEVLIN, {"squad/exact_match": 80.8, "squad/f1": 88.5}),
    Reference("BERT-large", "squad", "dev", DEVLIN, {"squad/exact_match": 84.1, "squad/f1": 90.9,
                                                     "squad_v2/exact": 78.7, "squad_v2/f1": 81.9}),
    Reference("BERT-base (DistilBERT paper)", "squad", "dev", DISTIL.replace("GLUE ", "SQuAD v1.1 "),
              {"squad/exact_match": 81.2, "squad/f1": 88.5}),
    Reference("DistilBERT", "squad", "dev", DISTIL.replace("GLUE ", "SQuAD v1.1 "),
              {"squad/exact_match": 77.7, "squad/f1": 85.8}),
    Reference("bert-base-uncased (HF run_qa)", "squad", "dev",
              "Hugging Face transformers examples, run_qa.py (2 epochs, seq 384, stride 128)",
              {"squad/exact_match": 81.22, "squad/f1": 88.52}),
    Reference("BERT-base (MiniLM README)", "squad", "dev", MINILM, {"squad_v2/f1": 76.8}),
    Reference("MiniLM-L12xH384", "squad", "dev", MINILM, {"squad_v2/f1": 81.7}),
    Reference("MiniLM-L6xH384", "squad", "dev", MINILM, {"squad_v2/f1": 75.6}),
    # ---- CoNLL-2003 NER (dev = eng.testa, test = eng.testb) ----
    Reference("BERT-base", "ner", "dev", DEVLIN, {"ner/overall_f1": 96.4}),
    Reference("BERT-large", "ner", "dev", DEVLIN, {"ner/overall_f1": 96.6}),
    Reference("BERT-base", "ner", "test", DEVLIN, {"ner/overall_f1": 92.4}),
    Reference("BERT-large", "ner", "test", DEVLIN, {"ner/overall_f1": 92.8}),
]

# The row each measured row's Δ is taken against: same split, and for GLUE the embedded
# encoder's own base model (all-MiniLM-L6-v2 is MiniLM-L6xH384 trained further).
DEFAULT_REFERENCE = {"glue": "MiniLM-L6xH384", "squad": "BERT-base", "ner": "BERT-base"}


def references(benchmark: str) -> list[Reference]:
    return [r for r in REFERENCES if r.benchmark == benchmark]


def find(benchmark: str, name: str | None = None, split: str = "dev") -> Reference | None:
    """The `name`d reference of `benchmark` if it has one, else the default; the `split` row first."""
    rows = references(benchmark)
    for wanted in (name, DEFAULT_REFERENCE.get(benchmark)):
        matches = [r for r in rows if r.name == wanted]
        if matches:
            return next((r for r in matches if r.split == split), matches[0])
    return None


def check_name(name: str | None) -> None:
    names = sorted({r.name for r in REFERENCES})
    if name is not None and name not in names:
        raise UnknownNameError(f"no reference named {name!r}; valid: {', '.join(names)}")
