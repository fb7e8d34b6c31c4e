"""Leaderboard tab: the evaluation suite's tables and plots, never empty: the shipped default
model's held-out scores (`evaluation/published/default.json`, committed) beside the rows of the
app's results folder (`results/` unless `build_demo(results_dir=...)`), where **Run evaluation**
writes a fresh, capped (`--limit`) run of any model.

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

from .common import DemoConfig, model_selector, named
from .errors import UserError, error_note, log
from .honesty import PUBLISHED
from .policy import model_name

SHIPPED_LABEL = "default (shipped)"  # the committed results file's row
DEFAULT_REFERENCE = "default"  # the suite's own choice per benchmark (MiniLM-L6xH384 for GLUE, BERT-base else)
DEFAULT_NOTE = "MiniLM-L6xH384 dev for GLUE, BERT-base dev for SQuAD and NER"
EMPTY = ("**No results yet** in `{folder}`{extra}. Score a model with **Run evaluation** below, or with\n\n"
         "```bash\npython -m evaluation run --model default --tasks all --output {folder}\n```\n\n"
         "then press **Refresh**.")
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
    paths = [*(folder.glob("*.json") if folder.is_dir() else []), PUBLISHED]
    files = sorted((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in paths if p.is_file())
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


def collect_rows(folder: Path) -> list:
    """The shipped default's row (the committed results file) and every row of the results folder."""
    from evaluation.leaderboard import collect

    rows = []
    if PUBLISHED.is_file():
        for row in collect(PUBLISHED):
            row.label = SHIPPED_LABEL if row.model == "default" else f"{row.label} (shipped)"
            rows.append(row)
    if folder.is_dir():
        rows += collect(folder)
    return rows


def leaderboard(results_dir: str = "results", reference: str | None = DEFAULT_REFERENCE):
    """The evaluation leaderboard: GLUE, SQuAD, NER, SRL, translation and fill-mask tables with the
    published reference rows and a delta row under every measured one, and two plots.

    Args:
        results_dir: the results folder (the server's own; the page cannot pick another)
        reference: the published row each measured row is compared with ("default": the suite's choice)

    Returns:
        the tables as Markdown, and the plots as (image, caption) pairs
    """
    folder = Path(results_dir or "results")
    try:
        import evaluation.leaderboard  # noqa: F401
    except ImportError as e:
        return (f"The evaluation suite is not importable here ({e}): the Leaderboard tab needs the "
                f"`evaluation/` package of the bertkit repository."), []
    from evaluation.leaderboard import build_tables

    reference = None if reference in (None, "", DEFAULT_REFERENCE) else str(reference)
    try:
        rows = collect_rows(folder)
    except (KeyError, TypeError, ValueError) as e:  # a results file of an unexpected shape
        raise UserError(f"cannot read the results files in {folder}: {type(e).__name__}: {e}") from None
    if not rows:
        others = len(list(folder.glob("*.json"))) if folder.is_dir() else 0
        extra = (f" ({others} JSON file(s) there, none a `bertkit-eval/1` results file)" if others else
                 " (the folder does not exist)" if not folder.is_dir() else "")
        return EMPTY.format(folder=folder, extra=extra), []
    try:
        tables = build_tables(rows, reference)
    except KeyError as e:
        raise UserError(str(e.args[0] if e.args else e)) from None
    shipped = any(r.label == SHIPPED_LABEL for r in rows)
    head = (f"{len(rows)} model row(s): " +
            (f"`{SHIPPED_LABEL}` is the held-out evaluation of the heads this app ships "
             f"(`evaluation/published/{PUBLISHED.name}`), the others come from `{folder}`" if shipped else
             f"from the results files in `{folder}`") +
            f"; all values on a 0–100 scale, `—` = not run. Δ rows: measured minus the reference "
            f"({DEFAULT_NOTE if reference is None else f'{reference} where it has the benchmark, else ' + DEFAULT_NOTE}).")
    try:
        plots = render_plots(rows, folder, reference)
    except ImportError as e:  # matplotlib missing: the tables still show
        head += f"\n\n_No plots: {e}._"
        plots = []
    return head + "\n\n" + tables_markdown(tables), plots


def run_evaluation(model: str, tasks: list[str], limit: int, results_dir: str, max_examples: int,
                   progress=None) -> str:
    """Score `model` on `tasks` with at most `limit` examples each (what `python -m evaluation run
    --limit` does, called in-process: the server's stdout stays its own), one task at a time, into
    `results_dir`; -> a summary line per task (the runner's own line for it)."""
    import io

    from bertkit.errors import BertkitError
    from evaluation.runner import RunSettings, run

    model = model_name(model)
    tasks = [t for t in (tasks or []) if t]
    if not tasks:
        raise UserError("pick at least one task to evaluate")
    if not 1 <= int(limit) <= max_examples:
        raise UserError(f"examples per task must be between 1 and {max_examples} on this server, got {limit}")
    lines = []
    for i, task in enumerate(tasks):
        if progress is not None:
            progress(i / len(tasks), desc=f"{task} ({i + 1}/{len(tasks)})")
        command = ["python", "-m", "evaluation", "run", "--model", model, "--tasks", task, "--limit",
                   str(int(limit)), "--output", str(results_dir), "--no-progress"]  # its equivalent, recorded
        settings = RunSettings(model=model, tasks=task, limit=int(limit), output=str(results_dir), progress=False,
                               command=command)
        said = io.StringIO()  # the runner's log of this task, never the process's stdout/stderr
        try:
            run(settings, log=said)
        except (BertkitError, OSError, KeyError, ValueError) as e:  # what the CLI reports as a user error
            raise UserError(f"evaluating {task} failed: {one_line(e)}") from None
        except Exception as e:  # a bug: logged with its traceback, one line on the page
            log.exception("run_evaluation(%r, %r)", model, task)
            raise UserError(f"evaluating {task} failed: unexpected {type(e).__name__}: {one_line(e)}") from None
        told = [line.strip() for line in said.getvalue().splitlines() if line.strip()]
        lines.append(f"- **{task}**: " + (told[-1] if told else "done"))
    if progress is not None:
        progress(1.0, desc="done")
    return "\n".join(lines)


def one_line(error: BaseException) -> str:
    """An error on one line (a KeyError without its quotes), as `python -m evaluation` prints it."""
    text = error.args[0] if isinstance(error, KeyError) and len(error.args) == 1 else error
    return " ".join(str(text).split()) or type(error).__name__


def build(config: DemoConfig) -> None:
    import bertkit

    def refresh_leaderboard(reference: str = DEFAULT_REFERENCE):
        # the folder is fixed by the server: the page cannot browse other folders
        return leaderboard(config.results_dir, reference)

    refresh_leaderboard.__doc__ = leaderboard.__doc__.split("Args:")[0] + """Args:
        reference: the published row each measured row is compared with ("default": the suite's choice)
    """

    def evaluate(model, tasks, limit, reference, progress=gr.Progress()):
        try:
            summary = run_evaluation(model, tasks, limit, config.results_dir, config.evaluation_max_examples,
                                     progress)
        except gr.Error as e:
            log.warning("user error in run_evaluation: %s", e.message)
            gr.Warning(e.message)
            return (error_note(e.message), *leaderboard(config.results_dir, reference))
        text = (f"Scored `{model_name(model)}` on {len(tasks)} task(s), at most {int(limit)} examples each "
                f"(a quick look: the row is marked `limit {int(limit)}`; the full evaluation is `python -m "
                f"evaluation run`). Results are in `{config.results_dir}`.\n\n{summary}")
        return (text, *leaderboard(config.results_dir, reference))

    gr.Markdown(f"Held-out scores measured by the evaluation suite: the heads this app ships "
                f"(`{SHIPPED_LABEL}`), any model you score below (written to `{config.results_dir}/`), "
                f"and the published references, each with its source, plus the two leaderboard plots.")
    with gr.Row():
        reference = gr.Dropdown(reference_names(), value=DEFAULT_REFERENCE, label="Δ against",
                                info="the published row each measured row is compared with", scale=3)
        refresh = gr.Button("Refresh", scale=1)
    with gr.Accordion("Run evaluation (adds a row)", open=False):
        with gr.Row():
            model = model_selector(config)
            tasks = gr.Dropdown(bertkit.task_names(), value=["sst2"], multiselect=True, label="Tasks", scale=3)
            limit = gr.Slider(1, config.evaluation_max_examples, value=min(50, config.evaluation_max_examples),
                              step=1, label="Examples per task",
                              info=f"at most {config.evaluation_max_examples} on this server")
        run = gr.Button("Run evaluation", variant="primary", elem_id="leaderboard_run")
        status = gr.Markdown(elem_id="leaderboard_status")
    tables = gr.Markdown(leaderboard_now(config), elem_id="leaderboard_tables")
    gallery = gr.Gallery(label="Plots", columns=2, height="auto", show_label=True, elem_id="leaderboard_plots",
                         object_fit="contain")  # whole plots as thumbnails, not their cropped middles
    outputs = [tables, gallery]
    refresh.click(named(refresh_leaderboard, "leaderboard"), [reference], outputs, api_name="leaderboard")
    reference.change(refresh_leaderboard, [reference], outputs, api_visibility="private")
    run.click(evaluate, [model, tasks, limit, reference], [status, *outputs], api_visibility="private",
              concurrency_limit=1, concurrency_id="evaluation")
    tab = gr.context.Context.block  # build() runs inside its gr.Tab: fill the tab (and plots) when it is opened
    if isinstance(tab, gr.Tab):
        tab.select(refresh_leaderboard, [reference], outputs, api_visibility="private")


def leaderboard_now(config: DemoConfig) -> str:
    """What the tab says before it is opened (the suite is imported on the first refresh)."""
    return ("_Loading the results…_ (press **Refresh** if nothing appears)" if PUBLISHED.is_file() else
            "_No shipped results file; press **Refresh** to read the results folder._")
