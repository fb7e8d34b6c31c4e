"""Sentence-pair tab: paraphrase (MRPC), entailment (RTE, WNLI, QNLI) and similarity (STS-B, 0-5)
on two text boxes. The task list comes from the registry, filtered by what the model serves."""
from __future__ import annotations

import gradio as gr

from .caches import get_predictor
from .common import (DemoConfig, TabParts, batched, example_rows, model_selector, notes, run_batch,
                     task_dropdown, warning_box, wire)
from .errors import endpoint
from .policy import check_text

API_NAME = "pair"


@endpoint
def pair(text: str, text_pair: str, task: str = "mrpc", model: str = "default"):
    """Compare two sentences: paraphrase (mrpc), entailment (rte, wnli) or similarity 0-5 (stsb).

    Args:
        text: the first sentence (the premise for entailment)
        text_pair: the second sentence (the hypothesis for entailment)
        task: a sentence-pair task, e.g. "mrpc", "rte", "wnli" or "stsb"
        model: "default" (bertkit's shipped heads) or a hub id of a fine-tuned model

    Returns:
        label probabilities (or "similarity x / 5" for stsb), a note on how good the head is, and the raw output
    """
    item = {"text": check_text(text, "first sentence"), "text_pair": check_text(text_pair, "second sentence")}
    predictor = get_predictor(task, model)
    result = predictor(item)
    if "scores" in result:
        return result["scores"], notes(predictor, item['text'], item['text_pair']), result
    return f"similarity {result['score']:.2f} / 5", notes(predictor, item['text'], item['text_pair']), result


def _check_pair(item):
    text, text_pair = item
    return {"text": check_text(text, "first sentence"), "text_pair": check_text(text_pair, "second sentence")}


def pair_batch(texts: list[str], text_pairs: list[str], tasks: list[str], models: list[str]) -> list[list[dict]]:
    """Compare sentence pairs in batches: each request gives a first and a second sentence (or two lists
    of them), a task such as "mrpc" and a model; each answer is the predictor's output (a list of them for
    lists), or {"error": message} for a bad input."""
    def run(t, p, k, m):
        return run_batch(list(zip(t, p)), [x or "mrpc" for x in k], list(m), [{}] * len(t), _check_pair)
    return batched(run, texts, text_pairs, tasks, models)


def client_args(task, example, model) -> list:
    return [example["text"], example["text_pair"], task.name, model]


def build(config: DemoConfig, tasks: list) -> None:
    first = tasks[0].examples[0]
    gr.Markdown("Two sentences in: are they paraphrases, does the first entail the second, how similar are "
                "they (STS-B, 0–5)? BERT reads them as one sequence: `[CLS] A [SEP] B [SEP]`.")
    with gr.Row():
        with gr.Column(scale=4):
            text = gr.Textbox(label="First sentence", value=first["text"], lines=1, elem_id="pair_text")
            text_pair = gr.Textbox(label="Second sentence", value=first["text_pair"], lines=1,
                                   elem_id="pair_text_pair", info="Enter submits")
        with gr.Column(scale=2):
            task = task_dropdown(tasks, config.model, elem_id="pair_task")
            model = model_selector(config)
    button = gr.Button("Compare", variant="primary", elem_id="pair_run")
    warn = warning_box("pair")  # above the answer: the model cannot read this input
    label = gr.Label(label="Prediction", elem_id="pair_label")
    note = gr.Markdown(elem_id="pair_note")
    with gr.Accordion("Raw output (JSON)", open=False):
        raw = gr.JSON()
    inputs, outputs = [text, text_pair, task, model], [label, note, raw]
    rows = example_rows(tasks, config.model, lambda t, e: [e["text"], e["text_pair"], t.name, config.model])
    wire(TabParts(pair, API_NAME, inputs, outputs, [button.click, text.submit, text_pair.submit], note=1, raw=2,
         warn_box=warn, task=task, model=model, tasks=tasks), config, rows)
    gr.api(pair_batch, api_name="pair_batch", batch=True, max_batch_size=16)
