"""What every tab shares: the model selector, input checks, bertkit errors shown as `gr.Error`,
examples, and the encoder that the tokenizer, attention and explain tabs look inside.

Model functions in the tab modules are plain functions of plain values; they raise `gr.Error`
with a message that names the bad value, so the UI shows it and the server keeps serving.
"""
from __future__ import annotations

import functools
import os
import re
import tempfile
import threading
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import gradio as gr

MAX_CHARS = 10_000  # per text box: long QA contexts fit (windows), 100k-character pastes do not
# C0 controls except tab/newline/carriage return, DEL, and C1 controls
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
MODEL_INFO = "default · a local folder (save_pretrained or `bertkit train` output) · a hub id"
MODEL_INFO_RESTRICTED = "default · a hub id (local folders are turned off on this server)"
ALLOW_LOCAL_ENV = "BERTKIT_ALLOW_LOCAL_MODELS"  # "1": allow local folders, "0": refuse them; unset: refuse on Spaces
FINETUNE_PREFIX = "bertkit-finetune-"  # the Fine-tune tab's work folders (tempfile.mkdtemp in finetune.py)
_TRUSTED_FOLDERS: set[Path] = set()  # local folders the server's operator configured (DemoConfig.model/models)


@dataclass
class DemoConfig:
    """What the builders need to know; `build_demo` passes one to every tab."""

    model: str = "default"  # the model each tab starts with
    models: list[str] = field(default_factory=lambda: ["default"])  # offered in every model selector
    results_dir: str = "results"  # the evaluation suite's output folder (leaderboard tab)
    cache_examples: bool = True  # cache example outputs lazily (on first click)
    finetune_max_steps: int = 200  # caps that keep a CPU Space responsive
    finetune_max_rows: int = 2000

    def __post_init__(self):
        self.models = list(dict.fromkeys([self.model, *self.models]))
        for value in self.models:  # chosen by whoever started the server, not typed by a visitor
            if value and value != "default" and Path(value).expanduser().is_dir():
                _TRUSTED_FOLDERS.add(Path(value).expanduser().resolve())


# ---- errors --------------------------------------------------------------------------------------
def user_errors(fn):
    """Turn bertkit's deliberate errors (bad input, unloadable model, missing head) into `gr.Error`."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        from bertkit.errors import BertkitError

        try:
            return fn(*args, **kwargs)
        except gr.Error:
            raise
        except BertkitError as e:
            raise gr.Error(str(e)) from None
    return wrapper


def check_text(value, what: str = "text") -> str:
    """The text a user typed, or `gr.Error` naming what is wrong with it."""
    if value is None or not str(value).strip():
        raise gr.Error(f"{what} is empty: type some text")
    value = str(value)
    if len(value) > MAX_CHARS:
        raise gr.Error(f"{what} is {len(value):,} characters long; this demo takes at most {MAX_CHARS:,}. "
                       "Shorten it.")
    bad = _CONTROL.search(value)
    if bad:
        raise gr.Error(f"{what} contains a control character (U+{ord(bad.group()):04X} at position "
                       f"{bad.start()}); remove it and try again")
    return unicodedata.normalize("NFC", value)


def model_name(value) -> str:
    """The model value a selector holds (`default` when empty), after the local-folder policy."""
    value = (str(value) if value is not None else "").strip() or "default"
    check_local_allowed(value)
    return value


# ---- local folders: refused on public servers ----------------------------------------------------
def local_models_allowed() -> bool:
    """Whether a visitor may name a server folder as a model: yes locally; no on a Hugging Face Space
    (SPACE_ID set) or with BERTKIT_ALLOW_LOCAL_MODELS=0; BERTKIT_ALLOW_LOCAL_MODELS=1 overrides both."""
    flag = os.environ.get(ALLOW_LOCAL_ENV, "").strip().lower()
    if flag in ("1", "true", "yes"):
        return True
    if flag in ("0", "false", "no"):
        return False
    return not os.environ.get("SPACE_ID")


def _restriction_reason() -> str:
    if os.environ.get(ALLOW_LOCAL_ENV, "").strip().lower() in ("0", "false", "no"):
        return f"{ALLOW_LOCAL_ENV}=0"
    return "this app runs on a Hugging Face Space (SPACE_ID is set)"


def looks_local(value: str) -> bool:
    """Whether bertkit would read `value` from the server's disk (or try to): anything but a hub id."""
    if value.startswith((".", "/", "~")) or "\\" in value or value.count("/") > 1:
        return True
    try:
        return Path(value).expanduser().exists()
    except OSError:
        return True


def app_created(path: Path) -> bool:
    """A folder this app made: a Fine-tune tab output (in the temp folder) or one the operator configured."""
    try:
        path = path.expanduser().resolve()
        inside = path.relative_to(Path(tempfile.gettempdir()).resolve())
    except (OSError, RuntimeError, ValueError):  # RuntimeError: '~user' of an unknown user
        inside = None
    if inside is not None and inside.parts and inside.parts[0].startswith(FINETUNE_PREFIX):
        return True
    return path in _TRUSTED_FOLDERS


def check_local_allowed(value: str) -> None:
    """`gr.Error` when `value` names a server folder and this server does not take them."""
    if value == "default" or local_models_allowed() or not looks_local(value) or app_created(Path(value)):
        return
    raise gr.Error(f"local model folders are turned off on this server ({_restriction_reason()}): a visitor may not "
                   f"load files from the server's disk. Use `default` or a hub id (e.g. 'org/bert-finetuned'); a "
                   f"head trained in the Fine-tune tab can be tried there. Whoever runs the server can allow local "
                   f"folders with {ALLOW_LOCAL_ENV}=1.")


# ---- models --------------------------------------------------------------------------------------
def get_predictor(task: str, model):
    """The shared predictor (`bertkit.load` caches one per task and model) or `gr.Error`."""
    import bertkit

    try:
        return bertkit.load(task, model_name(model))
    except bertkit.BertkitError as e:
        raise gr.Error(str(e)) from None


def head_note(predictor) -> str:
    """A warning line when the model's head for this task is untrained (random)."""
    if predictor.head_trained:
        return ""
    return (f"⚠️ `{predictor.source.name}` has no trained **{predictor.task.name}** head: these outputs come "
            f"from a randomly initialised head. Fine-tune it (Fine-tune tab or "
            f"`python -m bertkit train {predictor.task.name}`).")


_ENCODERS: dict[str, tuple] = {}
_ENCODER_LOCK = threading.Lock()


def encoder_path(model) -> Path:
    """The encoder folder behind a model value: the embedded one for `default`, an adapter's base."""
    from bertkit.errors import BertkitError
    from bertkit.models import base_model_path, resolve

    try:
        source = resolve(model_name(model))
        return base_model_path(source) if source.is_adapter else source.path
    except BertkitError as e:
        raise gr.Error(str(e)) from None


_TOKENIZERS: dict[str, object] = {}


def load_tokenizer(model):
    """The tokenizer behind a model value (shared across sessions)."""
    path = encoder_path(model)
    key = str(path)
    with _ENCODER_LOCK:
        if key not in _TOKENIZERS:
            from bertkit.errors import BertkitError
            from bertkit.models import load_tokenizer as load

            try:
                _TOKENIZERS[key] = load(path)
            except BertkitError as e:
                raise gr.Error(str(e)) from None
        return _TOKENIZERS[key]


def load_encoder(model):
    """(tokenizer, encoder) for looking inside BERT: eager attention so the weights come back."""
    path = encoder_path(model)
    key = str(path)
    with _ENCODER_LOCK:
        if key not in _ENCODERS:
            from transformers import AutoModel

            from bertkit.models import load_tokenizer as load

            try:
                tokenizer = load(path)
                encoder = AutoModel.from_pretrained(str(path), output_attentions=True, attn_implementation="eager",
                                                    use_safetensors=True)
            except Exception as e:  # unreadable folder, not a BERT-like model
                raise gr.Error(f"cannot load an encoder from {path}: {e}") from None
            _ENCODERS[key] = (tokenizer, encoder.eval())
        return _ENCODERS[key]


# ---- components ----------------------------------------------------------------------------------
def model_selector(config: DemoConfig, label: str = "Model") -> gr.Dropdown:
    return gr.Dropdown(choices=config.models, value=config.model, allow_custom_value=True, label=label,
                       info=MODEL_INFO if local_models_allowed() else MODEL_INFO_RESTRICTED, scale=2)


def examples(config: DemoConfig, rows, inputs, outputs, fn, cache: bool = True):
    """Examples that fill the inputs; with caching, outputs are computed once, on first click."""
    cached = bool(cache and config.cache_examples)
    return gr.Examples(examples=rows, inputs=inputs, outputs=outputs if cached else None,
                       fn=fn if cached else None, cache_examples=cached,
                       cache_mode="lazy" if cached else None)


def tasks_of(kind: str) -> list:
    """Registry tasks by what the tab shows: 'single', 'pair', 'qa'."""
    import bertkit
    from bertkit.families.classification import SequenceClassification
    from bertkit.families.qa import QuestionAnswering

    tasks = bertkit.all_tasks()
    if kind == "single":
        return [t for t in tasks if isinstance(t.family, SequenceClassification) and not t.family.pair]
    if kind == "pair":
        return [t for t in tasks if isinstance(t.family, SequenceClassification) and t.family.pair]
    if kind == "qa":
        return [t for t in tasks if isinstance(t.family, QuestionAnswering)]
    raise KeyError(f"unknown kind {kind!r}; valid: single, pair, qa")


def task_dropdown(tasks, label: str = "Task") -> gr.Dropdown:
    """A task picker whose info line says what each task is."""
    info = " · ".join(f"{t.name}: {t.description}" for t in tasks)
    return gr.Dropdown([t.name for t in tasks], value=tasks[0].name, label=label, info=info)


def piece_text(token: str) -> str:
    """A WordPiece as it reads in running text: '##ing' -> 'ing'."""
    return token[2:] if token.startswith("##") else token


def run_batch(items: list, tasks: list[str], models: list, options: list[dict], check) -> list[dict]:
    """Batched endpoints: one predictor call per (task, model, options) group, one result per item.

    A bad item gets {"error": message} instead of failing its neighbours (gradio sends one batch's
    error to every request in it). `check(item)` validates one item and returns it cleaned.
    """
    import bertkit

    results: list[dict | None] = [None] * len(items)
    groups: dict[tuple, list[int]] = {}
    for i, item in enumerate(items):
        try:
            items[i] = check(item)
            model = model_name(models[i])
        except gr.Error as e:
            results[i] = {"error": e.message}
            continue
        key = (tasks[i], model, tuple(sorted(options[i].items())))
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
                    outputs.append({"error": str(e)})
        for i, out in zip(rows, outputs):
            results[i] = out
    return results
