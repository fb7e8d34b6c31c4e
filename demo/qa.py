"""Question-answering tab: the answer highlighted inside its context, the top-k candidate spans,
and a no-answer threshold (SQuAD v2 behaviour) that starts at the head's tuned threshold. Long
contexts are read in overlapping windows."""
from __future__ import annotations

import gradio as gr

from .caches import get_predictor
from .common import (DemoConfig, TabParts, example_rows, model_selector, notes, task_choices, task_dropdown,
                     warning_box, wire)
from .errors import UserError, endpoint
from .honesty import threshold_in, tuned_threshold
from .policy import MAX_CONTEXT_CHARS, check_text, model_name, number, option
from .readable import split_warning

API_NAME = "qa"
FALLBACK_THRESHOLD = 0.5  # a head without a tuned threshold (the family's own default)


@endpoint
def answer(question: str, context: str, task: str = "squad", top_k: int | None = 5, threshold: float | None = None,
           model: str = "default"):
    """Answer a question from a paragraph: the span of the context that answers it (extractive QA).

    Args:
        question: the question
        context: the text that should hold the answer, up to 60,000 characters (long texts are read in overlapping windows)
        task: "squad" (always answers) or "squad_v2" (may answer that the context holds no answer)
        top_k: how many candidate spans to return (1-20); empty: 5
        threshold: squad_v2 only: abstain when p(no answer) is above this (0-1); empty: the head's tuned threshold
        model: "default" (bertkit's shipped heads) or a hub id of a fine-tuned model

    Returns:
        the context with the answer highlighted, the candidate spans, a summary, and the raw output
    """
    question = check_text(question, "question")
    if context is None or not str(context).strip():
        raise UserError("a question needs a context: paste the paragraph that holds the answer")
    context = check_text(context, "context", MAX_CONTEXT_CHARS)
    top_k = number(top_k, "top_k", 1, 20, integer=True, default=5)
    threshold = None if option(threshold, None) is None else number(threshold, "threshold", 0.0, 1.0)
    predictor = get_predictor(option(task, "squad"), model)
    # None: the head's tuned threshold (bertkit.json), the value the page's slider starts at
    result = predictor({"question": question, "context": context}, top_k=top_k, threshold=threshold)
    return highlighted_context(context, result), candidates_table(result), summary(result, threshold, predictor, [question, context]), result


def highlighted_context(context: str, result: dict) -> dict:
    """HighlightedText value: the context, with the answer span (if any) as an entity."""
    entities = [] if result["start"] < 0 else [{"entity": "answer", "start": result["start"], "end": result["end"]}]
    return {"text": context, "entities": entities}


def candidates_table(result: dict) -> list[list]:
    return [[rank, c["answer"], c["start"], c["end"], round(c["score"], 4)]
            for rank, c in enumerate(result["top_k"], 1)]


def summary(result: dict, threshold, predictor, texts=()) -> str:
    p_none = result.get("no_answer_probability")
    if threshold is None:
        threshold = threshold_in(predictor.source.meta if predictor.source else {})
    if result["start"] < 0:
        shown = f"{float(threshold):.4f}" if threshold is not None else "the head's"
        text = f"**No answer** in this context: p(no answer) = {p_none:.4f} > threshold {shown}."
    else:
        text = f"**Answer:** {result['answer']} (score {result['score']:.3f}"
        text += f", p(no answer) = {p_none:.4f})" if p_none is not None else ")"
    unreadable, note = split_warning(notes(predictor, *texts))
    return (unreadable + "\n\n" if unreadable else "") + text + "\n\n" + note


def threshold_start(task: str, model: str) -> tuple[float, str, bool]:
    """(value, info, interactive) of the no-answer slider for a task: the head's tuned threshold."""
    try:
        tuned = tuned_threshold(task, model_name(model))
    except gr.Error:
        tuned = None
    from bertkit import get_task

    allows = getattr(get_task(task).family, "allow_no_answer", False)
    if not allows:
        info = f"{task} always answers: the threshold is not used"
    elif tuned is not None:
        info = f"starts at {tuned:.4f}, the threshold tuned on this head's tune split (bertkit.json)"
    else:
        info = f"this head has no tuned threshold: {FALLBACK_THRESHOLD}"
    return (tuned if tuned is not None else FALLBACK_THRESHOLD), info, allows


def threshold_slider(task: str, model: str, current=None) -> gr.Slider:
    """The no-answer slider after the task or model changed: at the head's tuned threshold, saying so."""
    value, info, interactive = threshold_start(task, model)
    return gr.Slider(value=value, info=info, interactive=interactive)


def client_args(task, example, model) -> list:
    return [example["question"], example["context"], task.name, 5, tuned_threshold(task.name, model), model]


def build(config: DemoConfig, tasks: list) -> None:
    first = tasks[0].examples[0]
    gr.Markdown("Ask a question about a text: BERT points at the answer's start and end inside it. Texts "
                f"longer than one window (about 380 tokens) are read in overlapping windows, up to "
                f"{MAX_CONTEXT_CHARS:,} characters; with `squad_v2` it may answer *no answer*.")
    with gr.Row():
        with gr.Column(scale=4):
            question = gr.Textbox(label="Question", value=first["question"], elem_id="qa_question",
                                  info="Enter submits")
            context = gr.Textbox(label="Context", value=first["context"], lines=5, max_lines=20, elem_id="qa_context",
                                 max_length=MAX_CONTEXT_CHARS,
                                 info=f"up to {MAX_CONTEXT_CHARS:,} characters; long texts are read in windows")
        with gr.Column(scale=2):
            task = task_dropdown(tasks, config.model, elem_id="qa_task")
            top_k = gr.Slider(1, 20, value=5, step=1, label="Candidate spans")
            value, info, interactive = threshold_start(task.value, config.model)
            threshold = gr.Slider(0.0, 1.0, value=value, step=0.0001, label="No-answer threshold", info=info,
                                  interactive=interactive, elem_id="qa_threshold")
            model = model_selector(config)
    button = gr.Button("Answer", variant="primary", elem_id="qa_run")
    warn = warning_box("qa")  # above the answer: the model cannot read this input
    summary_box = gr.Markdown(elem_id="qa_summary")
    highlighted = gr.HighlightedText(label="Answer in its context", color_map={"answer": "#facc15"},
                                     show_legend=False, elem_id="qa_highlight")
    table = gr.Dataframe(headers=["rank", "answer", "start", "end", "score"], label="Top candidate spans")
    with gr.Accordion("Raw output (JSON)", open=False):
        raw = gr.JSON()
    inputs = [question, context, task, top_k, threshold, model]
    outputs = [highlighted, table, summary_box, raw]
    rows = example_rows(tasks, config.model, lambda t, e: [e["question"], e["context"], t.name, 5,
                                                           round(threshold_start(t.name, config.model)[0], 4),
                                                           config.model])
    # the API's threshold defaults to empty (the head's tuned one), not to the squad slider's start value
    api_threshold = gr.Number(value=None, visible=False, label="threshold")
    wire(TabParts(answer, API_NAME, inputs, outputs, [button.click, question.submit], note=2, raw=3,
         api_inputs=[question, context, task, top_k, api_threshold, model], warn_box=warn), config, rows)
    task.input(threshold_slider, [task, model], threshold, api_visibility="private")
    model.change(lambda m, current: task_choices(tasks, m, current), [model, task], task,
                 api_visibility="private").then(threshold_slider, [task, model], threshold,
                                                api_visibility="private")
