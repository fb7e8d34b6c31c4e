"""Does a head give the same answer whatever the input? Checked from the head's own predictions on
inputs of its held-out split (the first `PROBES` rows, when the benchmark data is on the server), else
on its task's examples and those of every other task with the same inputs. A classifier whose label
and probabilities do not move across them is a majority-class head (the shipped WNLI head: 50.6/49.4
for every pair), and its line and the Model table say so instead of implying it reads the text."""
from __future__ import annotations

PROBES = 32  # held-out inputs to look at
SPREAD = 1e-3  # largest change of any probability across the probes that still counts as constant


def probe_inputs(task) -> list:
    """Inputs in the predictor's format: held-out rows first, else every example of this input shape."""
    import bertkit

    fields = tuple(task.inputs)
    items = []
    try:
        rows = task.load(task.reported_split)
        for row in rows.select(range(min(PROBES, len(rows)))):
            items.append(row[fields[0]] if len(fields) == 1 else {k: row[k] for k in fields})
    except Exception:  # no benchmark data on this server (a Space): the examples will do
        items = []
    if len(items) < 4:
        for other in bertkit.all_tasks():
            if tuple(other.inputs) == fields:
                items += [e for e in other.examples if isinstance(e, (str, dict))]
    return items[:PROBES]


def constant_answer(predictor) -> str | None:
    """The label a classification head gives every input (None: its answers depend on the input)."""
    model = predictor.source.name if predictor.source else "default"
    return _constant(predictor.task.name, model, predictor)


_SEEN: dict[tuple[str, str], str | None] = {}  # (task, model) -> verdict, checked once per process


def _constant(task_name: str, model: str, predictor) -> str | None:
    key = (task_name, model)
    if key in _SEEN:
        return _SEEN[key]
    found = None
    items = probe_inputs(predictor.task)
    if len(items) >= 4 and "scores" in predictor.task.outputs:
        try:
            outputs = predictor(items)
        except Exception:  # an input the head refuses: no verdict
            outputs = []
        scores = [o.get("scores") for o in outputs if isinstance(o, dict)]
        if scores and all(isinstance(s, dict) for s in scores):
            labels = {o["label"] for o in outputs}
            spread = max(max(s[k] for s in scores) - min(s[k] for s in scores) for k in scores[0])
            if len(labels) == 1 and spread <= SPREAD:
                best = outputs[0]
                found = f"{best['label']} ({100 * best['score']:.1f} %)"
    _SEEN[key] = found
    return found


def majority_head(task_name: str, model: str) -> str | None:
    """`constant_answer` for (task, model) by name, loading the head if needed (None when it cannot)."""
    import gradio as gr

    from .caches import get_predictor

    if (task_name, model) in _SEEN:
        return _SEEN[(task_name, model)]
    try:
        return _constant(task_name, model, get_predictor(task_name, model))
    except gr.Error:
        return None


def majority_text(answer: str) -> str:
    return f"⚠️ majority-class head: answers {answer} for every input, whatever the text"
