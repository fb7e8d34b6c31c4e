"""`build_demo()`: the bertkit workbench, one tab per module of this package.

    python app.py                       # http://127.0.0.1:7860 (GRADIO_SERVER_NAME / GRADIO_SERVER_PORT)

Every event has an `api_name`, so the page is also an API (`gradio_client`, see the Model tab).
Models load on first use and are shared by every session (`bertkit.load` caches them).
"""
from __future__ import annotations

import gradio as gr

from . import (attention, classify, explain, fill_mask, finetune, leaderboard, model, ner, pair, qa, srl, tokenizer,
               translation)
from .common import DemoConfig

TABS = [  # (title, module): each module's build(config) fills its tab
    ("Fill-mask", fill_mask), ("Classify", classify), ("Pairs", pair), ("QA", qa),
    ("Entities", ner), ("Semantic roles", srl), ("Translate", translation), ("Tokenizer", tokenizer),
    ("Attention", attention), ("Explain", explain), ("Fine-tune", finetune), ("Leaderboard", leaderboard),
    ("Model", model),
]
CONCURRENCY = 2  # requests of one event run at once (a 2-core CPU); forwards share one lock per model
QUEUE_SIZE = 256
HEADER = """# bertkit · BERT workbench
Every BERT application in one place, and a look inside: tokens, attention and saliency. Each tab takes a
model: `default` (the embedded MiniLM encoder with bertkit's trained heads), a local folder, or a hub id."""
CSS = ".srl-frame mark { color: #111; }"


def build_demo(model: str = "default", models: list[str] | None = None, results_dir: str = "results",
               cache_examples: bool = True, finetune_max_steps: int = 200, finetune_max_rows: int = 2000) -> gr.Blocks:
    """The whole app; arguments as in `DemoConfig`."""
    config = DemoConfig(model=model, models=models or ["default"], results_dir=results_dir,
                        cache_examples=cache_examples, finetune_max_steps=finetune_max_steps,
                        finetune_max_rows=finetune_max_rows)
    with gr.Blocks(title="bertkit · BERT workbench") as demo:
        gr.Markdown(HEADER)
        with gr.Tabs():
            for title, module in TABS:
                with gr.Tab(title, id=module.__name__.rsplit(".", 1)[-1]):
                    module.build(config)
    demo.queue(default_concurrency_limit=CONCURRENCY, max_size=QUEUE_SIZE)
    return demo


def launch_options() -> dict:
    """`launch()` arguments; host and port stay gradio's own (GRADIO_SERVER_NAME/PORT, 7860)."""
    return {"theme": gr.themes.Soft(), "css": CSS, "max_file_size": "5mb", "show_error": True}
