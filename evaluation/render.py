"""Tables as data, and their renderings: aligned text (stdout), Markdown, CSV, HTML and LaTeX.

Every table the suite prints or writes is a `Table` (title, headers, rows of strings, notes);
`run_table` is the one `run` prints: `Task | Version | Metric | Value | ±CI`.
"""
from __future__ import annotations

import csv
import html
import io
from dataclasses import dataclass, field

from .results import headline, percent

DASH = "—"  # a task or metric that was not run: shown, never zeroed


@dataclass
class Table:
    title: str
    headers: list[str]
    rows: list[list[str]]
    notes: list[str] = field(default_factory=list)


def number(value, digits: int = 1) -> str:
    """A value to print: DASH when absent, 'n/a' when undefined (NaN, e.g. Pearson of a constant)."""
    if value is None:
        return DASH
    return "n/a" if value != value else f"{value:.{digits}f}"


def to_text(t: Table) -> str:
    widths = [max(len(str(r[i])) for r in [t.headers] + t.rows) for i in range(len(t.headers))]
    line = lambda r: " | ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip()  # noqa: E731
    out = [t.title, line(t.headers), "-+-".join("-" * w for w in widths)] + [line(r) for r in t.rows]
    return "\n".join(out + t.notes) + "\n"


def to_markdown(t: Table) -> str:
    cell = lambda c: str(c).replace("|", "\\|")  # noqa: E731
    out = [f"### {t.title}", "", "| " + " | ".join(map(cell, t.headers)) + " |",
           "|" + "|".join("---" for _ in t.headers) + "|"]
    out += ["| " + " | ".join(map(cell, r)) + " |" for r in t.rows]
    return "\n".join(out + ([""] + [f"- {n}" for n in t.notes] if t.notes else [])) + "\n"


def to_csv(t: Table) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(t.headers)
    writer.writerows(t.rows)
    return buffer.getvalue()


def to_html(t: Table) -> str:
    esc = lambda c: html.escape(str(c))  # noqa: E731
    head = "".join(f"<th>{esc(h)}</th>" for h in t.headers)
    body = "\n".join("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in r) + "</tr>" for r in t.rows)
    notes = "".join(f"<li>{esc(n)}</li>" for n in t.notes)
    return (f"<h3>{esc(t.title)}</h3>\n<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>\n"
            + (f"<ul>{notes}</ul>\n" if notes else ""))


_LATEX = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_", "{": r"\{",
          "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}", "—": "---", "Δ": r"$\Delta$",
          "±": r"$\pm$", "†": r"$^\dagger$"}


def latex_escape(text) -> str:
    return "".join(_LATEX.get(ch, ch) for ch in str(text))


def to_latex(t: Table) -> str:
    row = lambda r: " & ".join(latex_escape(c) for c in r) + r" \\"  # noqa: E731
    lines = [f"% {latex_escape(t.title)}", r"\begin{tabular}{l" + "r" * (len(t.headers) - 1) + "}", r"\toprule",
             row(t.headers), r"\midrule"] + [row(r) for r in t.rows] + [r"\bottomrule", r"\end{tabular}"]
    return "\n".join(lines + [f"% {latex_escape(n)}" for n in t.notes]) + "\n"


FORMATS = {"md": (to_markdown, "md"), "csv": (to_csv, "csv"), "html": (to_html, "html"), "latex": (to_latex, "tex")}


def run_table(results: dict) -> Table:
    """The end-of-run table: headline metrics of every task on a 0-100 scale, ± half the 95% CI."""
    rows = []
    for name, entry in results["tasks"].items():
        if entry["status"] != "scored":
            reason = entry["reason"] if len(entry["reason"]) <= 60 else entry["reason"][:59] + "…"
            rows.append([name, entry.get("version", ""), DASH, f"skipped: {reason}", ""])
            continue
        for metric in headline(name, entry):
            score = entry["scores"].get(metric)
            if score is None:
                continue
            value, ci = percent(name, entry, score["value"]), score.get("ci")
            half = None if ci is None else percent(name, entry, (ci[1] - ci[0]) / 2)
            shown = "undefined" if value is None else f"{value:.2f}"  # e.g. Pearson of constant predictions
            label = name if entry.get("head_trained", True) else f"{name} (untrained head: random)"
            rows.append([label, entry["version"], metric, shown, DASH if half is None else f"±{half:.2f}"])
    notes = ["Values on a 0-100 scale; ±CI is half the width of the 95% bootstrap interval "
             "(exact bounds in the JSON)."]
    return Table(f"Results: {results['manifest']['model']['id']}", ["Task", "Version", "Metric", "Value", "±CI"],
                 rows, notes)
