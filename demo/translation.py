"""Translation tab: German to English with a BERT encoder-decoder (bert2bert), beam size control."""
from __future__ import annotations

import gradio as gr

from .caches import get_predictor
from .common import DemoConfig, TabParts, example_rows, model_selector, notes, task_dropdown, warning_box, wire
from .errors import endpoint
from .policy import check_text

API_NAME = "translate"
TASK = "translation"


@endpoint
def translate(text: str, num_beams: int = 4, model: str = "default", task: str = TASK):
    """Translate German text to English with a BERT encoder-decoder (bert2bert, trained on Multi30k).

    Args:
        text: German text (short, caption-like sentences work best)
        num_beams: beam search width (1-8)
        model: "default" (bertkit's shipped heads) or a hub id of a bert2bert model
        task: a translation task ("translation")

    Returns:
        the English text, a note on how good the head is, and the raw output {"text"}
    """
    text = check_text(text, "German text")
    predictor = get_predictor(task, model)
    result = predictor(text, num_beams=int(num_beams))
    return result["text"], notes(predictor, text), result


def client_args(task, example, model) -> list:
    return [example, 4, model, task.name]


def build(config: DemoConfig, tasks: list) -> None:
    gr.Markdown("German → English. Encoder and decoder both start from BERT (bert2bert); beam search "
                "keeps the best `beams` partial translations at every step.")
    with gr.Row():
        text = gr.Textbox(label="German", value=tasks[0].examples[0], lines=1, scale=4, elem_id="translate_text",
                          info="Enter submits")
        with gr.Column(scale=2):
            beams = gr.Slider(1, 8, value=4, step=1, label="Beams")
            model = model_selector(config)
            task = task_dropdown(tasks, config.model)
    button = gr.Button("Translate", variant="primary", elem_id="translate_run")
    warn = warning_box("translate")  # above the answer: the model cannot read this input
    english = gr.Textbox(label="English", interactive=False, elem_id="translate_english")
    note = gr.Markdown(elem_id="translate_note")
    with gr.Accordion("Raw output (JSON)", open=False):
        raw = gr.JSON()
    inputs, outputs = [text, beams, model, task], [english, note, raw]
    rows = example_rows(tasks, config.model, lambda t, e: [e, 4, config.model, t.name])
    wire(TabParts(translate, API_NAME, inputs, outputs, [button.click, text.submit], note=1, raw=2, warn_box=warn,
         task=task, model=model, tasks=tasks), config, rows)
