"""Entities tab: coloured entity spans with a legend, and a table (CoNLL-2003 types)."""
from __future__ import annotations

import gradio as gr

from .common import DemoConfig, check_text, examples, get_predictor, head_note, model_selector, run_batch, user_errors

TASK = "ner"
COLORS = {"PER": "#f87171", "ORG": "#60a5fa", "LOC": "#4ade80", "MISC": "#c084fc"}


@user_errors
def entities(text: str, model: str = "default"):
    """-> (text with coloured entities, entities table, note, raw predictor output)."""
    text = check_text(text)
    predictor = get_predictor(TASK, model)
    result = predictor(text)
    return highlighted(text, result), entity_table(result), head_note(predictor), result


def highlighted(text: str, result: dict) -> dict:
    return {"text": text, "entities": [{"entity": s["label"], "start": s["start"], "end": s["end"]}
                                       for s in result["spans"]]}


def entity_table(result: dict) -> list[list]:
    return [[s["text"], s["label"], s["start"], s["end"], round(s["score"], 4)] for s in result["spans"]]


def ner_batch(texts: list[str], models: list[str]) -> list[list[dict]]:
    """Batched API: one {"spans", "words"} (or {"error": ...}) per text."""
    return [run_batch(list(texts), [TASK] * len(texts), list(models), [{}] * len(texts), check_text)]


def build(config: DemoConfig) -> None:
    from bertkit import get_task

    task = get_task(TASK)
    gr.Markdown("Names of people (PER), organisations (ORG), places (LOC) and other names (MISC), tagged "
                "word by word (IOB2) and joined into spans.")
    with gr.Row():
        text = gr.Textbox(label="Text", value=task.examples[1], lines=2, scale=4, elem_id="ner_text")
        model = model_selector(config)
    button = gr.Button("Find entities", variant="primary", elem_id="ner_run")
    spans = gr.HighlightedText(label="Entities", color_map=COLORS, show_legend=True, elem_id="ner_highlight")
    note = gr.Markdown()
    table = gr.Dataframe(headers=["entity", "type", "start", "end", "score"], label="Entities")
    with gr.Accordion("Raw output (JSON)", open=False):
        raw = gr.JSON()
    inputs, outputs = [text, model], [spans, table, note, raw]
    gr.on([button.click, text.submit], entities, inputs, outputs, api_name="ner")
    examples(config, [[e, config.model] for e in task.examples], inputs, outputs, entities)
    gr.api(ner_batch, api_name="ner_batch", batch=True, max_batch_size=16)
