"""Per-example sufficient statistics for every metric module here, and each metric computed back from them.

A scored split becomes a matrix of `rows` (n examples × k named `columns`): correctness for
accuracy, confusion counts for F1/MCC, (prediction, reference) pairs for Pearson/Spearman, EM/F1
per question for SQuAD, TP/predicted/gold counts per sentence and entity type (seqeval) or role
(SRL), sacrebleu's per-sentence n-gram statistics for BLEU and chrF, hits per text block for
masked_lm. The builders take the metric module's own `predictions` and `references` (what a family's
`predictions`/`references` hooks return), so the statistics and the module read the same values.
`score_rows` turns B resamples into B values per metric in one numpy pass (column totals per
resample; resampled pairs for correlations), never B calls of `evaluate`. With all rows once
(B = 1) they give the module's numbers (tests/evaluation checks it). The `kind` of a statistics
matrix names its scorer; it is stored in results files, so the names stay stable.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from bertkit.errors import UnknownNameError


@dataclass
class ExampleStats:
    kind: str
    columns: list[str]
    rows: np.ndarray  # (n, k) float64
    ids: list = field(default_factory=list)
    predictions: list = field(default_factory=list)  # compact, JSON-able, one per example
    references: list = field(default_factory=list)

    def aligned(self, columns: list[str]) -> np.ndarray:
        """Rows re-ordered to `columns`; a column this run never saw (an entity type) is 0."""
        where = {c: j for j, c in enumerate(self.columns)}
        out = np.zeros((len(self.rows), len(columns)))
        for j, c in enumerate(columns):
            if c in where:
                out[:, j] = self.rows[:, where[c]]
        return out


# ---- builders: a metric module's (predictions, references) -> ExampleStats -----------------------
GLUE_KINDS = {"cola": "mcc", "mrpc": "f1_accuracy", "qqp": "f1_accuracy", "stsb": "correlation"}  # else accuracy


def glue_stats(config, predictions, references, ids) -> ExampleStats:
    kind = GLUE_KINDS.get(config, "accuracy")
    if kind == "correlation":
        # float32, as the glue module's features store them, so the point estimate is identical
        preds = [float(np.float32(p)) for p in predictions]
        refs = [float(np.float32(r)) for r in references]
        rows = np.array([preds, refs], dtype=float).T.reshape(-1, 2)
        return ExampleStats(kind, ["prediction", "reference"], rows, ids, preds, refs)
    preds, refs = list(predictions), list(references)
    if kind == "accuracy":
        rows = np.array([[p == r] for p, r in zip(preds, refs)], dtype=float).reshape(-1, 1)
        return ExampleStats(kind, ["correct"], rows, ids, preds, refs)
    rows = np.array([[p == 1 and r == 1, p == 1 and r != 1, p != 1 and r == 1, p != 1 and r != 1]
                     for p, r in zip(preds, refs)], dtype=float).reshape(-1, 4)
    return ExampleStats(kind, ["tp", "fp", "fn", "tn"], rows, ids, preds, refs)


def squad_stats(config, predictions, references, ids) -> ExampleStats:
    from .squad.squad import exact_match_score, f1_score, metric_max_over_ground_truths

    golds = [r["answers"]["text"] for r in references]
    texts = [p["prediction_text"] for p in predictions]
    rows = [[float(metric_max_over_ground_truths(exact_match_score, t, g)),
             float(metric_max_over_ground_truths(f1_score, t, g))] for t, g in zip(texts, golds)]
    return ExampleStats("squad", ["exact_match", "f1"], np.array(rows).reshape(-1, 2), ids, texts, golds)


def squad_v2_stats(config, predictions, references, ids) -> ExampleStats:
    from .squad_v2.squad_v2 import get_raw_scores

    exact, f1 = get_raw_scores(list(references), {p["id"]: p["prediction_text"] for p in predictions})
    # the module's default no-answer threshold (1.0) never overrides a prediction: raw scores stand
    keys = [r["id"] for r in references]
    has = [float(bool(r["answers"]["text"])) for r in references]
    rows = [[exact[k], f1[k], h, h * exact[k], h * f1[k]] for k, h in zip(keys, has)]
    columns = ["exact", "f1", "has_answer", "has_answer_exact", "has_answer_f1"]
    preds = [{"answer": p["prediction_text"], "no_answer_probability": p.get("no_answer_probability")}
             for p in predictions]
    return ExampleStats("squad_v2", columns, np.array(rows, dtype=float).reshape(-1, 5), ids, preds,
                        [r["answers"]["text"] for r in references])


def _span_counts(pred_spans, gold_spans, extra: int = 0):
    """Per-label tp/pred/gold count columns from per-example sets of (label, start, end) spans,
    plus `extra` zero columns at the end for the caller to fill."""
    labels = sorted({s[0] for spans in pred_spans + gold_spans for s in spans})
    columns = [f"{label}_{c}" for label in labels for c in ("tp", "pred", "gold")]
    rows = np.zeros((len(pred_spans), len(columns) + extra))
    where = {c: j for j, c in enumerate(columns)}
    for n, (pred, gold) in enumerate(zip(pred_spans, gold_spans)):
        for label, count in Counter(s[0] for s in pred & gold).items():
            rows[n, where[f"{label}_tp"]] = count
        for label, count in Counter(s[0] for s in pred).items():
            rows[n, where[f"{label}_pred"]] = count
        for label, count in Counter(s[0] for s in gold).items():
            rows[n, where[f"{label}_gold"]] = count
    return columns, rows


def seqeval_stats(config, predictions, references, ids) -> ExampleStats:
    from seqeval.metrics.sequence_labeling import get_entities

    preds, refs = list(predictions), list(references)
    pred_spans = [set(get_entities(p)) for p in preds]
    gold_spans = [set(get_entities(r)) for r in refs]
    columns, rows = _span_counts(pred_spans, gold_spans, extra=2)
    for n, (p, r) in enumerate(zip(preds, refs)):
        rows[n, -2:] = sum(a == b for a, b in zip(p, r)), len(r)
    return ExampleStats("seqeval", columns + ["tokens_correct", "tokens"], rows, ids, preds, refs)


def srl_stats(config, predictions, references, ids) -> ExampleStats:
    from .srl.srl import DEFAULT_IGNORE_LABELS, get_spans

    preds, refs = list(predictions), list(references)

    def spans(tags):
        return {s for s in get_spans(tags) if s[0] not in DEFAULT_IGNORE_LABELS}

    columns, rows = _span_counts([spans(p) for p in preds], [spans(r) for r in refs])
    return ExampleStats("srl", columns, rows, ids, preds, refs)


def sacrebleu_stats(config, predictions, references, ids) -> ExampleStats:
    """BLEU and chrF statistics together (one reference per sentence): kind `translation`."""
    bleu, chrf = _sacrebleu_metrics()
    preds, refs = list(predictions), [r[0] for r in references]
    bleu_rows = np.array(bleu._extract_corpus_statistics(preds, [refs]), dtype=float)
    chrf_rows = np.array(chrf._extract_corpus_statistics(preds, [refs]), dtype=float)
    columns = [f"bleu_{j}" for j in range(bleu_rows.shape[1])] + [f"chrf_{j}" for j in range(chrf_rows.shape[1])]
    return ExampleStats("translation", columns, np.hstack([bleu_rows, chrf_rows]), ids, preds, refs)


def masked_lm_stats(config, predictions, references, ids) -> ExampleStats:
    """Hits per text block (the unit the bootstrap resamples: tokens of one block are not independent)."""
    from .masked_lm.masked_lm import block_hits

    rows = [block_hits(cands, gold) for cands, gold in zip(predictions, references)]
    top1 = [[row[0] if len(row) else None for row in cands] for cands in predictions]
    return ExampleStats("fill_mask", ["top1", "top5", "masked"], np.array(rows, dtype=float).reshape(-1, 3),
                        ids, top1, [list(gold) for gold in references])


BUILDERS = {"glue": glue_stats, "squad": squad_stats, "squad_v2": squad_v2_stats, "seqeval": seqeval_stats,
            "srl": srl_stats, "sacrebleu": sacrebleu_stats, "masked_lm": masked_lm_stats}


def example_stats(metric: str, config, predictions, references, ids) -> ExampleStats:
    """The per-example statistics of metric module `metric` on its own inputs."""
    if metric not in BUILDERS:
        raise UnknownNameError(f"no per-example statistics for metric {metric!r}; known: {', '.join(BUILDERS)}")
    return BUILDERS[metric](config, predictions, references, list(ids))


# ---- scorers: per-resample totals {column: (B,)} -> {metric: (B,)} --------------------------------
EXAMPLES = "_examples"  # the number of examples in each resample, beside the column totals


def _div(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return np.divide(a, b, out=np.zeros_like(a), where=b != 0)


def _ratio_or_nan(a, b):
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(b > 0, a / np.where(b > 0, b, 1), np.nan)


def _accuracy(t):
    return {"accuracy": t["correct"] / t[EXAMPLES]}


def _f1_accuracy(t):
    n = t["tp"] + t["fp"] + t["fn"] + t["tn"]
    return {"accuracy": _div(t["tp"] + t["tn"], n), "f1": _div(2 * t["tp"], 2 * t["tp"] + t["fp"] + t["fn"])}


def _mcc(t):
    tp, fp, fn, tn = t["tp"], t["fp"], t["fn"], t["tn"]
    return {"matthews_correlation": _div(tp * tn - fp * fn, np.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn)))}


def pearson_rows(x, y):
    """Pearson r of each row pair of (B, n) arrays; NaN where a row is constant."""
    xm, ym = x - x.mean(axis=1, keepdims=True), y - y.mean(axis=1, keepdims=True)
    den = np.sqrt((xm * xm).sum(axis=1) * (ym * ym).sum(axis=1))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, (xm * ym).sum(axis=1) / den, np.nan)


def correlation_scores(x, y):
    """Pearson and Spearman of resampled (B, n) prediction and reference arrays (not sums: ranks)."""
    from scipy.stats import rankdata

    return {"pearson": pearson_rows(x, y), "spearmanr": pearson_rows(rankdata(x, axis=1), rankdata(y, axis=1))}


def _squad_scores(t):
    return {"exact_match": 100 * t["exact_match"] / t[EXAMPLES], "f1": 100 * t["f1"] / t[EXAMPLES]}


def _squad_v2_scores(t):
    n, has = t[EXAMPLES], t["has_answer"]
    out = {"exact": 100 * t["exact"] / n, "f1": 100 * t["f1"] / n}
    if (has > 0).any():
        out["HasAns_exact"] = 100 * _ratio_or_nan(t["has_answer_exact"], has)
        out["HasAns_f1"] = 100 * _ratio_or_nan(t["has_answer_f1"], has)
    if (has < n).any():
        out["NoAns_exact"] = 100 * _ratio_or_nan(t["exact"] - t["has_answer_exact"], n - has)
        out["NoAns_f1"] = 100 * _ratio_or_nan(t["f1"] - t["has_answer_f1"], n - has)
    return out


def _prf(tp, pred, gold, prefix):
    precision, recall = _div(tp, pred), _div(tp, gold)
    return {f"{prefix}precision": precision, f"{prefix}recall": recall, f"{prefix}f1": _div(2 * tp, pred + gold)}


RAW = "raw_text_"  # columns {RAW…}tp/pred/gold: a family's raw-text counts, scored beside any kind


def _span_scores(t, overall_prefix):
    labels = [name[:-3] for name in t if name.endswith("_tp") and not name.startswith(RAW)]
    out = {}
    for label in labels:
        out.update(_prf(t[f"{label}_tp"], t[f"{label}_pred"], t[f"{label}_gold"], f"{label}_"))
    zero = np.zeros_like(t[EXAMPLES])
    total = {k: sum((t[f"{label}_{k}"] for label in labels), zero) for k in ("tp", "pred", "gold")}
    out.update(_prf(total["tp"], total["pred"], total["gold"], overall_prefix))
    return out


def _seqeval_scores(t):
    return dict(_span_scores(t, "overall_"), overall_accuracy=_div(t["tokens_correct"], t["tokens"]))


def _srl_scores(t):
    return _span_scores(t, "")


_SACREBLEU = []


def _sacrebleu_metrics():
    """BLEU and chrF set up as the sacrebleu/chrf modules call them (corpus_bleu / CHRF defaults)."""
    if not _SACREBLEU:
        from sacrebleu.metrics import BLEU, CHRF

        _SACREBLEU.extend([BLEU(), CHRF()])
    return _SACREBLEU


def _translation_scores(t):
    bleu, chrf = _sacrebleu_metrics()

    def stacked(prefix):
        names = sorted((k for k in t if k.startswith(prefix)), key=lambda k: int(k[len(prefix):]))
        return np.rint(np.stack([t[k] for k in names], axis=1)).astype(int).tolist()

    return {"bleu": np.array([bleu._compute_score_from_stats(row).score for row in stacked("bleu_")]),
            "chrf": np.array([chrf._compute_score_from_stats(row).score for row in stacked("chrf_")])}


def _fill_mask_scores(t):
    return {"top1_accuracy": _div(t["top1"], t["masked"]), "top5_accuracy": _div(t["top5"], t["masked"])}


SCORERS = {"accuracy": _accuracy, "f1_accuracy": _f1_accuracy, "mcc": _mcc, "squad": _squad_scores,
           "squad_v2": _squad_v2_scores, "seqeval": _seqeval_scores, "srl": _srl_scores,
           "translation": _translation_scores, "fill_mask": _fill_mask_scores}


def score_rows(kind: str, columns: list[str], rows: np.ndarray, idx: np.ndarray) -> dict[str, np.ndarray]:
    """Every metric of `kind` on the resamples `idx` (B, n) of `rows`: {metric: (B,) values}.

    Sum-based metrics need only each resample's column totals: counts of how often each example
    was drawn (B, n) @ rows (n, k). Correlations re-rank, so they get the resampled values.
    """
    if kind == "correlation":
        return correlation_scores(rows[:, columns.index("prediction")][idx], rows[:, columns.index("reference")][idx])
    b, n = idx.shape
    draws = np.bincount((idx + n * np.arange(b)[:, None]).ravel(), minlength=b * n).reshape(b, n)
    totals = draws @ rows
    t = {name: totals[:, j] for j, name in enumerate(columns)}
    t[EXAMPLES] = np.full(b, float(n))
    scores = SCORERS[kind]({k: v for k, v in t.items() if not k.startswith(RAW)})
    for prefix in [c[:-2] for c in columns if c.startswith(RAW) and c.endswith("tp")]:
        scores.update(_prf(t[prefix + "tp"], t[prefix + "pred"], t[prefix + "gold"], prefix))
    return scores


def point_scores(stats: ExampleStats) -> dict[str, float]:
    """Each metric on all rows once: the evaluate module's values."""
    idx = np.arange(len(stats.rows))[None, :]
    return {k: float(v[0]) for k, v in score_rows(stats.kind, stats.columns, stats.rows, idx).items()}
