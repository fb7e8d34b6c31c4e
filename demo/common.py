"""Components every tab shares: the app's settings, the model selector, the task picker (only the
tasks the selected model can serve), examples, the note under every output (untrained-head warning
and the head's held-out score) and `wire`, which connects a tab's endpoint to the page and the API.

Model policy lives in `policy.py`, shared models in `caches.py`, error wording in `errors.py`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import gradio as gr

from .errors import UserError, shown_in_place
from .policy import local_models_allowed, model_name, trust

MODEL_INFO = "default · a local folder (save_pretrained or `bertkit train` output) · a hub id"
MODEL_INFO_RESTRICTED = "default · a hub id (local folders are turned off on this server)"


@dataclass
class DemoConfig:
    """What the builders need to know; `build_demo` passes one to every tab."""

    model: str = "default"  # the model each tab starts with
    models: list[str] = field(default_factory=lambda: ["default"])  # offered in every model selector
    results_dir: str = "results"  # where the Leaderboard tab's "Run evaluation" writes (and reads) results
    cache_examples: bool = True  # cache example outputs lazily (on first click)
    finetune_max_steps: int = 200  # caps that keep a CPU Space responsive
    finetune_max_rows: int = 2000
    evaluation_max_examples: int = 200  # per task, for the Leaderboard tab's "Run evaluation"

    def __post_init__(self):
        self.models = list(dict.fromkeys([self.model, *self.models]))
        for value in self.models:  # chosen by whoever started the server, not typed by a visitor
            trust(value)


# ---- notes under the outputs -------------------------------------------------------------------
def head_note(predictor) -> str:
    """A warning line when the model's head for this task is untrained (random)."""
    if predictor.head_trained:
        return ""
    return (f"⚠️ `{predictor.source.name}` has no trained **{predictor.task.name}** head: these outputs come "
            f"from a randomly initialised head. Fine-tune it in the Fine-tune tab.")


def notes(predictor, *texts) -> str:
    """The note under a tab's outputs: a warning when the model cannot read `texts` (first, so the page
    can show it above the answer), then the untrained-head warning, or how good the head is (and
    whether it answers the same for every input)."""
    from .honesty import honesty_line
    from .majority import constant_answer
    from .readable import expected_script, warning

    majority = constant_answer(predictor) if predictor.head_trained else None
    line = head_note(predictor) or honesty_line(predictor, majority)
    unreadable = warning(list(texts), predictor.tokenizer, expected_script(predictor.task))
    return f"{unreadable}\n\n{line}" if unreadable else line


# ---- components --------------------------------------------------------------------------------
def model_selector(config: DemoConfig, label: str = "Model") -> gr.Dropdown:
    return gr.Dropdown(choices=config.models, value=config.model, allow_custom_value=True, label=label,
                       info=MODEL_INFO if local_models_allowed() else MODEL_INFO_RESTRICTED, scale=2)


def examples(config: DemoConfig, rows, inputs, outputs, fn, cache: bool = True, label: str | None = None,
             elem_id: str | None = None):
    """Examples that fill the inputs; with caching, outputs are computed once, on first click."""
    if not rows:
        return None
    cached = bool(cache and config.cache_examples)
    # not cached: a click fills the inputs and runs (an example that only fills them looks broken)
    return gr.Examples(examples=rows, inputs=inputs, outputs=outputs, fn=fn, cache_examples=cached,
                       cache_mode="lazy" if cached else None, run_on_click=True, label=label, elem_id=elem_id)


def warning_box(name: str) -> gr.Markdown:
    """Where a tab shows that the model cannot read the input: above the answer (`readable.py`)."""
    return gr.Markdown(elem_id=f"{name}_warning", elem_classes=["bertkit-warning"])


def named(fn, name: str):
    """`fn` under the endpoint's name: MCP names a tool after its function, so the tool and the API
    endpoint share one name (`qa`, not `answer`)."""
    import functools
    import inspect

    if inspect.isgeneratorfunction(fn):  # gradio streams only what is a generator function itself
        def call(*args, **kwargs):
            yield from fn(*args, **kwargs)
    else:
        def call(*args, **kwargs):
            return fn(*args, **kwargs)
    call = functools.wraps(fn)(call)
    call.__name__ = call.__qualname__ = name
    return call


class WholeNumber(gr.Number):
    """An API input documented as an integer and passed on as sent: the endpoint checks it and names a
    bad value (gradio's precision=0 would round 2.5 to 2 silently and fail on "5" with a traceback)."""

    def get_block_name(self) -> str:
        return "number"

    def api_info(self) -> dict:
        return {"type": "integer"}

    def preprocess(self, payload):
        return payload


def api_twin(component):
    """The endpoint's own (hidden) input where the page component would document the wrong type: a
    dropdown that takes any value (a hub id, a task the starting model lacks) is a string, not an enum of
    today's choices; a whole-number slider is an integer, not a float."""
    if isinstance(component, gr.Dropdown) and component.allow_custom_value and not component.multiselect:
        return gr.Textbox(value=component.value, label=component.label, visible=False)
    if isinstance(component, gr.Slider) and component.step == 1:
        return WholeNumber(value=component.value, label=component.label, visible=False)
    return component


def with_warning_box(ui, note: int):
    """The page's version: the readability warning moves from the note into the box above the answer."""
    import functools

    from .readable import split_warning

    @functools.wraps(ui)
    def shown(*args):
        out = list(ui(*args))
        warning, out[note] = split_warning(out[note])
        return (*out, warning)
    return shown


def servable(task, model: str) -> bool:
    """Whether `model` can answer `task` without loading weights: `default` needs a shipped head;
    otherwise `ModelSource.serves` (what `bertkit.load` would serve); a model that cannot be resolved
    here is offered (its error shows on use)."""
    from bertkit.errors import BertkitError, MissingHeadError
    from bertkit.models import resolve

    try:
        return resolve(model, task.name).serves(task)
    except MissingHeadError:
        return False
    except BertkitError:
        return True


def offered(tasks: list, model: str) -> tuple[list, list]:
    """(tasks `model` can serve, the others); all of them when it serves none."""
    try:
        model = model_name(model)
    except gr.Error:
        return list(tasks), []
    yes = [t for t in tasks if servable(t, model)]
    return (yes, [t for t in tasks if t not in yes]) if yes else (list(tasks), [])


def _task_info(shown: list, hidden: list, model: str) -> str:
    info = " · ".join(f"{t.name}: {t.description.strip().splitlines()[0]}" for t in shown)
    if hidden:
        info += (f" — not offered for `{model}` (no trained head): {', '.join(t.name for t in hidden)}; "
                 f"a model fine-tuned for them brings them back")
    return info


def task_dropdown(tasks: list, model: str, label: str = "Task", elem_id: str | None = None) -> gr.Dropdown:
    """A task picker over the tasks `model` can serve (hidden when the tab has one task)."""
    shown, hidden = offered(tasks, model)
    # custom values: an API client may name a task the starting model lacks (its own model may have it)
    return gr.Dropdown([t.name for t in shown], value=shown[0].name, label=label, elem_id=elem_id,
                       info=_task_info(shown, hidden, model), visible=len(tasks) > 1, allow_custom_value=True)


def task_choices(tasks: list, model, current: str | None = None) -> gr.Dropdown:
    """The task picker after the model changed: its tasks, keeping the current one when it fits."""
    shown, hidden = offered(tasks, model)
    names = [t.name for t in shown]
    return gr.Dropdown(choices=names, value=current if current in names else names[0],
                       info=_task_info(shown, hidden, str(model or "default")))


def example_rows(tasks: list, model: str, row) -> list[list]:
    """`row(task, example)` for every example of every task `model` serves."""
    shown, _ = offered(tasks, model)
    return [row(t, e) for t in shown for e in t.examples]


@dataclass
class TabParts:
    """One tab's endpoint and the page parts `wire` connects."""

    fn: Callable  # the endpoint function
    api_name: str  # served to API and MCP clients under this name
    inputs: list
    outputs: list
    triggers: list  # the page's events that run it (button.click, text.submit, ...)
    note: int  # index of the note in `outputs`; with `note_box` (an output of the page only): len(outputs)
    raw: int | None = None  # index of the raw JSON output
    api_inputs: list | None = None  # the endpoint's own inputs where a default must differ from the page's
    note_box: gr.Markdown | None = None
    warn_box: gr.Markdown | None = None  # page only, above the answer: the readability warning
    task: gr.Dropdown | None = None  # with `model` and `tasks`: the task picker follows the model
    model: gr.Dropdown | None = None
    tasks: list | None = None


def wire(tab: TabParts, config: DemoConfig | None = None, examples_: list | None = None, cache: bool = True):
    """Connect one endpoint: the page's triggers show errors in the note area (a private event);
    `tab.api_name` serves the same function to API and MCP clients, raising errors as errors.
    `examples_`: example rows (cached with `cache` and `config.cache_examples`). Returns the page's
    function and its outputs."""
    fn, inputs, outputs, note = tab.fn, tab.inputs, tab.outputs, tab.note
    api = gr.Button(visible=False, elem_classes=["bertkit-api"])  # the endpoint's own trigger, registered first
    api.click(named(fn, tab.api_name), [api_twin(c) for c in (tab.api_inputs or inputs)], outputs,
              api_name=tab.api_name)
    if note >= len(outputs):  # the note is the page's own (the endpoint has no note output)
        ui = shown_in_place(lambda *a: (*fn(*a), ""), len(outputs) + 1, note, tab.raw)
        outputs_shown = outputs + [tab.note_box]
    else:
        ui = shown_in_place(fn, len(outputs), note, tab.raw)
        outputs_shown = outputs
    if tab.warn_box is not None:
        ui = with_warning_box(ui, note)
        outputs_shown = outputs_shown + [tab.warn_box]
    ui.__name__ = f"{tab.api_name}_page"
    gr.on(tab.triggers, ui, inputs, outputs_shown, api_visibility="private")
    if config is not None and examples_:
        examples(config, examples_, inputs, outputs_shown, ui, cache, elem_id=f"{tab.api_name}_examples")
    if tab.task is not None and tab.model is not None and tab.tasks:
        tasks = tab.tasks
        tab.model.change(lambda m, current: task_choices(tasks, m, current), [tab.model, tab.task], tab.task,
                         api_visibility="private")
    return ui, outputs_shown


def piece_text(token: str) -> str:
    """A WordPiece as it reads in running text: '##ing' -> 'ing'."""
    return token[2:] if token.startswith("##") else token


def batch_items(values) -> tuple[list, bool]:
    """A batched endpoint's argument: one value, or the list the API page documents."""
    return (list(values), True) if isinstance(values, (list, tuple)) else ([values], False)


def run_batch(items: list, tasks: list[str], models: list, options: list[dict], check) -> list[dict]:
    """Batched endpoints: one predictor call per (task, model, options) group, one result per item.

    A bad item gets {"error": message} instead of failing its neighbours (gradio sends one batch's
    error to every request in it). `check(item)` validates one item and returns it cleaned.
    """
    import bertkit

    from .caches import get_predictor

    results: list[dict | None] = [None] * len(items)
    groups: dict[tuple, list[int]] = {}
    for i, item in enumerate(items):
        try:
            items[i] = check(item)
            model = model_name(models[i])
            task = str(tasks[i])
        except (gr.Error, TypeError) as e:
            results[i] = {"error": e.message if isinstance(e, gr.Error) else str(e)}
            continue
        key = (task, model, tuple(sorted(options[i].items())))
        groups.setdefault(key, []).append(i)
    for (task, model, opts), rows in groups.items():
        try:
            predictor = get_predictor(task, model)
            outputs = predictor([items[i] for i in rows], **dict(opts))
        except gr.Error as e:
            outputs = [{"error": e.message}] * len(rows)
        except bertkit.BertkitError:  # one bad item: answer the others one by one
            outputs = []
            for i in rows:
                try:
                    outputs.append(predictor(items[i], **dict(opts)))
                except bertkit.BertkitError as e:
                    outputs.append({"error": UserError(str(e)).message})
        for i, out in zip(rows, outputs):
            results[i] = out
    return results


def batched(per_request, *columns) -> list[list]:
    """Run `per_request` over a gradio batch where each request's arguments may be one value each
    or lists (the API page documents lists; a one-item list, or a plain value, is used for every
    item): flatten, answer in one call, regroup. A list answer for a list request."""
    flat: list[list] = [[] for _ in columns]
    shapes = []  # (number of items, answered as a list, error)
    for request in zip(*columns):
        values = [batch_items(v) for v in request]
        n = max(len(items) for items, _ in values)
        if any(len(items) not in (1, n) for items, _ in values) or n == 0:
            shapes.append((0, True, {"error": "the list arguments of one request must have the same length"}))
            continue
        for k, (items, _) in enumerate(values):
            flat[k] += items if len(items) == n else items * n
        shapes.append((n, values[0][1], None))
    results = per_request(*flat) if flat[0] else []
    out, pos = [], 0
    for n, is_list, error in shapes:
        chunk = results[pos:pos + n]
        out.append(error if error else chunk if is_list else chunk[0])
        pos += n
    return [out]
