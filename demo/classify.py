"""Classify tab: single-sentence classification (SST-2 sentiment, CoLA acceptability, and any other
single-text task of the family) with per-label probabilities. The task list comes from the registry."""
from __future__ import annotations

import gradio as gr

from .caches import get_predictor
from .common import (DemoConfig, TabParts, batched, example_rows, model_selector, notes, run_batch,
                     task_dropdown, warning_box, wire)
from .errors import endpoint
from .policy import check_text

API_NAME = "classify"


@endpoint
def classify(text: str, task: str = "sst2", model: str = "default"):
    """Classify one sentence with a fine-tuned BERT head (e.g. sst2 sentiment, cola acceptability).

    Args:
        text: the sentence to classify
        task: a single-sentence classification task, e.g. "sst2" or "cola"
        model: "default" (bertkit's shipped heads) or a hub id of a fine-tuned model

    Returns:
        label probabilities, a note on how good the head is, and the raw output {"label", "score", "scores"}
    """
    text = check_text(text)
    predictor = get_predictor(task, model)
    result = predictor(text)
    return result["scores"], notes(predictor, text), result


def classify_batch(texts: list[str], tasks: list[str], models: list[str]) -> list[list[dict]]:
    """Classify sentences in batches: each request gives a sentence (or a list of sentences), a task
    such as "sst2" and a model such as "default"; each answer is {"label", "score", "scores"} (a list
    of them for a list), or {"error": message} for a bad input."""
    return batched(lambda t, k, m: run_batch(list(t), [x or "sst2" for x in k], list(m), [{}] * len(t), check_text),
                   texts, tasks, models)


def client_args(task, example, model) -> list:
    return [example, task.name, model]


def build(config: DemoConfig, tasks: list) -> None:
    gr.Markdown("One sentence in, a probability for every label out.")
    with gr.Row():
        with gr.Column(scale=4):
            text = gr.Textbox(label="Sentence", value=tasks[0].examples[0], lines=1, elem_id="classify_text",
                              info="Enter submits")
        with gr.Column(scale=2):
            task = task_dropdown(tasks, config.model, elem_id="classify_task")
            model = model_selector(config)
    button = gr.Button("Classify", variant="primary", elem_id="classify_run")
    warn = warning_box("classify")  # above the answer: the model cannot read this input
    label = gr.Label(label="Prediction", elem_id="classify_label")
    note = gr.Markdown(elem_id="classify_note")
    with gr.Accordion("Raw output (JSON)", open=False):
        raw = gr.JSON()
    inputs, outputs = [text, task, model], [label, note, raw]
    rows = example_rows(tasks, config.model, lambda t, e: [e, t.name, config.model])
    wire(TabParts(classify, API_NAME, inputs, outputs, [button.click, text.submit], note=1, raw=2, warn_box=warn,
         task=task, model=model, tasks=tasks), config, rows)
    gr.api(classify_batch, api_name="classify_batch", batch=True, max_batch_size=16)
