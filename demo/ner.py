"""Entities tab: coloured entity spans with a legend, and a table (CoNLL-2003 types, or the labels
of any other tagging task of the family)."""
from __future__ import annotations

import gradio as gr

from .caches import get_predictor
from .common import (DemoConfig, TabParts, batched, example_rows, model_selector, notes, run_batch,
                     task_dropdown, warning_box, wire)
from .errors import endpoint
from .policy import check_text

API_NAME = "ner"
TASK = "ner"
COLORS = {"PER": "#f87171", "ORG": "#60a5fa", "LOC": "#4ade80", "MISC": "#c084fc"}


@endpoint
def entities(text: str, model: str = "default", task: str = TASK):
    """Find named entities: people (PER), organisations (ORG), places (LOC) and other names (MISC).

    Args:
        text: the text to tag
        model: "default" (bertkit's shipped heads) or a hub id of a token-classification model
        task: a tagging task ("ner")

    Returns:
        the text with coloured entities, a table of entities, a note on the head, and the raw output
    """
    text = check_text(text)
    predictor = get_predictor(task, model)
    result = predictor(text)
    return highlighted(text, result), entity_table(result), notes(predictor, text), result


def highlighted(text: str, result: dict) -> dict:
    return {"text": text, "entities": [{"entity": s["label"], "start": s["start"], "end": s["end"]}
                                       for s in result["spans"]]}


def entity_table(result: dict) -> list[list]:
    return [[s["text"], s["label"], s["start"], s["end"], round(s["score"], 4)] for s in result["spans"]]


def ner_batch(texts: list[str], models: list[str]) -> list[list[dict]]:
    """Tag entities in batches: each request gives a text (or a list of texts) and a model; each answer
    is {"spans", "words"} (a list of them for a list), or {"error": message}."""
    return batched(lambda t, m: run_batch(list(t), [TASK] * len(t), list(m), [{}] * len(t), check_text),
                   texts, models)


def client_args(task, example, model) -> list:
    return [example, model, task.name]


def build(config: DemoConfig, tasks: list) -> None:
    gr.Markdown("Names of people (PER), organisations (ORG), places (LOC) and other names (MISC), tagged "
                "word by word (IOB2) and joined into spans.")
    first = tasks[0].examples[1] if len(tasks[0].examples) > 1 else tasks[0].examples[0]
    with gr.Row():
        text = gr.Textbox(label="Text", value=first, lines=1, scale=4, elem_id="ner_text", info="Enter submits")
        with gr.Column(scale=2):
            model = model_selector(config)
            task = task_dropdown(tasks, config.model)
    button = gr.Button("Find entities", variant="primary", elem_id="ner_run")
    warn = warning_box("ner")  # above the answer: the model cannot read this input
    spans = gr.HighlightedText(label="Entities", color_map=COLORS, show_legend=True, elem_id="ner_highlight")
    note = gr.Markdown(elem_id="ner_note")
    table = gr.Dataframe(headers=["entity", "type", "start", "end", "score"], label="Entities")
    with gr.Accordion("Raw output (JSON)", open=False):
        raw = gr.JSON()
    inputs, outputs = [text, model, task], [spans, table, note, raw]
    rows = example_rows(tasks, config.model, lambda t, e: [e, config.model, t.name])
    wire(TabParts(entities, API_NAME, inputs, outputs, [button.click, text.submit], note=2, raw=3, warn_box=warn,
         task=task, model=model, tasks=tasks), config, rows)
    gr.api(ner_batch, api_name="ner_batch", batch=True, max_batch_size=16)
