"""Fill-mask tab: any number of [MASK]s, top-k candidates per mask, the sentence with the best fill."""
from __future__ import annotations

import gradio as gr

from .common import (DemoConfig, check_text, examples, get_predictor, head_note, model_selector, piece_text, run_batch,
                     user_errors)

TASK = "fill-mask"
MASK = "[MASK]"


@user_errors
def fill_mask(text: str, top_k: int = 5, model: str = "default"):
    """-> (filled sentence as highlighted segments, candidates table, note, raw predictor output)."""
    text = check_text(text)
    predictor = get_predictor(TASK, model)
    result = predictor(text, top_k=int(top_k))
    return filled_segments(text, result, predictor.tokenizer.mask_token), candidates_table(result), \
        head_note(predictor), result


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
    """Batched API: one predictor output dict (or {"error": ...}) per text."""
    return [run_batch(list(texts), [TASK] * len(texts), list(models),
                      [{"top_k": int(k or 5)} for k in top_ks], check_text)]


def build(config: DemoConfig) -> None:
    gr.Markdown("Write `[MASK]` wherever a word is missing — as many as you like. BERT proposes the "
                "top-k words for every mask at once (its pre-training task).")
    with gr.Row():
        text = gr.Textbox(label="Text with [MASK]s", value="Paris is the [MASK] of France.", lines=2, scale=4,
                          elem_id="fill_mask_text")
        with gr.Column(scale=2):
            top_k = gr.Slider(1, 20, value=5, step=1, label="Top-k per mask")
            model = model_selector(config)
    button = gr.Button("Fill the masks", variant="primary", elem_id="fill_mask_run")
    filled = gr.HighlightedText(label="Best fill", show_legend=False, elem_id="fill_mask_filled")
    note = gr.Markdown()
    table = gr.Dataframe(headers=["mask", "rank", "token", "score"], label="Candidates per mask",
                         elem_id="fill_mask_table")
    with gr.Accordion("Raw output (JSON)", open=False):
        raw = gr.JSON()
    inputs, outputs = [text, top_k, model], [filled, table, note, raw]
    gr.on([button.click, text.submit], fill_mask, inputs, outputs, api_name="fill_mask")
    from bertkit import get_task

    examples(config, [[e, 5, config.model] for e in get_task(TASK).examples], inputs, outputs, fill_mask)
    gr.api(fill_mask_batch, api_name="fill_mask_batch", batch=True, max_batch_size=16)
