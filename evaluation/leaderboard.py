"""Leaderboard tables from every results file in a folder, with published references and deltas.

    python -m evaluation leaderboard results/ --format md,csv,html,latex --output results/leaderboard

One measured row per model (model id + weights digest + --limit + --split): for each task the
newest scored entry in the folder. Tables: GLUE (official column order and score rule, see
glue_score.py), SQuAD, NER, SRL (overall and per role), then one table per other benchmark of the
registry (translation, fill-mask, any new task: its `Task.headline` metrics), and per-task details
(n, 95% CI, examples/s, wall time). All values on a 0-100 scale (`Task.metric_scale`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from bertkit.errors import OptionError

from . import glue_score
from .references import Reference, check_name, find, references
from .render import DASH, FORMATS, Table, number
from .results import extra_splits, percent, results_files

UNSPECIFIED = "†"


@dataclass
class ModelRow:
    label: str
    model: str
    weights: str
    limit: int | None
    entries: dict = field(default_factory=dict)  # task -> newest scored entry
    skipped: dict = field(default_factory=dict)  # task -> reason, for tasks never scored

    def cells(self) -> dict:
        """{"task/metric": value on 0-100} over every scored task."""
        out = {}
        for task, e in self.entries.items():
            for metric, score in e["scores"].items():
                out[f"{task}/{metric}"] = percent(task, e, score["value"])
        return out

    def split(self, tasks) -> str:
        return "/".join(sorted({self.entries[t]["split"] for t in tasks if t in self.entries})) or DASH


def collect(results_dir) -> list[ModelRow]:
    groups: dict[tuple, ModelRow] = {}
    for _, results in results_files(Path(results_dir)):  # oldest first: newer entries replace older
        model = results["manifest"]["model"]
        settings = results.get("settings", {})
        key = (model["id"], (model.get("weights") or {}).get("sha256"), settings.get("limit"), settings.get("split"))
        label = model["id"] + (f" (limit {key[2]})" if key[2] else "") + (f" [{key[3]}]" if key[3] else "")
        row = groups.setdefault(key, ModelRow(label, model["id"], key[1] or "", key[2]))
        for task, entry in results["tasks"].items():
            if entry["status"] == "scored":
                row.entries[task] = entry
                row.skipped.pop(task, None)
            elif task not in row.entries:
                row.skipped[task] = entry.get("reason", "")
    rows = list(groups.values())
    for row in rows:  # a random head's score is no score of the model: say so wherever the row is shown
        untrained = sorted(t for t, e in row.entries.items() if e.get("head_trained") is False)
        if untrained:
            row.label += f" (untrained head: {', '.join(untrained)})"
    for row in rows:  # the same label twice: the model's weights changed between runs
        if sum(r.label == row.label for r in rows) > 1:
            row.label += f" @{row.weights[:6]}"
    return rows


# ---- cells -------------------------------------------------------------------------------------
def cell(cells: dict, keys: list[str], unspecified: str | None = None, signed: bool = False) -> str:
    values = [cells.get(k) for k in keys]
    if all(v is None for v in values):
        if unspecified and cells.get(unspecified) is not None:
            return f"{cells[unspecified]:.1f}{UNSPECIFIED}"
        return DASH
    fmt = (lambda v: DASH if v is None else f"{v:+.1f}") if signed else number
    return "/".join(fmt(v) for v in values)


def delta(measured: dict, reference: Reference) -> dict:
    return {k: v - reference.scores[k] for k, v in measured.items()
            if v is not None and reference.scores.get(k) is not None}


def source_notes(refs: list[Reference]) -> list[str]:
    notes = []
    for r in refs:
        published = f"; published score {r.published_score} ({r.published_note})" if r.published_score else ""
        notes.append(f"{r.name} ({r.split}): {r.source}{published}")
    return notes


# ---- tables ------------------------------------------------------------------------------------
def glue_table(rows: list[ModelRow], reference_name: str | None) -> Table:
    headers = ["Model", "Split"] + [h for _, h, _ in glue_score.COLUMNS] + ["GLUE score", "Score w/o WNLI", "Published"]
    glue_tasks = ["cola", "sst2", "mrpc", "stsb", "qqp", "mnli_m", "mnli_mm", "qnli", "rte", "wnli"]
    ref = find("glue", reference_name)

    def line(label, split, cells, published="", signed=False):
        out = [label, split]
        for task, _, keys in glue_score.COLUMNS:  # a reference's "mrpc/unspecified" shows under MRPC, with a †
            unspecified = None if signed else f"{task.lower().replace('-', '')}/unspecified"
            out.append(cell(cells, keys, unspecified, signed))
        if signed:
            return out + ["", "", ""]
        return out + [glue_score.score_label(glue_score.glue_score(cells)),
                      glue_score.score_label(glue_score.glue_score(cells, include_wnli=False)), published]

    body = []
    for row in rows:
        if not any(t in row.entries for t in glue_tasks):
            continue
        cells = row.cells()
        body.append(line(row.label, row.split(glue_tasks), cells))
        if ref:
            body.append(line(f"  Δ vs {ref.name} ({ref.split})", "", delta(cells, ref), signed=True))
    refs = references("glue")
    body += [line(r.name, r.split, r.scores, f"{r.published_score}" if r.published_score else "") for r in refs]
    notes = ["GLUE score: mean over CoLA, SST-2, MRPC, STS-B, QQP, MNLI, QNLI, RTE, WNLI; two-metric tasks and "
             "MNLI-m/mm count as their mean. 'partial: k/9' = only k tasks were run (no zeros filled in); "
             "QQP and MNLI have no data here, so measured scores are always partial.",
             f"{UNSPECIFIED} the source does not name the metric.",
             "Measured rows: dev sets here; test rows are GLUE-server numbers, not directly comparable.",
             *source_notes(refs)]
    return Table("GLUE", headers, body, notes)


SQUAD_METRICS = {"squad": ["exact_match", "f1", None, None, None, None],
                 "squad_v2": ["exact", "f1", "HasAns_exact", "HasAns_f1", "NoAns_exact", "NoAns_f1"]}


def squad_table(rows, reference_name) -> Table:
    headers = ["Model", "Task", "Split", "EM", "F1", "HasAns EM", "HasAns F1", "NoAns EM", "NoAns F1"]

    def line(label, task, split, cells, signed=False):
        return [label, task, split] + [cell(cells, [f"{task}/{m}"], signed=signed) if m else DASH
                                       for m in SQUAD_METRICS[task]]

    body = []
    for row in rows:
        cells = row.cells()
        for task in ("squad", "squad_v2"):
            if task in row.entries:
                body.append(line(row.label, task, row.entries[task]["split"], cells))
                ref = find("squad", reference_name)
                if ref and any(k.startswith(task + "/") for k in ref.scores):
                    body.append(line(f"  Δ vs {ref.name} ({ref.split})", task, "", delta(cells, ref), signed=True))
    refs = references("squad")
    for r in refs:
        for task in ("squad", "squad_v2"):
            if any(k.startswith(task + "/") for k in r.scores):
                body.append(line(r.name, task, r.split, r.scores))
    from bertkit.tasks.base import get_task

    here = [get_task(t) for t in SQUAD_METRICS]
    notes = ["Here: " + "; ".join(f"{t.name} = {t.display_name}, {t.reported_split} split"
                                   + (f" ({t.score_note})" if t.score_note else "") for t in here)
             + " (the task files in bertkit/tasks/ say how each split is made).", *source_notes(refs)]
    return Table("SQuAD", headers, body, notes)


def ner_table(rows, reference_name) -> Table:
    types = ["PER", "ORG", "LOC", "MISC"]
    keys = (["ner/overall_precision", "ner/overall_recall", "ner/overall_f1"] + [f"ner/{t}_f1" for t in types]
            + ["ner/raw_text_overall_f1"])
    headers = ["Model", "Split", "P", "R", "F1"] + [f"{t} F1" for t in types] + ["F1 raw text"]

    def line(label, split, cells, signed=False):
        return [label, split] + [cell(cells, [k], signed=signed) for k in keys]

    ref = find("ner", reference_name)
    body = []
    for row in rows:
        if "ner" in row.entries:
            cells = row.cells()
            body.append(line(row.label, row.entries["ner"]["split"], cells))
            if ref:
                body.append(line(f"  Δ vs {ref.name} ({ref.split})", "", delta(cells, ref), signed=True))
    refs = references("ner")
    body += [line(r.name, r.split, r.scores) for r in refs]
    notes = ["CoNLL-2003 English, seqeval entity-level micro P/R/F1; dev = eng.testa (eng.testb is not here). "
             "F1 raw text: the same sentences sent as plain text (what users and the app send), entities "
             "matched by label and character span.",
             *source_notes(refs)]
    return Table("NER (CoNLL-2003)", headers, body, notes)


def srl_tables(rows) -> list[Table]:
    overall, per_role = [], []
    for row in rows:
        e = row.entries.get("srl")
        if not e:
            continue
        cells = row.cells()
        overall.append([row.label, e["split"]] + [cell(cells, [f"srl/{m}"])
                                                  for m in ("precision", "recall", "f1", "raw_text_f1")])
        roles = sorted({k[:-3] for k in e["scores"] if k.endswith("_f1") and not k.startswith("raw_text_")},
                       key=lambda r: (-e.get("counts", {}).get(f"{r}_number", 0), r))
        for role in roles:
            scores = [cell(cells, [f"srl/{role}_{m}"]) for m in ("precision", "recall", "f1")]
            per_role.append([row.label, role, *scores, str(int(e.get("counts", {}).get(f"{role}_number", 0)))])
    note = ["Universal PropBank English-EWT, span P/R/F1 (predicate excluded); F1 raw text: the sentences sent "
            "as plain text, roles matched by character span. No published reference for this data."]
    return [Table("SRL", ["Model", "Split", "P", "R", "F1", "F1 raw text"], overall, note),
            Table("SRL per role", ["Model", "Role", "P", "R", "F1", "Gold spans"], per_role)]


BESPOKE = ("glue", "squad", "ner", "srl")  # benchmarks with their own tables above


def benchmark_table(rows, tasks) -> Table:
    """One benchmark's table from the registry: its tasks' headline metrics, one line per model and task."""
    metrics = list(dict.fromkeys(m for t in tasks for m in t.headline_metrics))
    several = len(tasks) > 1
    body = []
    for row in rows:
        for t in tasks:
            if t.name in row.entries:
                cells = [cell(row.cells(), [f"{t.name}/{m}"]) for m in metrics]
                body.append([row.label, *([t.name] if several else []), row.entries[t.name]["split"], *cells])
            for split, e in extra_splits(row.entries.get(t.name, {})).items():
                values = {f"{t.name}/{m}": percent(t.name, e, sc["value"]) for m, sc in e["scores"].items()}
                body.append([row.label, *([t.name] if several else []), split,
                             *[cell(values, [f"{t.name}/{m}"]) for m in metrics]])
    first = tasks[0]
    title = first.display_name if several else first.display_name + (f" ({first.dataset})" if first.dataset else "")
    notes = [t.score_note for t in tasks if t.score_note]
    return Table(title, ["Model", *(["Task"] if several else []), "Split", *metrics], body, notes)


def registry_tables(rows) -> list[Table]:
    from .selection import groups

    from bertkit.tasks.base import get_task

    return [benchmark_table(rows, [get_task(n) for n in names])
            for group, names in groups().items() if group not in BESPOKE]


def details_table(rows) -> Table:
    body = []
    for row in rows:
        scored = [(task, e) for task, top in row.entries.items() for e in (top, *extra_splits(top).values())]
        for task, e in scored:
            metric = e["primary_metric"]
            score = e["scores"].get(metric) or {"value": None}
            ci = score.get("ci")
            ci_text = DASH if not ci else f"[{percent(task, e, ci[0]):.1f}, {percent(task, e, ci[1]):.1f}]"
            body.append([row.label, task, e["version"], e["split"], str(e["n_examples"]), metric,
                         number(percent(task, e, score["value"]), 2), ci_text,
                         number(e.get("examples_per_s")), number(e.get("wall_s"))])
        body += [[row.label, task, DASH, DASH, DASH, DASH, f"skipped: {reason.split(':')[0]}", "", "", ""]
                 for task, reason in row.skipped.items()]
    return Table("Per-task details", ["Model", "Task", "Version", "Split", "n", "Metric", "Value", "95% CI",
                                      "Examples/s", "Wall s"], body)


def build_tables(rows: list[ModelRow], reference_name: str | None = None) -> list[Table]:
    check_name(reference_name)
    return [glue_table(rows, reference_name), squad_table(rows, reference_name), ner_table(rows, reference_name),
            *srl_tables(rows), *registry_tables(rows), details_table(rows)]


def write_leaderboard(results_dir, formats: list[str], output=None, reference_name=None):
    """Write the tables in each format and the PNG plots; returns (tables, written paths)."""
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise OptionError(f"unknown format(s) {unknown}; valid: {', '.join(FORMATS)}")
    rows = collect(results_dir)
    if not rows:
        raise FileNotFoundError(f"no results files in {results_dir} (write some with `python -m evaluation run`)")
    tables = build_tables(rows, reference_name)
    base = Path(results_dir)
    output = Path(output) if output else (base if base.is_dir() else base.parent) / "leaderboard"
    output.mkdir(parents=True, exist_ok=True)
    written = []
    for fmt in formats:
        render, ext = FORMATS[fmt]
        if fmt == "csv":  # one CSV per table: a spreadsheet reads one table per file
            for t in tables:
                path = output / f"{slug(t.title)}.csv"
                path.write_text(render(t))
                written.append(path)
            continue
        text = "\n".join(render(t) for t in tables)
        if fmt == "html":
            text = f"<!doctype html>\n<meta charset='utf-8'>\n<title>Leaderboard</title>\n{text}"
        path = output / f"leaderboard.{ext}"
        path.write_text(text)
        written.append(path)
    from .plots import plot_scores_vs_references, plot_score_vs_speed

    written.append(plot_scores_vs_references(rows, output / "scores_vs_references.png", reference_name))
    written.append(plot_score_vs_speed(rows, output / "score_vs_speed.png"))
    return tables, written


def slug(title: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in title.lower()).strip("-").replace("--", "-")

