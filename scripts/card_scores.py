"""Write the evaluation suite's held-out scores (95 % bootstrap intervals) into the shipped heads'
model cards, and print the README table of shipped heads beside published references.

    python -m evaluation run --model default --output results/
    python scripts/card_scores.py results/            # updates bertkit/heads/*/README.md, prints the table
"""
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bertkit.tasks.base import all_tasks  # noqa: E402
from evaluation.references import references  # noqa: E402
from evaluation.results import extra_splits, percent  # noqa: E402

HEADS = REPO / "bertkit" / "heads"
SECTION = "## Held-out scores (evaluation suite, 95 % bootstrap interval)"
DASH = "—"
# The README compares each head with its own base model and with BERT-base, both from evaluation/references.py.
MINILM, BERT_BASE = "MiniLM-L6xH384", "bert-base"


def published(task, metric: str, wanted: str) -> str:
    """The first published score of `task`/`metric` by a reference named `wanted` (any row whose name
    starts with it, case-insensitive; dev rows first), as "value (split, source)"; "—" when none."""
    if not task.references:
        return DASH
    rows = [r for r in references(task.references) if r.name.lower().startswith(wanted.lower())]
    for key, note in ((f"{task.name}/{metric}", ""), (f"{task.name}/unspecified", ", metric unnamed")):
        for split in ("dev", "test"):
            for r in rows:
                if r.split == split and r.scores.get(key) is not None:
                    source = "" if r.name == wanted else f", {r.name}"
                    return f"{r.scores[key]} ({split}{source}{note})"
    return DASH


def latest_entries(results_dir: Path) -> dict:
    entries = {}
    for path in sorted(results_dir.glob("*.json"), key=lambda p: p.stat().st_mtime):
        data = json.loads(path.read_text())
        if (data.get("manifest", {}).get("model") or {}).get("id") != "default":
            continue
        for task, entry in data.get("tasks", {}).items():
            if entry.get("status") == "scored" and not (entry.get("data") or {}).get("limit"):
                entries[task] = entry
    return entries


def score_table(task: str, entry: dict, split: str) -> list[str]:
    lines = [f"Split: `{split}`, {entry['n_examples']:,} examples, {entry['examples_per_s']:.1f} examples/s on "
             "this machine.", "", "| metric | value | 95 % CI |", "|---|---|---|"]
    for name, score in entry["scores"].items():
        if score.get("value") is None:
            continue
        ci = score.get("ci")
        interval = f"[{percent(task, entry, ci[0]):.2f}, {percent(task, entry, ci[1]):.2f}]" if ci else DASH
        lines.append(f"| {name} | {percent(task, entry, score['value']):.2f} | {interval} |")
    return lines


def card_section(task: str, entry: dict) -> str:
    lines = [SECTION, "", *score_table(task, entry, entry["split"])]
    for split, more in extra_splits(entry).items():
        lines += ["", "Also held out (never used to choose):", "", *score_table(task, more, split)]
    return "\n".join(lines) + "\n"


def update_card(task: str, entry: dict) -> None:
    card = HEADS / task / "README.md"
    text = card.read_text().split(SECTION)[0].rstrip() + "\n\n" + card_section(task, entry)
    card.write_text(text)


def readme_table(entries: dict) -> str:
    lines = ["| task | metric | shipped default (95 % CI) | bar | MiniLM-L6-H384 | BERT-base |", "|---|---|---|---|---|---|"]
    for task in all_tasks():
        if not (HEADS / task.name).is_dir():
            continue
        metric = task.primary_metric
        entry = entries.get(task.name) if (HEADS / task.name / "bertkit.json").exists() else None
        if entry and metric in entry["scores"]:
            s = entry["scores"][metric]
            value, (low, high) = percent(task.name, entry, s["value"]), (percent(task.name, entry, c) for c in s["ci"])
            shown = f"{value:.1f} [{low:.1f}, {high:.1f}]"
        else:
            shown = "not shipped yet"
        bar = DASH if task.target_score is None else task.target_score
        lines.append(f"| {task.name} | {metric} | {shown} | {bar} | {published(task, metric, MINILM)} | "
                     f"{published(task, metric, BERT_BASE)} |")
        for split, more in extra_splits(entry or {}).items():
            if metric in more["scores"]:
                sc = more["scores"][metric]
                low, high = (percent(task.name, more, c) for c in sc["ci"])
                lines.append(f"| {task.name} ({split}) | {metric} | {percent(task.name, more, sc['value']):.1f} "
                             f"[{low:.1f}, {high:.1f}] | {DASH} | {DASH} | {DASH} |")
    return "\n".join(lines)


def update_readme(table: str) -> None:
    readme = REPO / "README.md"
    text = readme.read_text()
    start, end = "<!-- heads-table -->", "<!-- /heads-table -->"
    if start in text and end in text:
        head, rest = text.split(start, 1)
        readme.write_text(head + start + "\n" + table + "\n" + end + rest.split(end, 1)[1])


def main(results_dir: str = "results") -> None:
    entries = latest_entries(Path(results_dir))
    for task, entry in entries.items():
        if (HEADS / task / "README.md").exists():
            update_card(task, entry)
    table = readme_table(entries)
    update_readme(table)
    print(table)


if __name__ == "__main__":
    main(*sys.argv[1:])
