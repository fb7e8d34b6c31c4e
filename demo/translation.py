"""Translation tab: German to English with a BERT encoder-decoder (bert2bert), beam size control."""
from __future__ import annotations

import gradio as gr

from .common import DemoConfig, check_text, examples, get_predictor, head_note, model_selector, user_errors

TASK = "translation"


@user_errors
def translate(text: str, num_beams: int = 4, model: str = "default"):
    """-> (English text, note, raw predictor output)."""
    text = check_text(text, "German text")
    predictor = get_predictor(TASK, model)
    result = predictor(text, num_beams=int(num_beams))
    return result["text"], head_note(predictor), result


def build(config: DemoConfig) -> None:
    from bertkit import get_task

    task = get_task(TASK)
    gr.Markdown("German → English. Encoder and decoder both start from BERT (bert2bert); beam search "
                "keeps the best `beams` partial translations at every step.")
    with gr.Row():
        text = gr.Textbox(label="German", value=task.examples[0], lines=2, scale=4)
        with gr.Column(scale=2):
            beams = gr.Slider(1, 8, value=4, step=1, label="Beams")
            model = model_selector(config)
    button = gr.Button("Translate", variant="primary")
    english = gr.Textbox(label="English", interactive=False)
    note = gr.Markdown()
    with gr.Accordion("Raw output (JSON)", open=False):
        raw = gr.JSON()
    inputs, outputs = [text, beams, model], [english, note, raw]
    gr.on([button.click, text.submit], translate, inputs, outputs, api_name="translate")
    examples(config, [[e, 4, config.model] for e in task.examples], inputs, outputs, translate)
