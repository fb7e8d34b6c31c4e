"""Question-answering tab: the answer highlighted inside its context, the top-k candidate spans,
and a no-answer threshold (SQuAD v2 behaviour). Long contexts are read in overlapping windows."""
from __future__ import annotations

import gradio as gr

from .common import (DemoConfig, check_text, examples, get_predictor, head_note, model_selector, task_dropdown,
                     tasks_of, user_errors)


@user_errors
def answer(question: str, context: str, task: str = "squad", top_k: int = 5, threshold: float = 0.5,
           model: str = "default"):
    """-> (context with the answer highlighted, candidates table, summary, raw predictor output)."""
    question = check_text(question, "question")
    if context is None or not str(context).strip():
        raise gr.Error("a question needs a context: paste the paragraph that holds the answer")
    context = check_text(context, "context")
    predictor = get_predictor(task, model)
    result = predictor({"question": question, "context": context}, top_k=int(top_k), threshold=float(threshold))
    return highlighted_context(context, result), candidates_table(result), summary(result, threshold, predictor), result


def highlighted_context(context: str, result: dict) -> dict:
    """HighlightedText value: the context, with the answer span (if any) as an entity."""
    entities = [] if result["start"] < 0 else [{"entity": "answer", "start": result["start"], "end": result["end"]}]
    return {"text": context, "entities": entities}


def candidates_table(result: dict) -> list[list]:
    return [[rank, c["answer"], c["start"], c["end"], round(c["score"], 4)]
            for rank, c in enumerate(result["top_k"], 1)]


def summary(result: dict, threshold: float, predictor) -> str:
    p_none = result.get("no_answer_probability")
    if result["start"] < 0:
        text = (f"**No answer** in this context: p(no answer) = {p_none:.2f} > threshold {float(threshold):.2f}.")
    else:
        text = f"**Answer:** {result['answer']} (score {result['score']:.3f}"
        text += f", p(no answer) = {p_none:.2f})" if p_none is not None else ")"
    note = head_note(predictor)
    return text + ("\n\n" + note if note else "")


def build(config: DemoConfig) -> None:
    tasks = tasks_of("qa")
    first = tasks[0].examples[0]
    gr.Markdown("Ask a question about a paragraph: BERT points at the answer's start and end inside it. "
                "Long paragraphs are read in overlapping windows; with `squad_v2` it may answer *no answer*.")
    with gr.Row():
        with gr.Column(scale=4):
            question = gr.Textbox(label="Question", value=first["question"], elem_id="qa_question")
            context = gr.Textbox(label="Context", value=first["context"], lines=5, elem_id="qa_context")
        with gr.Column(scale=2):
            task = task_dropdown(tasks)
            top_k = gr.Slider(1, 20, value=5, step=1, label="Candidate spans")
            threshold = gr.Slider(0.0, 1.0, value=0.5, step=0.05, label="No-answer threshold",
                                  info="squad_v2: abstain when p(no answer) is above this")
            model = model_selector(config)
    button = gr.Button("Answer", variant="primary", elem_id="qa_run")
    summary_box = gr.Markdown(elem_id="qa_summary")
    highlighted = gr.HighlightedText(label="Answer in its context", color_map={"answer": "#facc15"},
                                     show_legend=False, elem_id="qa_highlight")
    table = gr.Dataframe(headers=["rank", "answer", "start", "end", "score"], label="Top candidate spans")
    with gr.Accordion("Raw output (JSON)", open=False):
        raw = gr.JSON()
    inputs = [question, context, task, top_k, threshold, model]
    outputs = [highlighted, table, summary_box, raw]
    gr.on([button.click, question.submit], answer, inputs, outputs, api_name="qa")
    rows = [[e["question"], e["context"], t.name, 5, 0.5, config.model] for t in tasks for e in t.examples]
    examples(config, rows, inputs, outputs, answer)
