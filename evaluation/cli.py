"""Command line: `python -m evaluation {run,leaderboard,compare,submit}`.

    python -m evaluation run --model default --tasks glue,squad,ner,srl,translation,fill-mask
    python -m evaluation run --model runs/sst2 --tasks sst2 --limit 200 --output results/
    torchrun --nproc_per_node 4 -m evaluation run --model runs/sst2 --tasks glue   (data-parallel)
    python -m evaluation leaderboard results/ --format md,csv,html,latex --output results/leaderboard
    python -m evaluation compare results/A.json results/B.json
    python -m evaluation submit --model default --output glue-submission/
"""
from __future__ import annotations

import argparse
import os

import bertkit  # noqa: F401  (offline-safe environment before any Hugging Face import)

from bertkit.precision import PRECISIONS


def cmd_run(args) -> int:
    from .render import run_table, to_text
    from .runner import run

    run_file = run(settings_from(args))
    if os.environ.get("RANK", "0") != "0":  # under torchrun rank 0 scores, writes and prints
        return 0
    print(to_text(run_table(run_file.data)))
    if run_file.path.exists():
        print(f"results: {run_file.path}")
    else:
        print(f"nothing new: every task was already scored in {args.output} (no results file written)")
    return 0


def cmd_leaderboard(args) -> int:
    from .leaderboard import write_leaderboard

    from .render import to_text

    formats = [f.strip() for f in args.format.split(",") if f.strip()]
    tables, written = write_leaderboard(args.results, formats, args.output, args.reference)
    for table in tables:
        print(to_text(table))
    print("written:", *map(str, written), sep="\n  ")
    return 0


def cmd_compare(args) -> int:
    from .compare import compare, compare_table
    from .render import to_text

    print(to_text(compare_table(compare(args.run_a, args.run_b, args.seed))))
    return 0


def cmd_submit(args) -> int:
    from .submit import submit

    for line in submit(args.model, args.data_dir, args.output, args.tasks, args.batch_size):
        print(line)
    return 0


def positive_int(text: str) -> int:
    value = int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text}")
    return value


def add_run_options(parser: argparse.ArgumentParser) -> None:
    """One option per RunSettings field (evaluation/runner.py), with its help, type and default."""
    import dataclasses

    from .runner import RunSettings

    for f in dataclasses.fields(RunSettings):
        meta = dict(f.metadata)
        flag = meta.pop("flag", f"--{f.name.replace('_', '-')}")
        if not flag:
            continue
        kw = {"dest": f.name, "help": meta.pop("help")}
        if f.type in (bool, "bool"):  # a default-True switch: its flag turns it off
            parser.add_argument(flag, action="store_false", default=f.default, **kw)
            continue
        kind = meta.pop("type", None)
        kw["type"] = positive_int if kind == "positive" else kind or str
        if meta.pop("choices", None) == "precisions":
            kw["choices"] = PRECISIONS
        parser.add_argument(flag, default=f.default, **kw, **meta)


def settings_from(args: argparse.Namespace):
    import dataclasses

    from .runner import RunSettings

    names = {f.name for f in dataclasses.fields(RunSettings)} - {"command"}
    return RunSettings(**{k: v for k, v in vars(args).items() if k in names})


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m evaluation",
                                     description="Score BERT checkpoints on GLUE, SQuAD, NER, SRL, translation "
                                                 "and fill-mask; render leaderboards; compare runs.")
    sub = parser.add_subparsers(dest="command", required=True)

    r = sub.add_parser("run", help="score a model and write one results JSON (+ predictions)")
    add_run_options(r)
    r.set_defaults(func=cmd_run)

    b = sub.add_parser("leaderboard", help="tables and plots from every results file in a folder")
    b.add_argument("results", help="results folder (or one results file)")
    b.add_argument("--format", default="md", help="comma-separated: md, csv, html, latex (default: %(default)s)")
    b.add_argument("--output", help="folder for tables and PNG plots (default: RESULTS/leaderboard)")
    b.add_argument("--reference", help="reference row the deltas are taken against (default: per table)")
    b.set_defaults(func=cmd_leaderboard)

    c = sub.add_parser("compare", help="paired bootstrap: is run B better than run A, per task?")
    c.add_argument("run_a", help="results JSON of run A")
    c.add_argument("run_b", help="results JSON of run B")
    c.add_argument("--seed", type=int, default=0)
    c.set_defaults(func=cmd_compare)

    s = sub.add_parser("submit", help="GLUE test-set prediction files for gluebenchmark.com")
    s.add_argument("--model", default="default", help="default | local folder | hub id (default: %(default)s)")
    s.add_argument("--data-dir", help="benchmark data folder (default $BERTKIT_DATA_DIR or ../shared/data)")
    s.add_argument("--output", required=True, help="folder for CoLA.tsv, SST-2.tsv, …")
    s.add_argument("--tasks", default="glue", help="GLUE tasks to predict (default: all seven here)")
    s.add_argument("--batch-size", type=positive_int)
    s.set_defaults(func=cmd_submit)
    return parser


def main(argv=None) -> int:
    from bertkit.cli import guarded

    args = build_parser().parse_args(argv)
    return guarded(args.func, args, "interrupted: the results file holds every task finished so far")
