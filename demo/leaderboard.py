"""Leaderboard tab: the evaluation suite's tables and plots for the app's results folder.

The tables come from `evaluation.leaderboard` (`collect` + `build_tables`, rendered by
`evaluation.render.to_markdown`): GLUE in the official column order with the GLUE score with and
without WNLI (partial runs marked), SQuAD, NER, SRL, translation, fill-mask and per-task details,
each with the published reference rows and a `Δ vs <reference>` row under every measured one. The
two plots (`evaluation.plots`) are drawn into this process's temp folder, never into the results
folder. The evaluation suite and matplotlib are imported on the first refresh, not at app start;
the tab fills in when it is opened (or on Refresh).
"""
from __future__ import annotations

import atexit
import hashlib
import os
import shutil
import tempfile
import threading
from pathlib import Path

import gradio as gr

from .common import DemoConfig

DEFAULT_REFERENCE = "default"  # the suite's own choice per benchmark (MiniLM-L6xH384 for GLUE, BERT-base else)
DEFAULT_NOTE = "MiniLM-L6xH384 dev for GLUE, BERT-base dev for SQuAD and NER"
EMPTY = ("**No results yet** in `{folder}`{extra}. Score a model with\n\n"
         "```bash\npython -m evaluation run --model default --tasks glue,squad,ner,srl,translation,fill-mask "
         "--output {folder}\n```\n\nthen press **Refresh**.")
PLOTS = [("scores_vs_references.png", "Measured scores (95% CI) against published references"),
         ("score_vs_speed.png", "Score against speed (examples/s)")]
KEEP_PLOT_SETS = 8  # rendered plot folders kept in the temp folder (one per distinct results folder state)

_PLOT_LOCK = threading.Lock()  # pyplot is not thread-safe; also guards the temp folder
_PLOT_DIR: Path | None = None


def reference_names() -> list[str]:
    """The choices of the Δ picker: the suite's default, then every published reference by name."""
    try:
        from evaluation.references import REFERENCES
    except ImportError:
        return [DEFAULT_REFERENCE]
    return [DEFAULT_REFERENCE, *dict.fromkeys(r.name for r in REFERENCES)]


def _plot_dir() -> Path:
    global _PLOT_DIR
    if _PLOT_DIR is None or not _PLOT_DIR.is_dir():
        _PLOT_DIR = Path(tempfile.mkdtemp(prefix="bertkit-leaderboard-"))
        atexit.register(shutil.rmtree, _PLOT_DIR, True)
    return _PLOT_DIR


def _state_key(folder: Path, reference: str | None) -> str:
    """Changes whenever a results file is added, removed or rewritten (or the reference changes)."""
    files = sorted((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in folder.glob("*.json") if p.is_file())
    blob = repr((str(folder.resolve()), reference, files))
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def render_plots(rows, folder: Path, reference: str | None) -> list[tuple[str, str]]:
    """The two PNGs for these rows, as (path, caption), in a temp folder; re-drawn only when the
    results folder changed since the last refresh."""
    from evaluation.plots import plot_score_vs_speed, plot_scores_vs_references

    with _PLOT_LOCK:
        base = _plot_dir()
        target = base / _state_key(folder, reference)
        if not all((target / name).is_file() for name, _ in PLOTS):
            work = Path(tempfile.mkdtemp(dir=base, prefix=".drawing-"))
            try:
                plot_scores_vs_references(rows, work / PLOTS[0][0], reference)
                plot_score_vs_speed(rows, work / PLOTS[1][0])
                shutil.rmtree(target, ignore_errors=True)
                os.replace(work, target)
            finally:
                shutil.rmtree(work, ignore_errors=True)
        old = sorted((p for p in base.iterdir() if p.is_dir() and p != target and not p.name.startswith(".")),
                     key=lambda p: p.stat().st_mtime)
        for stale in old[:max(len(old) - (KEEP_PLOT_SETS - 1), 0)]:
            shutil.rmtree(stale, ignore_errors=True)
        os.utime(target)
        return [(str(target / name), caption) for name, caption in PLOTS]


def tables_markdown(tables) -> str:
    from evaluation.render import to_markdown

    parts = []
    for table in tables:
        if table.rows:
            parts.append(to_markdown(table))
        else:  # nothing measured and no published reference (SRL, translation, fill-mask before a run)
            parts.append(f"### {table.title}\n\n_No scores in this folder yet._\n")
    return "\n".join(parts)


def leaderboard(results_dir: str = "results", reference: str | None = DEFAULT_REFERENCE):
    """-> (the suite's tables as Markdown, or a message; [(plot path, caption)]).

    `reference`: the published row each measured row's Δ is taken against (`default`: the suite's
    choice per benchmark); a name that is not a reference of a benchmark falls back to its default.
    """
    folder = Path(results_dir or "results")
    if not folder.is_dir():
        return EMPTY.format(folder=folder, extra=" (the folder does not exist)"), []
    try:
        from evaluation.leaderboard import build_tables, collect
    except ImportError as e:
        return (f"The evaluation suite is not importable here ({e}): the Leaderboard tab needs the "
                f"`evaluation/` package of the bertkit repository."), []
    reference = None if reference in (None, "", DEFAULT_REFERENCE) else str(reference)
    try:
        rows = collect(folder)
    except (KeyError, TypeError, ValueError) as e:  # a results file of an unexpected shape
        raise gr.Error(f"cannot read the results files in {folder}: {type(e).__name__}: {e}") from None
    if not rows:
        others = len(list(folder.glob("*.json")))
        extra = f" ({others} JSON file(s) there, none a `bertkit-eval/1` results file)" if others else ""
        return EMPTY.format(folder=folder, extra=extra), []
    try:
        tables = build_tables(rows, reference)
    except KeyError as e:
        raise gr.Error(str(e.args[0] if e.args else e)) from None
    head = (f"{len(rows)} model row(s) from the results files in `{folder}`; all values on a 0–100 scale, "
            f"`—` = not run. Δ rows: measured minus the reference "
            f"({DEFAULT_NOTE if reference is None else f'{reference} where it has the benchmark, else ' + DEFAULT_NOTE}).")
    try:
        plots = render_plots(rows, folder, reference)
    except ImportError as e:  # matplotlib missing: the tables still show
        head += f"\n\n_No plots: {e}._"
        plots = []
    return head + "\n\n" + tables_markdown(tables), plots


def build(config: DemoConfig) -> None:
    def refresh_leaderboard(reference: str = DEFAULT_REFERENCE):
        # the folder is fixed by the server: the page cannot browse other folders
        return leaderboard(config.results_dir, reference)

    gr.Markdown(f"Scores measured by the evaluation suite (`python -m evaluation run`) in `{config.results_dir}`, "
                f"beside the published references (each with its source), and the two leaderboard plots.")
    with gr.Row():
        reference = gr.Dropdown(reference_names(), value=DEFAULT_REFERENCE, label="Δ against",
                                info="the published row each measured row is compared with", scale=3)
        refresh = gr.Button("Refresh", scale=1)
    tables = gr.Markdown("_Loading the results…_ (press **Refresh** if nothing appears)",
                         elem_id="leaderboard_tables")
    gallery = gr.Gallery(label="Plots", columns=2, height="auto", show_label=True)
    outputs = [tables, gallery]
    refresh.click(refresh_leaderboard, [reference], outputs, api_name="leaderboard")
    reference.change(refresh_leaderboard, [reference], outputs, api_visibility="private")
    tab = gr.context.Context.block  # build() runs inside its gr.Tab: fill the tab when it is opened
    if isinstance(tab, gr.Tab):
        tab.select(refresh_leaderboard, [reference], outputs, api_visibility="private")
