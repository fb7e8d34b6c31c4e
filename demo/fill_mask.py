"""Fill-mask tab: any number of [MASK]s (`[mask]` and `<mask>` work too), top-k candidates per
mask, the sentence with the best fill."""
from __future__ import annotations

import re

import gradio as gr

from .caches import get_predictor
from .common import (DemoConfig, TabParts, batched, example_rows, model_selector, notes, piece_text, run_batch,
                     task_dropdown, warning_box, wire)
from .errors import endpoint
from .policy import check_text

API_NAME = "fill_mask"
TASK = "fill-mask"
MASK = "[MASK]"
_MASK_SPELLINGS = re.compile(r"\[mask\]|<mask>", re.IGNORECASE)  # how people write BERT's and RoBERTa's mask


def normalise_masks(text: str, mask_token: str = MASK) -> str:
    """`[mask]`, `[Mask]` and `<mask>` -> the tokenizer's mask token."""
    return _MASK_SPELLINGS.sub(mask_token, text)


@endpoint
def fill_mask(text: str, top_k: int = 5, model: str = "default", task: str = TASK):
    """Fill in the blanks: BERT's top-k words for every [MASK] in the text (its pre-training task).

    Args:
        text: text with one or more [MASK] (also written [mask] or <mask>)
        top_k: candidates per mask (1-20)
        model: "default" (bertkit's shipped heads) or a hub id of a masked-language model
        task: the fill-mask task ("fill-mask")

    Returns:
        the text with the best fill, the candidates per mask, a note on the head, and the raw output
    """
    predictor = get_predictor(task, model)
    text = normalise_masks(check_text(text), predictor.tokenizer.mask_token)
    result = predictor(text, top_k=int(top_k))
    return filled_segments(text, result, predictor.tokenizer.mask_token), candidates_table(result), \
        notes(predictor, text), result


def filled_segments(text: str, result: dict, mask_token: str = MASK) -> list[tuple[str, str | None]]:
    """The user's own text with each mask replaced by its best token, labelled '[MASK] n'."""
    parts = text.split(mask_token)
    segments = [(parts[0], None)] if parts[0] else []
    for n, (mask, after) in enumerate(zip(result["masks"], parts[1:]), 1):
        best = mask["candidates"][0]["token_str"]
        segments.append((piece_text(best), f"{mask_token} {n}"))
        if after:
            segments.append((after, None))
    return segments


def candidates_table(result: dict) -> list[list]:
    return [[n, rank, c["token_str"], round(c["score"], 4)]
            for n, mask in enumerate(result["masks"], 1)
            for rank, c in enumerate(mask["candidates"], 1)]


def fill_mask_batch(texts: list[str], top_ks: list[int], models: list[str]) -> list[list[dict]]:
    """Fill masks in batches: each request gives a text with [MASK]s (or a list of texts), top-k and a
    model; each answer is {"sequence", "masks"} (a list of them for a list), or {"error": message}."""
    def run(t, k, m):
        return run_batch([normalise_masks(x) if isinstance(x, str) else x for x in t], [TASK] * len(t), list(m),
                         [{"top_k": int(v or 5)} for v in k], check_text)
    return batched(run, texts, top_ks, models)


def client_args(task, example, model) -> list:
    return [example, 5, model, task.name]


def build(config: DemoConfig, tasks: list) -> None:
    gr.Markdown("Write `[MASK]` wherever a word is missing — as many as you like. BERT proposes the "
                "top-k words for every mask at once (its pre-training task).")
    with gr.Row():
        text = gr.Textbox(label="Text with [MASK]s", value="Paris is the [MASK] of France.", lines=1, scale=4,
                          elem_id="fill_mask_text", info="Enter submits; [mask] and <mask> work too")
        with gr.Column(scale=2):
            top_k = gr.Slider(1, 20, value=5, step=1, label="Top-k per mask")
            model = model_selector(config)
            task = task_dropdown(tasks, config.model)
    button = gr.Button("Fill the masks", variant="primary", elem_id="fill_mask_run")
    warn = warning_box("fill_mask")  # above the answer: the model cannot read this input
    filled = gr.HighlightedText(label="Best fill", show_legend=False, elem_id="fill_mask_filled")
    note = gr.Markdown(elem_id="fill_mask_note")
    table = gr.Dataframe(headers=["mask", "rank", "token", "score"], label="Candidates per mask",
                         elem_id="fill_mask_table")
    with gr.Accordion("Raw output (JSON)", open=False):
        raw = gr.JSON()
    inputs, outputs = [text, top_k, model, task], [filled, table, note, raw]
    rows = example_rows(tasks, config.model, lambda t, e: [e, 5, config.model, t.name])
    wire(TabParts(fill_mask, API_NAME, inputs, outputs, [button.click, text.submit], note=2, raw=3, warn_box=warn,
         task=task, model=model, tasks=tasks), config, rows)
    gr.api(fill_mask_batch, api_name="fill_mask_batch", batch=True, max_batch_size=16)
