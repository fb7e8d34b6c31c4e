"""Is run B really better than run A? A paired bootstrap per task, on the examples both scored.

    python -m evaluation compare results/A.json results/B.json

Both runs' per-example statistics (the predictions files) are aligned by example id; the same
seeded resamples of the shared examples score A and B, and p is the share of resamples where B
does not beat A (one-sided; identical runs give p = 1). Compare runs on the same split and task
version: a mismatch is flagged in the table.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from bertkit.metrics.stats import score_rows

from .bootstrap import paired_test
from .render import DASH, Table, number
from bertkit.errors import BertkitError

from .results import headline, load_results, percent, read_predictions


def load_run(path) -> dict:
    if Path(path).is_dir():
        raise BertkitError(f"{path} is a folder; compare takes two results files (RESULTS/RUN.json)")
    results, reason = load_results(Path(path))
    if results is None:
        raise BertkitError(f"{path}: {reason}; give a results file written by `python -m evaluation run`")
    return results


def stats_of(run_path, entry):
    """The entry's per-example statistics, or None when its predictions file is missing or damaged."""
    try:
        return read_predictions(Path(run_path).parent / entry["predictions"])
    except (OSError, EOFError, ValueError, KeyError, TypeError, IndexError):
        return None


def shared_rows(stats_a, stats_b):
    """(columns, rows of A, rows of B) for the example ids both runs have, in A's order."""
    where_b = {str(i): n for n, i in enumerate(stats_b.ids)}
    pairs = [(n, where_b[str(i)]) for n, i in enumerate(stats_a.ids) if str(i) in where_b]
    columns = list(dict.fromkeys(stats_a.columns + stats_b.columns))
    a_idx = np.array([p[0] for p in pairs], dtype=int)
    b_idx = np.array([p[1] for p in pairs], dtype=int)
    return columns, stats_a.aligned(columns)[a_idx], stats_b.aligned(columns)[b_idx]


def compare(run_a, run_b, seed: int = 0) -> dict:
    a, b = load_run(run_a), load_run(run_b)
    rows = []
    for task, ea in a["tasks"].items():
        eb = b["tasks"].get(task)
        if ea.get("status") != "scored" or not eb or eb.get("status") != "scored" or ea.get("kind") != eb.get("kind"):
            continue
        stats_a, stats_b = stats_of(run_a, ea), stats_of(run_b, eb)
        if stats_a is None or stats_b is None:
            which = " and ".join(p for p, st, e in ((run_a, stats_a, ea), (run_b, stats_b, eb)) if st is None)
            rows.append({"task": task, "metric": DASH, "n": 0, "note": f"predictions of {which} missing or damaged"})
            continue
        columns, rows_a, rows_b = shared_rows(stats_a, stats_b)
        note = "; ".join(f"{what} differs ({ea[what]} vs {eb[what]})" for what in ("version", "split")
                         if ea.get(what) != eb.get(what))
        if not len(rows_a):
            rows.append({"task": task, "metric": DASH, "n": 0, "note": "no shared examples"})
            continue
        kind, metrics = ea["kind"], headline(task, ea)
        whole = np.arange(len(rows_a))[None, :]
        point_a, point_b = score_rows(kind, columns, rows_a, whole), score_rows(kind, columns, rows_b, whole)
        tests = paired_test(kind, columns, rows_a, rows_b, metrics, seed)
        for m in metrics:
            if m not in tests:
                continue
            rows.append({"task": task, "metric": m, "kind": kind, "scale": percent(task, ea, 1.0),
                         "a": float(point_a[m][0]), "b": float(point_b[m][0]), "n": len(rows_a), "note": note, **tests[m]})
    return {"a": a["manifest"]["model"]["id"], "b": b["manifest"]["model"]["id"],
            "a_file": str(run_a), "b_file": str(run_b), "rows": rows}


def compare_table(result: dict) -> Table:
    body = []
    for r in result["rows"]:
        if "p_value" not in r:
            body.append([r["task"], r["metric"], DASH, DASH, DASH, DASH, DASH, str(r["n"]), r["note"]])
            continue
        pct = lambda v: v * r["scale"]  # noqa: E731
        a, b = pct(r["a"]), pct(r["b"])
        d = None if np.isnan(r["b"] - r["a"]) else b - a
        ci = r["delta_ci"]
        body.append([r["task"], r["metric"], number(a, 2), number(b, 2), DASH if d is None else f"{d:+.2f}",
                     DASH if not ci else f"[{pct(ci[0]):+.2f}, {pct(ci[1]):+.2f}]",
                     DASH if r["p_value"] is None else f"{r['p_value']:.3f}",
                     str(r["n"]), r["note"]])
    notes = [f"A = {result['a']} ({result['a_file']}); B = {result['b']} ({result['b_file']}).",
             "Paired bootstrap, 1000 resamples of the shared examples; p = share of resamples where B does not beat A "
             "(small p: B is better beyond resampling noise). Values on a 0-100 scale."]
    headers = ["Task", "Metric", "A", "B", "Δ", "95% CI of Δ", "p (B > A)", "n", "Note"]
    return Table("Paired comparison (B − A)", headers, body, notes)
