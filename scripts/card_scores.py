"""Write the evaluation suite's held-out scores (95 % bootstrap intervals) into the shipped heads'
model cards, and print the README table of shipped heads beside published references.

    python -m evaluation run --model default --output results/
    python scripts/card_scores.py results/            # updates bertkit/heads/*/README.md, prints the table
"""
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
HEADS = REPO / "bertkit" / "heads"
SECTION = "## Held-out scores (evaluation suite, 95 % bootstrap interval)"
# Bars from the heads issue and published references (../shared/REFERENCE.md) per task: metric, bar,
# MiniLM-L6-H384 (microsoft/unilm README, dev), BERT-base (Devlin et al. / run_glue / DistilBERT paper).
ROWS = {
    "sst2": ("accuracy", 88.0, "91.5", "92.7 (dev)"),
    "cola": ("matthews_correlation", 30.0, "47.5", "56.3 (dev, DistilBERT paper)"),
    "mrpc": ("f1", 85.0, "88.9 (metric unnamed)", "88.9 (test F1)"),
    "stsb": ("spearmanr", 84.0, "—", "88.5 (run_glue dev)"),
    "rte": ("accuracy", 58.0, "68.8", "66.4 (test)"),
    "wnli": ("accuracy", None, "—", "56.3 (run_glue dev)"),
    "squad": ("f1", 60.0, "—", "88.5 (full dev)"),
    "squad_v2": ("f1", None, "75.6 (v2 dev)", "76.8 (v2 dev, MiniLM README)"),
    "ner": ("overall_f1", 85.0, "—", "96.4 (dev)"),
    "srl": ("f1", 55.0, "—", "—"),
    "translation": ("bleu", 12.0, "—", "—"),
    "fill-mask": ("top1_accuracy", 30.0, "—", "—"),
}


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


def pct(x: float, task: str) -> float:
    return x if task == "translation" or x > 1.5 else 100 * x


def card_section(task: str, entry: dict) -> str:
    lines = [SECTION, "", f"Split: `{entry['split']}`, {entry['n_examples']:,} examples, "
             f"{entry['examples_per_s']:.1f} examples/s on this machine.", "", "| metric | value | 95 % CI |", "|---|---|---|"]
    for name, score in entry["scores"].items():
        if score.get("value") is None:
            continue
        ci = score.get("ci")
        interval = f"[{pct(ci[0], task):.2f}, {pct(ci[1], task):.2f}]" if ci else "—"
        lines.append(f"| {name} | {pct(score['value'], task):.2f} | {interval} |")
    return "\n".join(lines) + "\n"


def update_card(task: str, entry: dict) -> None:
    card = HEADS / task / "README.md"
    text = card.read_text().split(SECTION)[0].rstrip() + "\n\n" + card_section(task, entry)
    card.write_text(text)


def readme_table(entries: dict) -> str:
    lines = ["| task | metric | shipped default (95 % CI) | bar | MiniLM-L6-H384 | BERT-base |", "|---|---|---|---|---|---|"]
    for task, (metric, bar, minilm, bert) in ROWS.items():
        entry = entries.get(task) if (HEADS / task / "bertkit.json").exists() else None
        if entry and metric in entry["scores"]:
            s = entry["scores"][metric]
            shown = f"{pct(s['value'], task):.1f} [{pct(s['ci'][0], task):.1f}, {pct(s['ci'][1], task):.1f}]"
        else:
            shown = "not shipped yet"
        lines.append(f"| {task} | {metric} | {shown} | {bar if bar is not None else '—'} | {minilm} | {bert} |")
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
