"""Publish the evaluation suite's held-out scores of the shipped heads: write
evaluation/published/default.json from the results JSON (full precision, 95 % bootstrap intervals),
then render the heads' model cards and the README table of shipped heads from that same file.

    python -m evaluation run --model default --output results/
    python scripts/card_scores.py results/      # writes the published file, updates bertkit/heads/*/README.md

A task the results folder holds no full (unlimited) scored run of keeps its published entry; with no
results at all the cards and table are rendered again from the published file as it is.
"""
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bertkit.files import atomic_write, write_json  # noqa: E402
from bertkit.tasks.base import all_tasks  # noqa: E402
from evaluation.references import references  # noqa: E402
from evaluation.results import extra_splits, percent, read_results  # noqa: E402

HEADS = REPO / "bertkit" / "heads"
PUBLISHED = REPO / "evaluation" / "published" / "default.json"  # what the app and the leaderboard read
RUN_LOCAL = ("predictions", "reused_from", "key")  # point into the results folder, which is not committed
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


def latest_entries(results_dir: Path) -> tuple[dict, dict]:
    """({task: entry}, {task: results file name}): each task's newest full (unlimited) scored run of
    the default model in `results_dir`."""
    entries, sources = {}, {}
    for path in sorted(results_dir.glob("*.json"), key=lambda p: p.stat().st_mtime):
        data = read_results(path)
        if data is None or data["manifest"]["model"]["id"] != "default":
            continue
        for task, entry in data["tasks"].items():
            if entry.get("status") == "scored" and not (entry.get("data") or {}).get("limit"):
                entries[task] = {**entry, "hardware": data["manifest"].get("hardware")}  # where examples/s was measured
                sources[task] = path.name
    return entries, sources


def machine(hardware: dict | None) -> str:
    """Where a run measured its speed: "AMD EPYC [avx2], 2 torch threads"; "the machine that ran it" if unknown."""
    if not hardware:
        return "the machine that ran it"
    flags = f" [{' '.join(hardware['cpu_flags'])}]" if hardware.get("cpu_flags") else ""
    gpu = f", GPU {hardware['gpu']}" if hardware.get("gpu") else ""
    return f"{hardware['cpu']}{flags}, {hardware.get('torch_threads')} torch threads{gpu}"


def score_table(task: str, entry: dict, split: str) -> list[str]:
    lines = [f"Split: `{split}`, {entry['n_examples']:,} examples, {entry['examples_per_s']:.1f} examples/s on "
             f"{machine(entry.get('hardware'))}.", "", "| metric | value | 95 % CI |", "|---|---|---|"]
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
        more = {"hardware": entry.get("hardware"), **more}  # measured in the same run
        lines += ["", "Also held out (never used to choose):", "", *score_table(task, more, split)]
    return "\n".join(lines) + "\n"


def update_card(task: str, entry: dict, heads: Path = HEADS) -> None:
    card = heads / task / "README.md"
    text = card.read_text().split(SECTION)[0].rstrip() + "\n\n" + card_section(task, entry)
    atomic_write(card, text)


def published_entry(entry: dict, source: str) -> dict:
    """A results entry as published: every number as measured, without the run-local file pointers."""
    kept = {k: v for k, v in entry.items() if k not in RUN_LOCAL}
    if kept.get("extra_splits"):
        kept["extra_splits"] = {split: published_entry(e, source) for split, e in kept["extra_splits"].items()}
    kept["notes"] = [*kept.get("notes", []), f"from {source}"]
    return kept


def published_results(entries: dict, sources: dict, current: dict | None, heads: Path = HEADS) -> dict:
    """The published results file (schema bertkit-eval/1): for every task with a shipped head, its
    newest full run in `entries`, else its entry in `current` (the file as published before)."""
    tasks = {}
    for task in all_tasks():
        shipped = (heads / task.name / "bertkit.json").exists()
        if shipped and task.name in entries:
            tasks[task.name] = published_entry(entries[task.name], sources[task.name])
        elif shipped and (current or {}).get("tasks", {}).get(task.name, {}).get("status") == "scored":
            tasks[task.name] = current["tasks"][task.name]
        else:
            tasks[task.name] = {"status": "skipped", "reason": "no shipped head", "version": task.version,
                                "split": task.reported_split}
    commit = subprocess.run(["git", "-C", str(REPO), "log", "-1", "--format=%H", "--", "bertkit/heads"],
                            capture_output=True, text=True).stdout.strip() or None
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    return {"schema": "bertkit-eval/1", "run_id": "published-default", "created": stamp, "finished": stamp,
            "manifest": {"model": {"id": "default", "weights": None}, "heads_commit": commit,
                         "source": "the evaluation suite's newest full run per task "
                                   "(python scripts/card_scores.py RESULTS_DIR)"},
            "settings": {"tasks": list(tasks), "split": None, "limit": None,
                         "bootstrap": {"resamples": 1000, "confidence": 0.95}},
            "tasks": tasks}


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
        atomic_write(readme, head + start + "\n" + table + "\n" + end + rest.split(end, 1)[1])


def main(results_dir: str = "results", published: Path = PUBLISHED, heads: Path = HEADS,
         readme: bool = True) -> dict:
    """Publish the newest full runs in `results_dir`, then render every shipped head's card (and the
    README table) from the published file; returns what was published."""
    entries, sources = latest_entries(Path(results_dir))
    current = read_results(published) if published.is_file() else None
    data = published_results(entries, sources, current, heads)
    if entries or current is None:
        write_json(published, data, indent=1)
    else:
        data = current  # nothing new: render from the file as published
    scored = {task: e for task, e in data["tasks"].items() if e["status"] == "scored"}
    for task, entry in scored.items():
        if (heads / task / "README.md").exists():
            update_card(task, entry, heads)
    table = readme_table(scored)
    if readme:
        update_readme(table)
    print(table)
    return data


if __name__ == "__main__":
    main(*sys.argv[1:])
