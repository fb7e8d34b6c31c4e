"""Write evaluation/published/default.json: the held-out scores of the heads bertkit ships, as one
results file (schema bertkit-eval/1) that the Leaderboard tab and the honesty lines read.

    python -m demo.shipped_results            # after `python scripts/card_scores.py results/` updated the cards

The numbers are the "Held-out scores" sections of bertkit/heads/*/README.md, which
scripts/card_scores.py writes from a full `python -m evaluation run --model default` (95 % bootstrap
intervals, 1,000 resamples); this file carries them, rounded as the cards print them, so a fresh
clone has a leaderboard without running the suite. Nothing here is measured anew.
"""
from __future__ import annotations

import json
import re
import subprocess
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
HEADS = REPO / "bertkit" / "heads"
TARGET = REPO / "evaluation" / "published" / "default.json"
SECTION = "## Held-out scores"
EXTRA = "Also held out"  # scripts/card_scores.py starts each of a task's extra held-out splits with it
_SPLIT = re.compile(r"Split: `([^`]+)`, ([\d,]+) examples, ([\d.]+) examples/s")
_ROW = re.compile(r"^\| (\S+) \| (-?[\d.]+) \| \[(-?[\d.]+), (-?[\d.]+)\] \|$")


def card_entry(task, card: str) -> dict | None:
    """A results-file task entry from a card's held-out section (values back on the metric's scale);
    the blocks after "Also held out" become its `extra_splits`, as the evaluation suite writes them."""
    if SECTION not in card:
        return None
    main, *extra = card.split(SECTION, 1)[1].split(EXTRA)
    entry = block_entry(task, main)
    if entry is None:
        return None
    more = [e for e in (block_entry(task, block) for block in extra) if e]
    if more:
        entry["extra_splits"] = {e["split"]: e for e in more}
    return entry


def block_entry(task, block: str) -> dict | None:
    from .honesty import scale

    found = _SPLIT.search(block)
    if not found:
        return None
    factor = scale(task)
    scores = {}
    for line in block.splitlines():
        row = _ROW.match(line.strip())
        if row:
            value, low, high = (round(float(x) / factor, 6) for x in row.groups()[1:])
            scores[row.group(1)] = {"value": value, "ci": [low, high]}
    return {"status": "scored", "version": task.version, "split": found.group(1), "metric": task.metric,
            "scale": factor, "primary_metric": task.primary_metric, "scores": scores, "counts": {},
            "n_examples": int(found.group(2).replace(",", "")), "examples_per_s": float(found.group(3)),
            "batch_size": None, "data": {"limit": None}, "head_trained": True,
            "notes": [f"from bertkit/heads/{task.name}/README.md (held-out section, as printed)"]}


def gold_counts(task, split: str) -> dict:
    """Gold spans per label (`{label}_number`, as seqeval names them) of a tagging task's held-out split,
    counted from the data (the cards print scores, not supports); {} when the data is not here."""
    try:
        data = task.load(split)
    except (FileNotFoundError, KeyError):
        return {}
    if "tags" not in data.column_names:
        return {}
    from collections import Counter

    from seqeval.metrics.sequence_labeling import get_entities

    counts = Counter(label for tags in data["tags"] for label, _, _ in get_entities(list(tags)) if label != "V")
    return {f"{label}_number": n for label, n in sorted(counts.items())}


def shipped_results() -> dict:
    import bertkit

    tasks = {}
    for task in bertkit.all_tasks():
        card = HEADS / task.name / "README.md"
        entry = card_entry(task, card.read_text()) if card.is_file() else None
        if entry:  # the leaderboard's per-role "Gold spans" (0 on every row without them)
            entry["counts"] = gold_counts(task, entry["split"])
        tasks[task.name] = entry or {"status": "skipped", "reason": "no shipped head", "version": task.version,
                                     "split": getattr(task, "reported_split", "dev")}
    commit = subprocess.run(["git", "-C", str(REPO), "log", "-1", "--format=%H", "--", "bertkit/heads"],
                            capture_output=True, text=True).stdout.strip() or None
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    return {"schema": "bertkit-eval/1", "run_id": "published-default", "created": stamp, "finished": stamp,
            "manifest": {"model": {"id": "default", "weights": None}, "heads_commit": commit,
                         "source": "bertkit/heads/*/README.md held-out sections (python -m demo.shipped_results)"},
            "settings": {"tasks": list(tasks), "split": None, "limit": None,
                         "bootstrap": {"resamples": 1000, "confidence": 0.95}},
            "tasks": tasks}


if __name__ == "__main__":
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    tmp = TARGET.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(shipped_results(), indent=1) + "\n")
    tmp.replace(TARGET)
    print(f"wrote {TARGET.relative_to(REPO)}")
