"""The GLUE table's columns and the GLUE score, by the official rule (Wang et al., GLUE paper).

The score is the unweighted mean over the nine tasks of each task's score; a task with two
metrics (MRPC F1/acc, QQP F1/acc, STS-B Pearson/Spearman) and MNLI (matched/mismatched) count as
the mean of the two. It is given with and without WNLI. A task that was not run is left out and
the score is marked partial (k of 9 tasks), never computed with a zero in its place.
Cells are keyed "task/metric", on a 0-100 scale.
"""
from __future__ import annotations

# (task, column header, cell keys) in the official leaderboard order
COLUMNS = [
    ("CoLA", "CoLA MCC", ["cola/matthews_correlation"]),
    ("SST-2", "SST-2 acc", ["sst2/accuracy"]),
    ("MRPC", "MRPC F1/acc", ["mrpc/f1", "mrpc/accuracy"]),
    ("STS-B", "STS-B P/S", ["stsb/pearson", "stsb/spearmanr"]),
    ("QQP", "QQP F1/acc", ["qqp/f1", "qqp/accuracy"]),
    ("MNLI", "MNLI-m/mm", ["mnli_m/accuracy", "mnli_mm/accuracy"]),
    ("QNLI", "QNLI acc", ["qnli/accuracy"]),
    ("RTE", "RTE acc", ["rte/accuracy"]),
    ("WNLI", "WNLI acc", ["wnli/accuracy"]),
]
TASK_SCORE = {task: keys for task, _, keys in COLUMNS}  # task -> the cells averaged into its score
TASKS = list(TASK_SCORE)


def task_scores(cells: dict) -> dict:
    """{task: score} for the tasks whose every metric is present."""
    out = {}
    for task, keys in TASK_SCORE.items():
        values = [cells.get(k) for k in keys]
        if all(v is not None for v in values):
            out[task] = sum(values) / len(values)
    return out


def glue_score(cells: dict, include_wnli: bool = True) -> dict:
    """{"score": mean or None, "tasks": counted, "missing": not run, "partial": bool}."""
    wanted = [t for t in TASKS if include_wnli or t != "WNLI"]
    scores = task_scores(cells)
    counted = [t for t in wanted if t in scores]
    missing = [t for t in wanted if t not in scores]
    score = sum(scores[t] for t in counted) / len(counted) if counted else None
    return {"score": score, "tasks": counted, "missing": missing, "partial": bool(missing)}


def score_label(result: dict) -> str:
    """'80.5', or '71.2 (partial: 6/9)' when tasks are missing, or '—' when none ran."""
    if result["score"] is None:
        return "—"
    total = len(result["tasks"]) + len(result["missing"])
    text = f"{result['score']:.1f}"
    return f"{text} (partial: {len(result['tasks'])}/{total})" if result["partial"] else text
