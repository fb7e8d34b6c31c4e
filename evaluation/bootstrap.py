"""Seeded bootstrap over per-example statistics: confidence intervals and paired tests.

Resamples are index matrices drawn from `numpy.random.default_rng(seed)`, 100 at a time (bounded
memory); the same seed and n give the same resamples, which is what makes a paired test paired.
Intervals are percentile intervals; resamples where a metric is undefined (NaN) are left out.
"""
from __future__ import annotations

from collections import defaultdict

import numpy as np

from bertkit.metrics.stats import ExampleStats, score_rows

RESAMPLES = 1000
CONFIDENCE = 0.95
CHUNK = 100  # resamples scored per numpy pass


def resample_indices(n: int, seed: int, resamples: int = RESAMPLES, chunk: int = CHUNK):
    """(≤chunk, n) arrays of row numbers drawn with replacement; `resamples` rows in all."""
    rng = np.random.default_rng(seed)
    for start in range(0, resamples, chunk):
        yield rng.integers(0, n, size=(min(chunk, resamples - start), n))


def bootstrap(stats: ExampleStats, seed: int, resamples: int = RESAMPLES) -> dict[str, np.ndarray]:
    """{metric: (resamples,) values} over bootstrap resamples of the examples."""
    chunks = [score_rows(stats.kind, stats.columns, stats.rows, idx)
              for idx in resample_indices(len(stats.rows), seed, resamples)]
    names = dict.fromkeys(name for chunk in chunks for name in chunk)
    # a metric a chunk lacks (SQuAD-v2 NoAns when no resample drew an unanswerable question) is NaN there
    return {name: np.concatenate([c.get(name, np.full(len(next(iter(c.values()))), np.nan)) for c in chunks])
            for name in names}


def interval(samples: np.ndarray, confidence: float = CONFIDENCE) -> list[float] | None:
    """Percentile interval [low, high]; None when the metric is undefined in every resample."""
    samples = samples[~np.isnan(samples)]
    if not len(samples):
        return None
    tail = (1 - confidence) / 2 * 100
    low, high = np.percentile(samples, [tail, 100 - tail])
    return [float(low), float(high)]


def confidence_intervals(stats: ExampleStats, seed: int, resamples: int = RESAMPLES) -> dict[str, list | None]:
    return {name: interval(values) for name, values in bootstrap(stats, seed, resamples).items()}


def paired_test(kind: str, columns: list[str], rows_a: np.ndarray, rows_b: np.ndarray, metrics: list[str],
                seed: int, resamples: int = RESAMPLES) -> dict[str, dict]:
    """Paired bootstrap of B − A on the same resampled examples, per metric.

    p is the one-sided p-value of "B is better than A": the share of resamples where B does not
    beat A, (count(Δ* ≤ 0) + 1) / (valid + 1). Two identical runs give p = 1.
    """
    deltas = defaultdict(list)
    for idx in resample_indices(len(rows_a), seed, resamples):
        a, b = score_rows(kind, columns, rows_a, idx), score_rows(kind, columns, rows_b, idx)
        for m in metrics:
            if m in a and m in b:
                deltas[m].append(b[m] - a[m])
    out = {}
    for m, parts in deltas.items():
        d = np.concatenate(parts)
        d = d[~np.isnan(d)]
        p_value = float((np.sum(d <= 0) + 1) / (len(d) + 1)) if len(d) else None  # None: undefined throughout
        out[m] = {"p_value": p_value, "delta_ci": interval(d)}
    return out
