"""Leaderboard tab: the evaluation suite's results folder: its rendered tables (Markdown, with
published references and deltas) and plots (PNG), and a flat table of every score in its JSON
results files. Reads files only, so it works whether or not the evaluation package is installed."""
from __future__ import annotations

import json
from pathlib import Path

import gradio as gr

from .common import DemoConfig

EMPTY = ("No results yet in `{folder}`. Score a model with `python -m evaluation run --model default "
         "--tasks glue,squad,ner,srl,translation --output {folder}`, then render the tables with "
         "`python -m evaluation leaderboard {folder}`.")
COLUMNS = ["model", "task", "metric", "value", "file"]
SKIP = {"manifest", "config", "environment", "data_files", "packages"}  # provenance, not scores


def _numbers(obj, prefix: str = ""):
    """(metric path, value) for every number under obj; {"value": x, ...} counts as x."""
    if isinstance(obj, bool):
        return
    if isinstance(obj, (int, float)):
        yield prefix, float(obj)
    elif isinstance(obj, dict):
        if isinstance(obj.get("value"), (int, float)) and not isinstance(obj.get("value"), bool):
            yield prefix, float(obj["value"])
            return
        for key, value in obj.items():
            if key not in SKIP:
                yield from _numbers(value, f"{prefix}.{key}" if prefix else str(key))


def _model_of(data: dict, fallback: str) -> str:
    for where in (data, data.get("manifest") or {}):
        for key in ("model", "model_id", "model_name"):
            value = where.get(key) if isinstance(where, dict) else None
            if isinstance(value, str):
                return value
            if isinstance(value, dict) and isinstance(value.get("name") or value.get("id"), str):
                return value.get("name") or value.get("id")
    return fallback


def _task_scores(data, tasks: set[str]):
    """(task, metric, value) wherever a known task name keys a dict of scores."""
    if isinstance(data, dict):
        if isinstance(data.get("task"), str) and data["task"] in tasks:
            for key in ("scores", "metrics", "results"):
                if isinstance(data.get(key), dict):
                    for metric, value in _numbers(data[key]):
                        yield data["task"], metric, value
            return
        for key, value in data.items():
            if key in SKIP:
                continue
            if key in tasks and isinstance(value, dict):
                scores = next((value[k] for k in ("scores", "metrics") if isinstance(value.get(k), dict)), value)
                for metric, number in _numbers(scores):
                    yield key, metric, number
            else:
                yield from _task_scores(value, tasks)
    elif isinstance(data, list):
        for value in data:
            yield from _task_scores(value, tasks)


def result_rows(folder: Path) -> list[list]:
    import bertkit

    tasks = set(bertkit.task_names())
    rows = []
    for file in sorted(folder.rglob("*.json")):
        try:
            data = json.loads(file.read_text())
        except (OSError, ValueError):
            continue
        model = _model_of(data, file.stem) if isinstance(data, dict) else file.stem
        rows += [[model, task, metric, round(value, 4), str(file.relative_to(folder))]
                 for task, metric, value in _task_scores(data, tasks)]
    return rows


def leaderboard(results_dir: str = "results"):
    """-> (rendered tables as Markdown or a message, flat score table, plot image paths)."""
    folder = Path(results_dir or "results")
    if not folder.is_dir():
        return EMPTY.format(folder=folder), [], []
    tables = [f"### {f.stem}\n\n{f.read_text()}" for f in sorted(folder.rglob("*.md"))]
    plots = [str(f) for f in sorted(folder.rglob("*.png"))]
    rows = result_rows(folder)
    if not (tables or plots or rows):
        return EMPTY.format(folder=folder), [], []
    text = "\n\n".join(tables) or (f"{len(rows)} scores from the results files in `{folder}` (no rendered tables: "
                                   f"`python -m evaluation leaderboard {folder}` writes them).")
    return text, rows, plots


def build(config: DemoConfig) -> None:
    def refresh_leaderboard():  # the folder is fixed by the server: the page cannot browse other folders
        return leaderboard(config.results_dir)

    gr.Markdown(f"Scores measured by the evaluation suite (`python -m evaluation`), beside the published "
                f"references, read from `{config.results_dir}`.")
    refresh = gr.Button("Refresh")
    text, rows, plots = leaderboard(config.results_dir)
    tables = gr.Markdown(text, elem_id="leaderboard_tables")
    table = gr.Dataframe(rows, headers=COLUMNS, label="Every score in the results files")
    gallery = gr.Gallery(plots, label="Plots", columns=2, height="auto")
    refresh.click(refresh_leaderboard, None, [tables, table, gallery], api_name="leaderboard")
