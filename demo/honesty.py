"""How good is the head behind an answer? One line under every output: its held-out score with a
95 % interval, and the data it was trained on (with its domain, from the task's description).

Sources, never numbers typed into the app:
- held-out scores: the results file of the shipped default model (`PUBLISHED`, written by the
  evaluation suite; see evaluation/published/README.md) for `default`, and any results file in the
  app's results folder for other models (the Leaderboard tab's "Run evaluation" writes there);
- training data: the head's model card (README.md "Training rows") and bertkit.json;
- the tuned no-answer threshold of a SQuAD v2 head: bertkit.json `no_answer_threshold`.
"""
from __future__ import annotations

import functools
import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PUBLISHED = REPO / "evaluation" / "published" / "default.json"  # the shipped default's held-out scores
_TRAINING_ROWS = re.compile(r"Training rows: ([\d,]+)")


def published_results(path: Path = PUBLISHED) -> dict | None:
    """The committed results file (schema bertkit-eval/1), or None when it is missing."""
    try:
        from evaluation.results import read_results
    except ImportError:  # the app without the evaluation package (a trimmed Space)
        return None
    return read_results(path) if Path(path).is_file() else None


def headline(task) -> tuple[str, ...]:
    return task.headline_metrics


def held_out(task_name: str, source) -> dict | None:
    """{"split", "n", "scores": {metric: (value, low, high) on 0-100}, "extra", "source"} or None: the
    shipped default's held-out scores, for a head that is there (`source`: the resolved model, None when
    it could not be resolved)."""
    if source is None or source.name != "default":
        return None  # other models: scored in the Leaderboard tab (their own results rows)
    return _published_scores(task_name)


@functools.lru_cache(maxsize=256)
def _published_scores(task_name: str) -> dict | None:
    import bertkit

    entry = (published_results() or {}).get("tasks", {}).get(task_name)
    if not entry or entry.get("status") != "scored":
        return None
    factor = bertkit.get_task(task_name).metric_scale
    facts = _split_scores(entry, factor)
    # every other held-out split the run scored (translation: news_test beside Multi30k test2016)
    facts["extra"] = [_split_scores(e, factor) for e in (entry.get("extra_splits") or {}).values()
                      if e.get("status") == "scored"]
    facts["source"] = f"evaluation/published/{PUBLISHED.name}"
    return facts


def _split_scores(entry: dict, factor: float) -> dict:
    scores = {}
    for metric, score in entry["scores"].items():
        if score.get("value") is None:  # e.g. a Pearson of constant predictions
            continue
        low, high = score.get("ci") or (None, None)
        scores[metric] = tuple(None if v is None else v * factor for v in (score["value"], low, high))
    return {"split": entry["split"], "n": entry.get("n_examples"), "scores": scores}


def held_out_text(task, facts: dict, ci_words: bool = True) -> str:
    """Every held-out split's headline scores: "bleu 38.5 [36.9, 40.0] on 1,000 test examples; ..."."""
    parts = []
    for split in [facts, *facts["extra"]]:
        shown = [score_text(m, *split["scores"][m]) for m in headline(task) if m in split["scores"]]
        if shown:
            n = f"{split['n']:,} " if isinstance(split.get("n"), int) else ""
            ci = " (95 % CI)" if ci_words and not parts else ""
            parts.append(f"{' · '.join(shown)}{ci} on {n}held-out {split['split']} examples")
    return "; ".join(parts)


def resolved(task_name: str, model: str):
    """The model's ModelSource for this task, None when it cannot be resolved (no head, offline, ...)."""
    from bertkit.errors import BertkitError
    from bertkit.models import resolve

    try:
        return resolve(model, task_name)
    except BertkitError:
        return None


@functools.lru_cache(maxsize=256)
def training_rows(folder: Path) -> int | None:
    """Rows the head in `folder` was trained on, from its model card."""
    card = folder / "README.md"
    if not card.is_file():
        return None
    found = _TRAINING_ROWS.search(card.read_text(errors="replace"))
    return int(found.group(1).replace(",", "")) if found else None


def threshold_in(meta: dict) -> float | None:
    """A SQuAD v2 head's no-answer threshold tuned on its tune split (bertkit.json), or None."""
    value = meta.get("no_answer_threshold")
    return float(value) if isinstance(value, (int, float)) else None


def tuned_threshold(task_name: str, model: str = "default") -> float | None:
    """`threshold_in` for a model not loaded yet (the page's slider before the first answer)."""
    source = resolved(task_name, model)
    return threshold_in(source.meta) if source else None


def score_text(metric: str, value, low, high) -> str:
    interval = f" [{low:.1f}, {high:.1f}]" if low is not None and high is not None else ""
    return f"{metric} {value:.1f}{interval}"


def training_data(task) -> str:
    files = task.files.get("train")
    files = [files] if isinstance(files, str) else list(files or [])
    return ", ".join(f"`{f}`" for f in files)


def honesty_line(predictor, majority: str | None = None) -> str:
    """One Markdown line: how good the predictor's head is (held-out, 95 % CI, every held-out split it
    has) and what it was trained on; `majority`: the answer a majority-class head gives every input."""
    if not predictor.head_trained:
        return ""  # the untrained-head warning says it all
    return source_line(predictor.task, predictor.source, majority)


def source_line(task, source, majority: str | None = None) -> str:
    """`honesty_line` for a trained head of `task` in `source` (a ModelSource; None: nothing known)."""
    from .majority import majority_text

    facts = held_out(task.name, source)
    if facts:
        score = held_out_text(task, facts) or "no headline score"
    else:
        tune = (source.meta if source else {}).get("metrics", {}).get(f"eval_{task.primary_metric}")
        score = (f"no held-out score for this model (tune-split {task.primary_metric} {tune:.4g}; score it in the "
                 f"Leaderboard tab)" if isinstance(tune, (int, float)) else
                 "no held-out score for this model yet (score it in the Leaderboard tab)")
    rows = training_rows(source.path) if source else None
    data = training_data(task) if source and source.name == "default" else ""
    trained = f"trained on {rows:,} rows" + (f" of {data}" if data else "") if rows else ""
    description = task.description.strip().splitlines()[0].rstrip(".")
    parts = [f"**{task.name}** head: {score}", trained, f"data: {description}"]
    line = "ℹ️ " + " · ".join(p for p in parts if p) + "."
    if majority:  # the score is the share of the majority class, not reading the text
        line = f"{majority_text(majority)} (its score is the share of that class). " + line
    return line
