"""`build_demo()`: the bertkit workbench. The task tabs are generated from the registry table
(`registry.FAMILY_TABS`: one tab per task family, holding every registered task of that family);
then the tabs about BERT itself, fine-tuning, the leaderboard and the model.

    python app.py                       # http://127.0.0.1:7860 (GRADIO_SERVER_NAME / GRADIO_SERVER_PORT)

Every endpoint has an `api_name`, so the page is also an API (`gradio_client`, see the Model tab) and,
with `GRADIO_MCP_SERVER=True` (app.py's default when `gradio[mcp]` is installed), an MCP server whose
tools are those endpoints. Models load on first use and are shared by every session.
"""
from __future__ import annotations

import dataclasses

import gradio as gr

from . import attention, explain, finetune, leaderboard, model, tokenizer
from .common import DemoConfig
from .i18n import HEADER, i18n, localize
from .registry import FAMILY_TABS, classification_tasks

CONCURRENCY = 2  # requests of one event run at once (a 2-core CPU); forwards share one lock per model
QUEUE_SIZE = 256
CSS = """
.srl-frame mark { color: #111; }
.textfield { word-break: normal !important; }  /* HighlightedText: break lines between words, never inside */
#model_card pre, #model_card code { white-space: pre-wrap !important; overflow-wrap: anywhere; }
#model_card table { display: block; overflow-x: auto; }
.bertkit-api { display: none !important; }
#leaderboard_tables td:nth-child(-n+2), #leaderboard_tables th:nth-child(-n+2) { white-space: nowrap; }  /* "de/v" */
.bertkit-warning:not(:empty) { border-left: 4px solid #f59e0b; padding-left: 8px; }
"""


def other_tabs(config: DemoConfig) -> list[tuple[str, str, callable]]:
    """(title, id, build) of the tabs that are not one task family."""
    return [("Tokenizer", "tokenizer", tokenizer.build), ("Attention", "attention", attention.build),
            ("Explain", "explain", lambda c: explain.build(c, classification_tasks())),
            ("Fine-tune", "finetune", finetune.build), ("Leaderboard", "leaderboard", leaderboard.build),
            ("Model", "model", model.build)]


def build_demo(config: DemoConfig | None = None, **fields) -> gr.Blocks:
    """The whole app. `config` (default: `DemoConfig()`), with any of its fields given as keywords
    on top: `build_demo(model="org/bert-sst2", results_dir="runs/results")`."""
    config = dataclasses.replace(config, **fields) if config is not None else DemoConfig(**fields)
    # delete_cache: uploads and downloads (fine-tune zips) gradio copied into its cache expire after an hour
    with gr.Blocks(title="bertkit · BERT workbench", delete_cache=(3600, 3600)) as demo:
        gr.Markdown(HEADER)
        with gr.Tabs():
            for row in FAMILY_TABS:
                tasks = row.tasks()
                if tasks:  # a family with no registered task has no tab
                    with gr.Tab(row.title, id=row.id):
                        row.module.build(config, tasks)
            for title, tab_id, build in other_tabs(config):
                with gr.Tab(title, id=tab_id):
                    build(config)
    localize(demo)  # 中文: tab titles, labels, help texts (demo/i18n.py)
    demo.queue(default_concurrency_limit=CONCURRENCY, max_size=QUEUE_SIZE)
    return demo


def launch_options() -> dict:
    """`launch()` arguments; host and port stay gradio's own (GRADIO_SERVER_NAME/PORT, 7860), the MCP
    server follows GRADIO_MCP_SERVER."""
    return {"theme": gr.themes.Soft(), "css": CSS, "max_file_size": "5mb", "show_error": True, "i18n": i18n()}
