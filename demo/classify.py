"""Classify tab: single-sentence classification (SST-2 sentiment, CoLA acceptability) with
per-label probabilities. The task list comes from the registry."""
from __future__ import annotations

import gradio as gr

from .common import (DemoConfig, check_text, examples, get_predictor, head_note, model_selector, run_batch,
                     task_dropdown, tasks_of, user_errors)


@user_errors
def classify(text: str, task: str = "sst2", model: str = "default"):
    """-> ({label: probability}, note, raw predictor output)."""
    text = check_text(text)
    predictor = get_predictor(task, model)
    result = predictor(text)
    return result["scores"], head_note(predictor), result


def classify_batch(texts: list[str], tasks: list[str], models: list[str]) -> list[list[dict]]:
    """Batched API: one {"label", "score", "scores"} (or {"error": ...}) per text."""
    return [run_batch(list(texts), [t or "sst2" for t in tasks], list(models), [{}] * len(texts), check_text)]


def build(config: DemoConfig) -> None:
    tasks = tasks_of("single")
    gr.Markdown("One sentence in, a probability for every label out.")
    with gr.Row():
        with gr.Column(scale=4):
            text = gr.Textbox(label="Sentence", value=tasks[0].examples[0], lines=2, elem_id="classify_text")
        with gr.Column(scale=2):
            task = task_dropdown(tasks)
            model = model_selector(config)
    button = gr.Button("Classify", variant="primary", elem_id="classify_run")
    label = gr.Label(label="Prediction", elem_id="classify_label")
    note = gr.Markdown()
    with gr.Accordion("Raw output (JSON)", open=False):
        raw = gr.JSON()
    inputs, outputs = [text, task, model], [label, note, raw]
    gr.on([button.click, text.submit], classify, inputs, outputs, api_name="classify")
    examples(config, [[e, t.name, config.model] for t in tasks for e in t.examples], inputs, outputs, classify)
    gr.api(classify_batch, api_name="classify_batch", batch=True, max_batch_size=16)
