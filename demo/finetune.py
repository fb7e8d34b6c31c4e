"""Fine-tune tab: upload a small CSV/JSONL of labelled texts (or pairs), train a LoRA
classification head on a base model with a progress bar and a live loss plot, try it in place,
and download it as a zip holding a folder that `bertkit.load(TASK, model=FOLDER)` accepts.

Training runs `bertkit.train` in a worker thread; a transformers callback (added once to the
Trainer's default callbacks, and acting only on runs this module started) reports each step and
log line back to the page and stops the run when the user cancels. Steps and rows are capped so
a CPU Space stays responsive.
"""
from __future__ import annotations

import queue
import shutil
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import gradio as gr

from .caches import get_predictor
from .common import DemoConfig, WholeNumber, api_twin, model_selector, named
from .errors import UserError, endpoint
from .finetune_files import (HOLD_OUT, RELIABLE_ROWS, hide_paths, new_work_folder, prepare_files, release,
                             reliability, required_columns, trained_folder, zip_folder)
from .policy import check_text, model_name, number, option

PLOT_POINTS = 50  # about this many loss points per run (a log line every total/50 steps)
EXAMPLE_FILE = Path(__file__).parent / "examples" / "sentiment.csv"


@dataclass
class TrainingRun:
    """One run started from the page: events from the Trainer callback, and a cancel flag."""

    session: str
    events: queue.Queue = field(default_factory=queue.Queue)
    cancelled: threading.Event = field(default_factory=threading.Event)


_RUNS: dict[str, TrainingRun] = {}  # Trainer output_dir -> run
_RUNS_LOCK = threading.Lock()


def progress_callback(run: "TrainingRun"):
    """A Trainer callback that reports steps and losses to the page and stops on Cancel."""
    from transformers import TrainerCallback

    class DemoTrainingCallback(TrainerCallback):
        def on_step_end(self, args, state, control, **kwargs):
            run.events.put(("step", state.global_step, state.max_steps, None))
            if state.global_step % max(1, state.max_steps // PLOT_POINTS) == 0:
                control.should_log = True  # a loss point every few steps, however long the run
            if run.cancelled.is_set():
                control.should_training_stop = True

        def on_log(self, args, state, control, logs=None, **kwargs):
            if logs:
                run.events.put(("log", state.global_step, state.max_steps, dict(logs)))

    return DemoTrainingCallback()


# ---- data ----------------------------------------------------------------------------------------
@endpoint
def expected_format(task_name: str) -> str:
    """The file format the Fine-tune tab takes for a task: its columns and labels.

    Args:
        task_name: a classification task, e.g. "sst2" or "mrpc"

    Returns:
        the columns and labels an upload for this task needs
    """
    from bertkit import get_task

    task = get_task(task_name)
    labels = "a similarity score from 0 to 5" if not task.labels else " / ".join(f"`{x}`" for x in task.labels)
    columns = ", ".join(f"`{c}`" for c in required_columns(task))
    return f"Columns: {columns}. Labels: {labels} (names or ids). CSV with a header row, or JSON Lines."


def loss_frame(points: list[dict]):
    import pandas as pd

    return pd.DataFrame(points or [], columns=["step", "value", "series"])


# ---- training ------------------------------------------------------------------------------------
def finetune(file, task: str = "sst2", model: str = "default", max_steps: int = 30, batch_size: int = 16,
             learning_rate: float = 5e-4, request: gr.Request = None, progress=gr.Progress(),
             limits: tuple[int, int] = (200, 2000), labels: str | None = ""):
    """Generator -> (status markdown, loss points, zip to download, run id), live while training."""
    import bertkit

    max_allowed_steps, max_rows = limits
    if not file:
        raise UserError("upload a CSV or JSONL file of labelled examples first")
    valid = [t.name for t in classification_tasks()]
    task = option(task, "sst2")
    if task not in valid:
        raise UserError(f"{task!r} is not a classification task; valid: {', '.join(valid)}")
    max_steps = number(max_steps, "max steps", 1, max_allowed_steps, integer=True, default=30)
    batch_size = number(batch_size, "batch size", 1, 64, integer=True, default=16)
    # Infinity/NaN trained a NaN model that was then published
    learning_rate = number(learning_rate, "learning rate", 1e-8, 1.0, default=5e-4)
    path = file if isinstance(file, str) else getattr(file, "name", str(file))
    work = new_work_folder()
    try:
        data = prepare_files(path, task, work.path, max_rows, labels=labels)
    except BaseException:
        release(work)
        shutil.rmtree(work.path, ignore_errors=True)
        raise
    out = work.path / f"bertkit-{task}-lora"
    run = TrainingRun(session=getattr(request, "session_hash", None) or "")
    with _RUNS_LOCK:
        _RUNS[str(out / "checkpoints")] = run

    def work_thread():
        try:
            result = bertkit.train(task, callbacks=[progress_callback(run)], model=model_name(model),
                                   train_file=data["train"], validation_file=data["validation"],
                                   labels=data["labels"], lora=True, max_steps=max_steps, batch_size=batch_size,
                                   lr=learning_rate, output=str(out), progress=False)
            run.events.put(("done", None, None, result))
        except Exception as e:  # shown to the user; the server keeps serving
            run.events.put(("error", None, None, e))

    head = (f"Training a LoRA **{task}** head on `{model_name(model)}`: {data['n_train']} training rows, "
            f"{data['n_validation']} held out" + (f" (capped at {max_rows} rows)" if data["capped"] else "") + ".")
    points: list[dict] = []
    progress(0.0, desc="loading the model")
    yield head + "\n\nLoading the model…", loss_frame(points), None, ""
    thread = threading.Thread(target=work_thread, name="bertkit-finetune", daemon=True)
    thread.start()
    finished = False
    try:
        while True:
            kind, step, total, payload = run.events.get()
            if kind == "step":
                progress(step / max(total, 1), desc=f"step {step}/{total}")
            elif kind == "log" and "loss" in payload:
                points.append({"step": step, "value": float(payload["loss"]), "series": "training loss"})
                yield f"{head}\n\nStep {step}/{total} · loss {payload['loss']:.4f}", loss_frame(points), None, ""
            elif kind == "error":
                finished = True
                from bertkit.errors import BertkitError

                message = hide_paths(str(payload), path, work.path)
                if isinstance(payload, (BertkitError, ValueError)):  # the upload or the settings, not a bug
                    raise UserError(f"training failed: {message}")
                raise gr.Error(f"training failed: {type(payload).__name__}: {message}") from payload
            elif kind == "done":
                finished = True
                break
        thread.join()
        shutil.rmtree(out / "checkpoints", ignore_errors=True)
        stamp = time.strftime("%H%M%S")  # the session's runs list tells the zips apart by name
        archive = zip_folder(out, work.path / f"bertkit-{task}-lora-{stamp}.zip", out.name)
        metrics = {k.removeprefix("eval_"): v for k, v in payload["metrics"].items() if isinstance(v, (int, float))}
        shown = " · ".join(f"{k} {v:.4f}" if isinstance(v, float) else f"{k} {v}" for k, v in metrics.items())
        stopped = " (cancelled early: the partly trained head was kept)" if run.cancelled.is_set() else ""
        status = (f"{head}\n\n**Done**{stopped} in {payload['train_seconds']:.0f} s. Held-out scores: {shown}."
                  f"{reliability(data['n_validation'], metrics.get('accuracy'))}\n\n"
                  f"Try it below (run `{work.run_id}`, kept for an hour), or download the zip and load the "
                  f"unpacked folder with `bertkit.load({task!r}, model='bertkit-{task}-lora')`.")
        yield status, loss_frame(points), str(archive), work.run_id
    finally:
        if not finished:
            run.cancelled.set()  # the page was closed or the event cancelled: stop the Trainer
        with _RUNS_LOCK:
            _RUNS.pop(str(out / "checkpoints"), None)
        release(work)


def finetune_cancel(request: gr.Request = None) -> str:
    """Stop this session's training run after the current step."""
    session = getattr(request, "session_hash", None) or ""
    with _RUNS_LOCK:
        runs = [r for r in _RUNS.values() if r.session == session]
    for r in runs:
        r.cancelled.set()
    return "Cancelled." if runs else "Nothing is training in this session."


@endpoint
def finetune_try(text: str, text_pair: str, folder: str, task: str = "sst2"):
    """Try a head trained in the Fine-tune tab: its prediction for a sentence (or a pair).

    Args:
        text: the sentence (the first one for a pair task)
        text_pair: the second sentence, for pair tasks; empty otherwise
        folder: the run id the Fine-tune tab printed ("run-…"), or a hub id
        task: the task it was trained for, e.g. "sst2"

    Returns:
        label probabilities (or "similarity x / 5"), and the raw output
    """
    if not folder or not str(folder).strip():
        raise UserError("train a head first (or give the run id of one)")
    trained = trained_folder(folder)
    if trained is None and str(folder).strip().startswith("run-"):
        raise UserError(f"no run {str(folder).strip()!r} on this server (runs are removed after an hour): train "
                        f"a head again")
    predictor = get_predictor(option(task, "sst2"), str(trained) if trained else folder)
    pair = getattr(predictor.task.family, "pair", False)
    item = {"text": check_text(text, "first sentence"), "text_pair": check_text(text_pair, "second sentence")} \
        if pair else check_text(text)
    result = predictor(item)
    return (result["scores"] if "scores" in result else f"similarity {result['score']:.2f} / 5"), result


def classification_tasks() -> list:
    from .registry import classification_tasks as tasks

    return tasks()


def remember_run(archive, runs: list | None) -> tuple[list, list]:
    """This session's finished runs: every zip stays downloadable after the next run starts."""
    runs = list(runs or [])
    if archive and archive not in runs:
        runs.append(archive)
    return runs, runs


def shown_in_status(generator_fn):
    """The page's version of `finetune`: a user error goes into the status area and a toast."""
    import functools

    @functools.wraps(generator_fn)  # gradio reads the signature to pass the request and progress
    def ui(*args, **kwargs):
        try:
            yield from generator_fn(*args, **kwargs)
        except gr.Error as e:
            from .errors import error_note, log

            if e.print_exception:
                raise
            log.warning("user error in finetune: %s", e.message)
            gr.Warning(e.message)
            yield error_note(e.message), loss_frame([]), None, ""
    return ui


def build(config: DemoConfig) -> None:
    tasks = classification_tasks()
    limits = (config.finetune_max_steps, config.finetune_max_rows)

    def train(file, task: str, model: str, max_steps: int | str, batch_size: int | str, learning_rate: float | str,
              labels: str = "", request: gr.Request = None, progress=gr.Progress()):
        """Fine-tune a LoRA classification head on an uploaded CSV/JSONL file (capped steps and rows).

        Args:
            file: a CSV or JSONL file of labelled examples (columns as /finetune_format says)
            task: the classification task that sets the labels, e.g. "sst2"
            model: the base model: "default" or a hub id
            max_steps: training steps, a whole number (or its digits as text) from 1 to the server's cap
            batch_size: examples per step, a whole number (or its digits as text) from 1 to 64
            learning_rate: the learning rate, a finite number above 0 and at most 1 (or its text, e.g. "5e-4")
            labels: your own label set, comma-separated (e.g. "happy, sad, meh"); empty: the task's labels

        Returns:
            status text, the loss points, the trained head as a zip, and the run id to try it with /finetune_try
        """
        yield from finetune(file, task, model, max_steps, batch_size, learning_rate, request, progress, limits, labels)

    gr.Markdown(f"Teach BERT a classifier from your own examples: a LoRA adapter (a few MB) plus a new "
                f"classification head, trained on the CPU. Up to {config.finetune_max_rows:,} rows and "
                f"{config.finetune_max_steps} steps here; {int(HOLD_OUT * 100)} % of the rows are held out "
                f"to score the result (fewer than {RELIABLE_ROWS} held-out rows: the score is flagged unreliable).")
    with gr.Row():
        with gr.Column(scale=3):
            file = gr.File(label="Labelled examples (CSV or JSONL)", file_types=[".csv", ".tsv", ".jsonl", ".json"],
                           value=str(EXAMPLE_FILE) if EXAMPLE_FILE.exists() else None)
            task = gr.Dropdown([(t.name, t.name) for t in tasks], value=tasks[0].name, label="Task (sets the labels)")
            fmt = gr.Markdown(expected_format(tasks[0].name))
        with gr.Column(scale=2):
            model = model_selector(config, label="Base model")
            max_steps = gr.Slider(1, config.finetune_max_steps, value=min(30, config.finetune_max_steps), step=1,
                                  label="Training steps")
            batch_size = gr.Dropdown([8, 16, 32], value=16, label="Batch size")
            learning_rate = gr.Number(value=5e-4, label="Learning rate")
            labels = gr.Textbox(value="", label="Your own labels (optional)", placeholder="happy, sad, meh",
                                info="comma-separated, like the CLI's --labels; empty: the task's labels")
    with gr.Row():
        start = gr.Button("Train", variant="primary", elem_id="finetune_run")
        cancel = gr.Button("Cancel", variant="stop")
    status = gr.Markdown(elem_id="finetune_status")
    plot = gr.LinePlot(loss_frame([]), x="step", y="value", color="series", label="Loss", y_title="loss")
    with gr.Row():
        archive = gr.File(label="Download this run (zip)", interactive=False)
        folder = gr.Textbox(label="Run id (to try the head)", interactive=True, elem_id="finetune_folder")
    runs = gr.State([])
    finished = gr.File(label="Every finished run of this session", file_count="multiple", interactive=False,
                       elem_id="finetune_runs")
    with gr.Accordion("Try it", open=True):
        with gr.Row():
            try_text = gr.Textbox(label="Text", value="a warm, funny and moving film", scale=2)
            try_pair = gr.Textbox(label="Second sentence (pair tasks)", scale=2)
            try_button = gr.Button("Predict", scale=1)
        try_label = gr.Label(label="Prediction")
        with gr.Accordion("Raw output (JSON)", open=False):
            try_raw = gr.JSON()
    task.change(expected_format, task, fmt, api_visibility="private")
    gr.api(named(expected_format, "finetune_format"), api_name="finetune_format")
    inputs = [file, task, model, max_steps, batch_size, learning_rate, labels]
    outputs = [status, plot, archive, folder]
    training = start.click(shown_in_status(train), inputs, outputs, api_visibility="private", concurrency_limit=1,
                           concurrency_id="finetune", show_progress_on=[status])  # the loss plot stays visible
    training.then(remember_run, [archive, runs], [runs, finished], api_visibility="private")
    api = gr.Button(visible=False, elem_classes=["bertkit-api"])
    # the API's own inputs: no example file as the default (its server path would show in the API page
    # and the MCP schema), integers documented as integers, any model id
    api_inputs = [gr.File(visible=False, label="file"), api_twin(task), api_twin(model),
                  WholeNumber(value=min(30, config.finetune_max_steps), visible=False, label="max_steps"),
                  WholeNumber(value=16, visible=False, label="batch_size"), learning_rate, labels]
    api_training = api.click(named(train, "finetune"), api_inputs, outputs, api_name="finetune", concurrency_limit=1,
                             concurrency_id="finetune")
    cancel.click(finetune_cancel, None, status, cancels=[training, api_training], api_visibility="private",
                 queue=False)
    try_button.click(finetune_try, [try_text, try_pair, folder, task], [try_label, try_raw], api_name="finetune_try")
