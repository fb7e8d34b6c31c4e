"""Sentence-pair tab: paraphrase (MRPC), entailment (RTE, WNLI, QNLI) and similarity (STS-B, 0-5)
on two text boxes. The task list comes from the registry."""
from __future__ import annotations

import gradio as gr

from .common import (DemoConfig, check_text, examples, get_predictor, head_note, model_selector, run_batch,
                     task_dropdown, tasks_of, user_errors)


@user_errors
def pair(text: str, text_pair: str, task: str = "mrpc", model: str = "default"):
    """-> (label probabilities, or 'similarity x / 5' for STS-B; note; raw predictor output)."""
    item = {"text": check_text(text, "first sentence"), "text_pair": check_text(text_pair, "second sentence")}
    predictor = get_predictor(task, model)
    result = predictor(item)
    if "scores" in result:
        return result["scores"], head_note(predictor), result
    return f"similarity {result['score']:.2f} / 5", head_note(predictor), result


def _check_pair(item):
    text, text_pair = item
    return {"text": check_text(text, "first sentence"), "text_pair": check_text(text_pair, "second sentence")}


def pair_batch(texts: list[str], text_pairs: list[str], tasks: list[str], models: list[str]) -> list[list[dict]]:
    """Batched API: one predictor output (or {"error": ...}) per pair."""
    return [run_batch(list(zip(texts, text_pairs)), [t or "mrpc" for t in tasks], list(models),
                      [{}] * len(texts), _check_pair)]


def build(config: DemoConfig) -> None:
    tasks = tasks_of("pair")
    first = tasks[0].examples[0]
    gr.Markdown("Two sentences in: are they paraphrases, does the first entail the second, how similar are "
                "they (STS-B, 0–5)? BERT reads them as one sequence: `[CLS] A [SEP] B [SEP]`.")
    with gr.Row():
        with gr.Column(scale=4):
            text = gr.Textbox(label="First sentence", value=first["text"], lines=2)
            text_pair = gr.Textbox(label="Second sentence", value=first["text_pair"], lines=2)
        with gr.Column(scale=2):
            task = task_dropdown(tasks)
            model = model_selector(config)
    button = gr.Button("Compare", variant="primary")
    label = gr.Label(label="Prediction")
    note = gr.Markdown()
    with gr.Accordion("Raw output (JSON)", open=False):
        raw = gr.JSON()
    inputs, outputs = [text, text_pair, task, model], [label, note, raw]
    button.click(pair, inputs, outputs, api_name="pair")
    rows = [[e["text"], e["text_pair"], t.name, config.model] for t in tasks for e in t.examples]
    examples(config, rows, inputs, outputs, pair)
    gr.api(pair_batch, api_name="pair_batch", batch=True, max_batch_size=16)
