"""Semantic-roles tab: pick a predicate (or every verb the model finds) and see who did what to
whom: one frame per predicate, argument spans coloured per PropBank role."""
from __future__ import annotations

import html

import gradio as gr

from .caches import get_predictor
from .common import (DemoConfig, TabParts, WholeNumber, example_rows, model_selector, notes, task_dropdown,
                     warning_box, wire)
from .errors import UserError, endpoint
from .policy import check_text
from .readable import split_warning

API_NAME = "srl"
TASK = "srl"
ALL = -1  # the API's predicate for every predicate the model finds
EVERY = "every verb the model finds"  # the same, in the page's predicate box
CORE = {"ARG0": "#f87171", "ARG1": "#60a5fa", "ARG2": "#4ade80", "ARG3": "#fbbf24", "ARG4": "#f472b6",
        "ARG5": "#a3e635", "V": "#e5e7eb"}
MODIFIER = ["#c084fc", "#2dd4bf", "#fb923c", "#94a3b8", "#facc15", "#38bdf8", "#a78bfa", "#fda4af"]


def words(text: str) -> list[tuple[str, int, int]]:
    """The words the SRL model labels: BERT's own pre-tokenizer (whitespace and punctuation)."""
    from tokenizers.pre_tokenizers import BertPreTokenizer

    return [(w, a, b) for w, (a, b) in BertPreTokenizer().pre_tokenize_str(text)]


def predicate_choices(text: str) -> list[str]:
    """The predicate box's choices: every verb, then "i: word" for each word. The value names its word, so
    a choice survives an edit only while word i is still that word (a new sentence resets the box)."""
    choices = [EVERY]
    if text and text.strip():
        choices += [choice(i, w) for i, (w, _, _) in enumerate(words(text)) if w.isalpha()]
    return choices


def choice(index: int, word: str) -> str:
    return f"{index}: {word}"


def srl_predicates(text: str, current: str | None = EVERY):
    """Predicate box for the sentence as it is now: the current choice when word i is still the same word
    (an example's own predicate, a typo fixed elsewhere), else every verb (a new sentence)."""
    choices = predicate_choices(text)
    return gr.Dropdown(choices=choices, value=current if current in choices else EVERY)


def predicate_index(value, text: str) -> int | None:
    """The predicate argument as the API page documents it: a word index (int, or its digits as text,
    or a dropdown label "3: sold"), -1 / "" / None for every verb."""
    if value is None or (isinstance(value, str) and value.strip() in ("", EVERY)):
        return None
    raw = str(value).strip().split(":", 1)[0] if isinstance(value, str) else value
    try:
        index = int(raw)
        if isinstance(raw, float) and raw != index:
            raise ValueError
    except (TypeError, ValueError):
        raise UserError(f"predicate must be a word index (0-{len(words(text)) - 1}) or -1 for every verb; "
                        f"got {value!r}") from None
    return None if index == ALL else index


@endpoint
def roles(text: str, predicate: int | str | None = ALL, model: str = "default", task: str = TASK):
    """Semantic roles: who did what to whom, when and where (PropBank ARG0, ARG1, ARGM-TMP, ...).

    Args:
        text: an English sentence
        predicate: the word index of the verb to analyse (an integer, or its digits as text); -1, "" or null for every verb the model finds
        model: "default" (bertkit's shipped heads) or a hub id of an SRL model trained with bertkit
        task: a role-labelling task ("srl")

    Returns:
        one frame per predicate (HTML), a table of arguments, a note on the head, and the raw output
    """
    text = check_text(text)
    predicate = predicate_index(predicate, text)
    predictor = get_predictor(task, model)
    result = predictor({"text": text, "predicate": predicate})
    unreadable, note = split_warning(notes(predictor, text))
    if not result["frames"]:
        note = ("No predicate found (no word scored p(verb) > 0.5). Pick one from the list. " + note).strip()
    note = f"{unreadable}\n\n{note}" if unreadable else note
    return frames_html(text, result), role_table(result), note, result


def role_color(label: str) -> str:
    if label in CORE:
        return CORE[label]
    return MODIFIER[sum(map(ord, label)) % len(MODIFIER)]


def frame_html(text: str, frame: dict) -> str:
    p = frame["predicate"]
    arguments = [(s["start"], s["end"], s["label"]) for s in frame["spans"]
                 if s["end"] <= p["start"] or s["start"] >= p["end"]]  # the predicate is always V
    marks = sorted(arguments + [(p["start"], p["end"], "V")])
    out, pos = [], 0
    for start, end, label in marks:
        if start < pos:  # overlapping spans cannot be drawn inline: keep the first
            continue
        out.append(html.escape(text[pos:start]))
        weight = "font-weight:700;" if label == "V" else ""
        out.append(f'<mark class="srl-span" data-role="{html.escape(label)}" style="background:{role_color(label)};'
                   f'{weight}padding:1px 4px;border-radius:4px">{html.escape(text[start:end])}'
                   f'<sub style="font-size:0.7em;margin-left:3px">{html.escape(label)}</sub></mark>')
        pos = end
    out.append(html.escape(text[pos:]))
    return (f'<div class="srl-frame" style="margin:6px 0;line-height:2"><b>{html.escape(p["text"])}</b> '
            f'(word {p["index"]}): {"".join(out)}</div>')


def legend_html(labels) -> str:
    chips = "".join(f'<span style="background:{role_color(x)};color:#111;padding:1px 6px;border-radius:4px;'
                    f'margin-right:4px">{html.escape(x)}</span>' for x in labels)
    return f'<div class="srl-legend" style="margin-bottom:6px">{chips}</div>'


def frames_html(text: str, result: dict) -> str:
    if not result["frames"]:
        return "<p>No frames.</p>"
    labels = sorted({s["label"] for f in result["frames"] for s in f["spans"]} | {"V"},
                    key=lambda x: (not x.startswith("ARG") or x.startswith("ARGM"), x))
    return legend_html(labels) + "".join(frame_html(text, f) for f in result["frames"])


def role_table(result: dict) -> list[list]:
    return [[f["predicate"]["text"], s["label"], s["text"], round(s["score"], 4)]
            for f in result["frames"] for s in f["spans"]]


def client_args(task, example, model) -> list:
    if isinstance(example, dict):
        return [example["text"], example["predicate"], model, task.name]
    return [example, ALL, model, task.name]


def build(config: DemoConfig, tasks: list) -> None:
    first = tasks[0].examples[0]
    first = first if isinstance(first, dict) else {"text": first, "predicate": ALL}
    gr.Markdown("Who did what to whom, when and where: PropBank roles (ARG0 = agent, ARG1 = patient/theme, "
                "ARGM-TMP = time, ARGM-LOC = place, …) of each predicate, one frame per predicate.")
    with gr.Row():
        text = gr.Textbox(label="Sentence", value=first["text"], lines=1, scale=4, elem_id="srl_text",
                          info="Enter submits")
        with gr.Column(scale=2):
            predicate = gr.Dropdown(predicate_choices(first["text"]), value=page_value(first), label="Predicate",
                                    elem_id="srl_predicate", info="resets to every verb when the sentence changes")
            model = model_selector(config)
            task = task_dropdown(tasks, config.model)
    button = gr.Button("Label roles", variant="primary", elem_id="srl_run")
    warn = warning_box("srl")  # above the answer: the model cannot read this input
    frames = gr.HTML(label="Frames", elem_id="srl_frames")
    note = gr.Markdown(elem_id="srl_note")
    table = gr.Dataframe(headers=["predicate", "role", "text", "score"], label="Arguments")
    with gr.Accordion("Raw output (JSON)", open=False):
        raw = gr.JSON()
    # any change of the sentence (typed, pasted, an example) re-lists its words; the choice survives only
    # while it names the same word at the same place
    text.change(srl_predicates, [text, predicate], predicate, api_visibility="private")
    inputs, outputs = [text, predicate, model, task], [frames, table, note, raw]
    rows = example_rows(tasks, config.model, lambda t, e: [e["text"] if isinstance(e, dict) else e,
                                                           page_value(e), config.model, t.name])
    # the API's predicate: an integer defaulting to -1 (every verb), not the first example's index
    api_predicate = WholeNumber(value=ALL, visible=False, label="predicate")
    # examples are not cached (the predicate list depends on the text): a click fills the inputs and runs
    wire(TabParts(roles, API_NAME, inputs, outputs, [button.click, text.submit], note=2, raw=3,
                  api_inputs=[text, api_predicate, model, task], warn_box=warn, task=task, model=model, tasks=tasks),
         config, rows, cache=False)


def page_value(example) -> str:
    """An example's predicate as the page's box holds it ("4: nominated")."""
    if not isinstance(example, dict) or example.get("predicate") in (None, ALL):
        return EVERY
    word = words(example["text"])[int(example["predicate"])][0]
    return choice(int(example["predicate"]), word)
