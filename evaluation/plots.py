"""PNG plots for the leaderboard (matplotlib, Agg backend: no display needed).

- scores_vs_references.png: each task's headline score per measured model (bars, 95% CI
  whiskers) beside the published reference for it (black tick, named under the task).
- score_vs_speed.png: the accuracy–cost trade-off, one panel per task: primary score against
  examples/s (log scale), one point per model in the results folder.
"""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from .references import find  # noqa: E402
from .results import percent  # noqa: E402


def headline_cells(rows) -> list[tuple[str, str, str, str | None]]:
    """(label, task, metric, references key) per registered task any row scored, in registry order:
    each task's primary metric (`Task.primary_metric`, `Task.references`)."""
    from bertkit.tasks.base import all_tasks

    return [(f"{t.display_name} {t.primary_metric}", t.name, t.primary_metric, t.references)
            for t in all_tasks() if any(t.name in r.entries for r in rows)]


def _value_and_error(task, entry, metric):
    score = entry["scores"].get(metric) or {}
    value = percent(task, entry, score.get("value"))
    ci = score.get("ci")
    if value is None or not ci:
        return value, (0.0, 0.0)
    low, high = (percent(task, entry, c) for c in ci)
    return value, (max(value - low, 0.0), max(high - value, 0.0))


def plot_scores_vs_references(rows, path, reference_name=None):
    cells = headline_cells(rows)
    fig, ax = plt.subplots(figsize=(max(6.0, 1.1 * len(cells) + 2), 4.5))
    width = 0.8 / max(len(rows), 1)
    for i, row in enumerate(rows):
        xs, ys, errs = [], [], [[], []]
        for x, (_, task, metric, _) in enumerate(cells):
            if task in row.entries:
                value, (low, high) = _value_and_error(task, row.entries[task], metric)
                if value is not None:
                    xs.append(x - 0.4 + width * (i + 0.5))
                    ys.append(value)
                    errs[0].append(low)
                    errs[1].append(high)
        ax.bar(xs, ys, width, yerr=errs, capsize=2, label=row.label)
    labels = []
    for x, (label, task, metric, references) in enumerate(cells):
        ref = find(references, reference_name) if references else None
        value = ref.scores.get(f"{task}/{metric}") if ref else None
        if value is not None:
            ax.plot([x - 0.45, x + 0.45], [value, value], color="black", linewidth=2)
            label += f"\nref: {ref.name}"
        labels.append(label)
    ax.plot([], [], color="black", linewidth=2, label="published reference")
    ax.set_xticks(range(len(cells)), labels, rotation=30, ha="right", fontsize=7)
    ax.set_ylabel("score (0-100)")
    ax.set_title("Measured scores (95% CI) against published references")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def plot_score_vs_speed(rows, path):
    tasks = [t for t in dict.fromkeys(t for r in rows for t in r.entries)]
    columns = min(4, max(len(tasks), 1))
    lines = (len(tasks) + columns - 1) // columns or 1
    fig, axes = plt.subplots(lines, columns, figsize=(3.2 * columns, 2.8 * lines), squeeze=False)
    for ax, task in zip(axes.flat, tasks):
        for row in rows:
            entry = row.entries.get(task)
            if not entry or not entry.get("examples_per_s"):
                continue
            value, (low, high) = _value_and_error(task, entry, entry["primary_metric"])
            if value is None:
                continue
            ax.errorbar([entry["examples_per_s"]], [value], yerr=[[low], [high]], fmt="o", capsize=2, label=row.label)
        ax.set_xscale("log")
        ax.set_title(task, fontsize=9)
        ax.set_xlabel("examples/s", fontsize=8)
        metric = next((e["primary_metric"] for r in rows if (e := r.entries.get(task))), "")
        ax.set_ylabel(f"{metric} (0-100)", fontsize=8)
        ax.tick_params(labelsize=7)
    for ax in list(axes.flat)[len(tasks):]:
        ax.axis("off")
    legend = {}
    for ax in axes.flat:
        for handle, label in zip(*ax.get_legend_handles_labels()):
            legend.setdefault(label, handle)
    if legend:
        fig.legend(list(legend.values()), list(legend),  loc="lower center", ncol=min(len(legend), 3), fontsize=7)
    fig.suptitle("Score against speed (accuracy–cost trade-off)", fontsize=10)
    fig.tight_layout(rect=(0, 0.08, 1, 0.95))
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
