"""Explain tab: which words pushed a classifier towards its answer. Token saliency by
gradient × input or integrated gradients (Sundararajan et al., 2017) on the word embeddings,
summed per word and shown as a highlighted sentence (red pushes towards the label, purple away)."""
from __future__ import annotations

import gradio as gr

from .caches import get_predictor
from .common import DemoConfig, TabParts, model_selector, notes, offered, task_dropdown, wire, warning_box
from .errors import UserError, endpoint
from .policy import check_text

METHODS = ("gradient × input", "integrated gradients")
IG_BATCH = 16  # interpolation steps per forward pass


def _forward(model, embeds, enc):
    """Target-ready logits from word embeddings (position and segment embeddings are added inside)."""
    batch = embeds.shape[0]
    kwargs = {k: enc[k].expand(batch, -1) for k in ("attention_mask", "token_type_ids") if k in enc}
    return model(inputs_embeds=embeds, **kwargs).logits.float()


def saliency(predictor, text: str, text_pair: str | None = None, method: str = METHODS[0], steps: int = 32,
             target: int | None = None) -> dict:
    """Per-token attributions for the target class (default: the predicted one).

    -> {"tokens", "offsets", "sequence_ids", "word_ids", "scores", "target", "logit", "baseline_logit"};
    for integrated gradients sum(scores) ≈ logit - baseline_logit (completeness).
    """
    import torch

    needs_gradients(predictor)
    model, tok = predictor.model, predictor.tokenizer
    enc = tok(text, text_pair, return_tensors="pt", return_offsets_mapping=True, truncation=True,
              max_length=predictor.max_length)
    offsets = enc.pop("offset_mapping")[0].tolist()
    embed = model.get_input_embeddings()
    # the predictor's lock: one forward at a time on the shared model (a classify call may run beside us)
    with predictor._lock, torch.enable_grad():
        x = embed(enc["input_ids"]).detach()  # (1, T, C)
        with torch.no_grad():
            logits = _forward(model, x, enc)[0]
        target = int(logits.argmax()) if target is None else int(target)
        if method == METHODS[0]:
            x.requires_grad_(True)
            grad, = torch.autograd.grad(_forward(model, x, enc)[0, target], x)
            scores = (grad * x).sum(-1)[0]
            baseline_logit = None
        elif method == METHODS[1]:
            special = torch.tensor([t in tok.all_special_ids for t in enc["input_ids"][0].tolist()])
            base_ids = torch.where(special, enc["input_ids"][0], torch.tensor(tok.pad_token_id or 0))[None]
            baseline = embed(base_ids).detach()  # [PAD] for every word piece, special tokens kept
            alphas = (torch.arange(int(steps), dtype=x.dtype) + 0.5) / int(steps)  # midpoint rule
            total = torch.zeros_like(x[0])
            for chunk in alphas.split(IG_BATCH):
                path = (baseline + chunk[:, None, None] * (x - baseline)).requires_grad_(True)  # (S, T, C)
                grad, = torch.autograd.grad(_forward(model, path, enc)[:, target].sum(), path)
                total += grad.sum(0)
            scores = ((x - baseline)[0] * total / len(alphas)).sum(-1)
            with torch.no_grad():
                baseline_logit = float(_forward(model, baseline, enc)[0, target])
        else:
            raise UserError(f"unknown method {method!r}; valid: {', '.join(METHODS)}")
    return {"tokens": tok.convert_ids_to_tokens(enc["input_ids"][0]), "offsets": offsets,
            "sequence_ids": enc.sequence_ids(0), "word_ids": enc.word_ids(0), "scores": scores.tolist(),
            "target": target, "logit": float(logits[target]), "baseline_logit": baseline_logit}


def needs_gradients(predictor) -> None:
    """Saliency takes gradients of the model: a clear error for a backend without them (ONNX Runtime)."""
    backend = getattr(predictor, "backend", "torch")
    if backend != "torch":
        name = predictor.source.name if predictor.source is not None else "this model"
        raise UserError(f"{name!r} runs on {backend}, which computes no gradients, so it cannot be explained "
                        f"here: explain the PyTorch model it was exported from (or `default`)")


def word_scores(result: dict) -> list[tuple[int, int, int, float]]:
    """(segment, char start, char end, summed score) per word, in reading order."""
    words: dict[tuple[int, int], list] = {}
    rows = zip(result["sequence_ids"], result["word_ids"], result["offsets"], result["scores"])
    for seq, word, (a, b), score in rows:
        if seq is None or word is None:
            continue
        entry = words.setdefault((seq, word), [seq, a, b, 0.0])
        entry[1], entry[2] = min(entry[1], a), max(entry[2], b)
        entry[3] += score
    return [tuple(v) for v in words.values()]


def highlighted(texts: list[str], words: list[tuple]) -> list[tuple[str, float | None]]:
    """HighlightedText value: the texts with each word scored in [-1, 1] (scaled by the largest |score|)."""
    scale = max((abs(w[3]) for w in words), default=0.0) or 1.0
    segments = []
    for seq, text in enumerate(texts):
        if seq:
            segments.append(("   ‖   ", None))
        pos = 0
        for s, a, b, score in words:
            if s != seq:
                continue
            if a > pos:
                segments.append((text[pos:a], None))
            segments.append((text[a:b], round(score / scale, 4)))
            pos = b
        if pos < len(text):
            segments.append((text[pos:], None))
    return segments


@endpoint
def explain(text: str, text_pair: str = "", task: str = "sst2", method: str = METHODS[0], steps: int = 32,
            model: str = "default"):
    """Why did the classifier say that? Each word's share of the predicted label's logit (saliency).

    Args:
        text: the sentence (the first sentence for a pair task)
        text_pair: the second sentence, for pair tasks (mrpc, rte, stsb, ...); empty otherwise
        task: a classification task, e.g. "sst2" or "mrpc"
        method: "gradient × input" or "integrated gradients"
        steps: integrated-gradients steps (8-128)
        model: "default" (bertkit's shipped heads) or a hub id of a fine-tuned model

    Returns:
        the text with words coloured by attribution, the prediction, a per-word table, a note, the raw attributions
    """
    predictor = get_predictor(task, model)
    pair_task = getattr(predictor.task.family, "pair", False)
    text = check_text(text, "first sentence" if pair_task else "text")
    pair = check_text(text_pair, "second sentence") if pair_task else None
    needs_gradients(predictor)  # before the fp32 twin below is loaded
    prediction = predictor({"text": text, "text_pair": pair} if pair_task else text)
    # gradients in fp32: a bf16 forward rounds the logits too coarsely for attributions to add up
    exact = predictor if getattr(predictor, "precision", "fp32") == "fp32" else get_predictor(task, model, "fp32")
    result = saliency(exact, text, pair, method, int(steps))
    words = word_scores(result)
    texts = [text, pair] if pair else [text]
    table = [[texts[s][a:b], float(f"{score:.4g}")] for s, a, b, score in words]
    label = prediction["scores"] if "scores" in prediction else f"similarity {prediction['score']:.2f} / 5"
    return highlighted(texts, words), label, table, notes(predictor, *texts), result


def build(config: DemoConfig, tasks: list) -> None:
    """`tasks`: the classification tasks (the Classify and Pairs rows of the registry table)."""
    gr.Markdown("Why did the classifier say that? Each word's share of the predicted label's logit: "
                "**gradient × input** is one backward pass; **integrated gradients** averages gradients along "
                "a path from a `[PAD]` baseline, and its scores add up to the logit's change from that baseline.")
    first = tasks[0].examples[-1]
    with gr.Row():
        with gr.Column(scale=4):
            text = gr.Textbox(label="Text", value=first if isinstance(first, str) else first["text"], lines=1,
                              elem_id="explain_text", info="Enter submits")
            text_pair = gr.Textbox(label="Second sentence (pair tasks)",
                                   value="" if isinstance(first, str) else first["text_pair"])
        with gr.Column(scale=2):
            task = task_dropdown(tasks, config.model, elem_id="explain_task")
            method = gr.Radio(list(METHODS), value=METHODS[0], label="Method")
            steps = gr.Slider(8, 128, value=32, step=8, label="Integrated-gradients steps")
            model = model_selector(config)
    button = gr.Button("Explain", variant="primary", elem_id="explain_run")
    warn = warning_box("explain")  # above the answer: the model cannot read this input
    saliency_view = gr.HighlightedText(label="Saliency (red: towards the label, purple: against)", show_legend=True)
    label = gr.Label(label="Prediction")
    note = gr.Markdown(elem_id="explain_note")
    table = gr.Dataframe(headers=["word", "attribution"], label="Per word")
    with gr.Accordion("Raw attributions (JSON)", open=False):
        raw = gr.JSON()
    inputs, outputs = [text, text_pair, task, method, steps, model], [saliency_view, label, table, note, raw]

    def row(t, e):
        return ([e, "", t.name, METHODS[0], 32, config.model] if isinstance(e, str) else
                [e["text"], e["text_pair"], t.name, METHODS[0], 32, config.model])
    shown, _ = offered(tasks, config.model)
    rows = [row(t, e) for t in shown for e in t.examples[:2]]
    wire(TabParts(explain, "explain", inputs, outputs, [button.click, text.submit, text_pair.submit], note=3,
         raw=4, warn_box=warn, task=task, model=model, tasks=tasks), config, rows)
