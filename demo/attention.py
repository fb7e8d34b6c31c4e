"""Attention tab: a heatmap of one layer and head of the encoder on the user's sentence (or pair),
an average-over-heads view, and a toggle that hides [CLS]/[SEP] (rows renormalised to sum to 1)."""
from __future__ import annotations

import gradio as gr

from .caches import encoder_path, load_encoder
from .common import DemoConfig, TabParts, model_selector, wire
from .errors import UserError, endpoint
from .policy import check_text

MAX_TOKENS = 128  # a readable heatmap; longer inputs are refused with a message


def attention_weights(text: str, text_pair: str = "", model: str = "default"):
    """(tokens, attentions): attentions is a numpy array (layers, heads, T, T); each row sums to 1."""
    import numpy as np
    import torch

    text = check_text(text)
    pair = check_text(text_pair, "second text") if text_pair and text_pair.strip() else None
    tok, encoder = load_encoder(model)
    enc = tok(text, pair, return_tensors="pt")
    n = enc["input_ids"].shape[1]
    if n > MAX_TOKENS:
        raise UserError(f"the attention view takes at most {MAX_TOKENS} tokens; this input has {n}. Shorten it.")
    with torch.inference_mode():
        out = encoder(**enc, output_attentions=True)
    attentions = np.stack([a[0].float().numpy() for a in out.attentions])  # (L, H, T, T)
    return tok.convert_ids_to_tokens(enc["input_ids"][0]), attentions


def select(tokens: list[str], attentions, layer: int, head: int, average: bool, hide_special: bool,
           special=("[CLS]", "[SEP]")):
    """(tokens, matrix T×T) for a 1-based layer and head, or the mean over heads."""
    layers, heads = attentions.shape[:2]
    if not 1 <= int(layer) <= layers:
        raise UserError(f"layer {layer} is out of range: this model has layers 1–{layers}")
    if not average and not 1 <= int(head) <= heads:
        raise UserError(f"head {head} is out of range: this model has heads 1–{heads}")
    per_layer = attentions[int(layer) - 1]
    matrix = per_layer.mean(0) if average else per_layer[int(head) - 1]
    if hide_special:
        keep = [i for i, t in enumerate(tokens) if t not in special]
        if not keep:
            raise UserError("nothing is left once [CLS] and [SEP] are hidden")
        matrix = matrix[keep][:, keep]
        matrix = matrix / matrix.sum(1, keepdims=True).clip(min=1e-12)
        tokens = [tokens[i] for i in keep]
    return tokens, matrix


def heatmap(tokens: list[str], matrix, title: str):
    from matplotlib.figure import Figure

    size = max(4.0, min(14.0, 0.32 * len(tokens) + 2))
    fig = Figure(figsize=(size + 1, size))
    ax = fig.add_subplot()
    image = ax.imshow(matrix, cmap="viridis", vmin=0.0, vmax=float(matrix.max()) or 1.0)
    ax.set_xticks(range(len(tokens)), tokens, rotation=90, fontsize=8)
    ax.set_yticks(range(len(tokens)), tokens, fontsize=8)
    ax.set_xlabel("attends to (key)")
    ax.set_ylabel("token (query)")
    ax.set_title(title)
    fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    fig.tight_layout()
    return fig


@endpoint
def attention(text: str, text_pair: str = "", layer: int = 1, head: int = 1, average: bool = False,
              hide_special: bool = False, model: str = "default"):
    """Where each token looks: one attention head (or the mean over heads) of one encoder layer.

    Args:
        text: a sentence (at most 128 tokens)
        text_pair: an optional second sentence
        layer: the encoder layer, from 1
        head: the attention head, from 1 (ignored with average)
        average: show the mean over the layer's heads
        hide_special: hide [CLS] and [SEP] (rows renormalised to sum to 1)
        model: "default" (the embedded MiniLM encoder) or a hub id

    Returns:
        the heatmap, and the raw {"tokens", "layer", "head", "matrix"} (row i: where token i looks)
    """
    tokens, attentions = attention_weights(text, text_pair, model)
    tokens, matrix = select(tokens, attentions, layer, head, average, hide_special)
    which = "mean over heads" if average else f"head {int(head)}"
    title = f"layer {int(layer)}, {which}" + (" ([CLS]/[SEP] hidden, rows renormalised)" if hide_special else "")
    raw = {"tokens": tokens, "layer": int(layer), "head": None if average else int(head),
           "matrix": [[round(float(x), 5) for x in row] for row in matrix]}
    return heatmap(tokens, matrix, title), raw


def attention_shape(model: str = "default"):
    """Layer and head sliders sized to the model."""
    _, encoder = load_encoder(model)
    config = encoder.config
    return (gr.Slider(maximum=config.num_hidden_layers, value=1),
            gr.Slider(maximum=config.num_attention_heads, value=1))


def config_shape(model: str) -> tuple[int, int]:
    """(layers, heads) from the model's config.json, without loading it; (12, 12) if unreadable."""
    import json

    try:
        config = json.loads((encoder_path(model) / "config.json").read_text())
        return int(config["num_hidden_layers"]), int(config["num_attention_heads"])
    except (gr.Error, OSError, KeyError, ValueError):
        return 12, 12


def build(config: DemoConfig) -> None:
    layers, heads = config_shape(config.model)
    gr.Markdown("Each head of each layer mixes every token with a weighted average of all tokens; row *i* of "
                "the heatmap shows where token *i* looks (each row sums to 1). Many heads park attention on "
                "`[SEP]` or `[CLS]` when they have nothing to do: hide them to see the rest.")
    with gr.Row():
        with gr.Column(scale=4):
            text = gr.Textbox(label="Sentence", value="The cat sat on the mat because it was tired.",
                              elem_id="attention_text", info="Enter submits; the sliders redraw")
            text_pair = gr.Textbox(label="Second sentence (optional)")
        with gr.Column(scale=2):
            layer = gr.Slider(1, layers, value=1, step=1, label="Layer")
            head = gr.Slider(1, heads, value=1, step=1, label="Head")
            average = gr.Checkbox(label="Average over heads")
            hide_special = gr.Checkbox(label="Hide [CLS] and [SEP]")
            model = model_selector(config)
    button = gr.Button("Show attention", variant="primary", elem_id="attention_run")
    note = gr.Markdown(elem_id="attention_note")
    plot = gr.Plot(label="Attention", elem_id="attention_plot")
    with gr.Accordion("Raw matrix (JSON)", open=False):
        raw = gr.JSON()
    inputs = [text, text_pair, layer, head, average, hide_special, model]
    triggers = [button.click, text.submit, text_pair.submit, layer.release, head.release, average.input,
                hide_special.input]
    rows = [["The cat sat on the mat because it was tired.", "", 3, 1, False, True, config.model],
            ["The animal didn't cross the street because it was too tired.", "", 5, 1, True, True, config.model],
            ["How old are you?", "I am 24 years old.", 1, 1, True, False, config.model]]
    wire(TabParts(attention, "attention", inputs, [plot, raw], triggers, note=2, raw=1, note_box=note), config,
         rows)
    model.change(attention_shape, model, [layer, head], api_visibility="private")
