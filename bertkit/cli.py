"""Command line: `python -m bertkit {tasks,train,predict,export}`.

    python -m bertkit tasks
    python -m bertkit train sst2 --lora --output runs/sst2
    python -m bertkit predict sst2 "a charming film" --model runs/sst2
    python -m bertkit predict squad --question "Who?" --context "..."
    python -m bertkit export sst2 --format onnx --output exports/sst2 [--int8]
"""
from __future__ import annotations

import argparse
import json
import sys

from . import _env  # noqa: F401
from .errors import BertkitError
from .precision import PRECISIONS
from .tasks.base import all_tasks, get_task, task_names


def cmd_tasks(args) -> int:
    rows = [("task", "family", "input", "labels", "metric", "train data", "description")]
    for t in all_tasks():
        labels = ",".join(t.labels) if len(t.labels) <= 4 else f"{len(t.labels)} tags"
        rows.append((t.name, type(t.family).__name__, "+".join(t.inputs), labels or "-", t.metric + (f"/{t.metric_config}" if t.metric_config else ""),
                     "yes" if t.trainable else "eval only", t.description))
    widths = [max(len(r[i]) for r in rows) for i in range(6)]
    for n, row in enumerate(rows):
        print("  ".join(c.ljust(w) for c, w in zip(row[:6], widths)) + "  " + row[6])
        if n == 0:
            print("  ".join("-" * w for w in widths) + "  " + "-" * 11)
    return 0


def cmd_train(args) -> int:
    from .training import train

    columns = dict(kv.split("=", 1) for kv in args.column or [])
    result = train(args.task, model=args.model, output=args.output, data_dir=args.data_dir,
                   train_file=args.train_file, validation_file=args.validation_file, columns=columns,
                   hub_data=args.hub_data,
                   epochs=args.epochs, lr=args.lr, batch_size=args.batch_size, max_length=args.max_length,
                   max_steps=args.max_steps, max_minutes=args.max_minutes, seed=args.seed, lora=args.lora, lora_r=args.lora_r, half=args.half, int8=args.int8,
                   train_limit=args.train_limit, eval_limit=args.eval_limit, allow_pickle=args.allow_pickle)
    result.pop("log_history", None)
    print(json.dumps(result, indent=2))
    return 0


def parse_inputs(task, args) -> list:
    """Inputs from the command line, or one JSON value per line of --file ('-' = stdin)."""
    if args.file:
        stream = sys.stdin if args.file == "-" else open(args.file, encoding="utf-8")
        return [json.loads(line) if line.lstrip().startswith(("{", "[", '"')) else line.rstrip("\n")
                for line in stream if line.strip()]
    if args.question is not None or args.context is not None:
        return [{"question": args.question or "", "context": args.context or ""}]
    if args.text_pair is not None:
        return [{"text": t, "text_pair": args.text_pair} for t in args.text]
    if args.predicate is not None:
        return [{"text": t, "predicate": args.predicate} for t in args.text]
    if not args.text:
        raise BertkitError(f"give a text, or --file; e.g. {json.dumps(task.examples[0]) if task.examples else ''}")
    return list(args.text)


def cmd_predict(args) -> int:
    from .api import load

    task = get_task(args.task)
    inputs = parse_inputs(task, args)
    options = {k: v for k, v in (("top_k", args.top_k), ("num_beams", args.num_beams), ("threshold", args.threshold)) if v is not None}
    predictor = load(task.name, args.model, allow_pickle=args.allow_pickle, precision=args.precision)
    outputs = predictor(inputs, batch_size=args.batch_size, progress=len(inputs) > 256, **options)  # tqdm on stderr
    for out in outputs:
        print(json.dumps(out, ensure_ascii=False))
    return 0


def cmd_export(args) -> int:
    from .onnx import export

    folder = export(args.task, model=args.model, output=args.output, int8=args.int8, allow_pickle=args.allow_pickle)
    print(json.dumps({"output": str(folder), "format": args.format, "precision": "int8" if args.int8 else "fp32"}))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bertkit", description="Fine-tune and serve BERT task heads.")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("tasks", help="list the registered tasks").set_defaults(func=cmd_tasks)

    t = sub.add_parser("train", help="fine-tune a task head (Trainer; resumes from OUTPUT/checkpoints)")
    t.add_argument("task", help=f"one of: {', '.join(task_names())}")
    t.add_argument("--model", default="default", help="default | local folder | hub id (default: %(default)s)")
    t.add_argument("--output", help="result folder (default runs/TASK)")
    t.add_argument("--data-dir", help="benchmark data folder (default $BERTKIT_DATA_DIR or ../shared/data)")
    t.add_argument("--train-file", help="your own CSV/TSV/JSONL training file")
    t.add_argument("--validation-file", help="your own CSV/TSV/JSONL evaluation file")
    t.add_argument("--hub-data", action="store_true",
                   help="train on the task's hub dataset (nyu-mll/glue, rajpurkar/squad, …); needs the Hub")
    t.add_argument("--column", action="append", metavar="NAME=COLUMN",
                   help="map a task field to a column of your files, e.g. --column text=review --column label=stars")
    t.add_argument("--epochs", type=float)
    t.add_argument("--lr", type=float, help="learning rate (task default)")
    t.add_argument("--batch-size", type=int)
    t.add_argument("--max-length", type=int, help="tokens per training example")
    t.add_argument("--max-steps", type=int, default=-1)
    t.add_argument("--max-minutes", type=float,
                   help="time budget: stop after M minutes with a last evaluation, keeping the best checkpoint")
    t.add_argument("--seed", type=int, default=42)
    t.add_argument("--lora", action="store_true", help="train a LoRA adapter + head (a few MB) instead of all weights")
    t.add_argument("--lora-r", type=int, help="LoRA rank (task default, else 16)")
    t.add_argument("--half", action="store_true", help="store the LoRA adapter in fp16")
    t.add_argument("--int8", action="store_true", help="store the adapter's large weights in int8 (+ fp16 row scales)")
    t.add_argument("--train-limit", type=int, help="use only the first N training rows")
    t.add_argument("--eval-limit", type=int, help="evaluate on the first N rows only")
    t.add_argument("--allow-pickle", action="store_true", help="allow loading .bin (pickle) weights you trust")
    t.set_defaults(func=cmd_train)

    p = sub.add_parser("predict", help="predict and print one JSON object per input")
    p.add_argument("task", help=f"one of: {', '.join(task_names())}")
    p.add_argument("text", nargs="*", help="input text(s)")
    p.add_argument("--model", default="default")
    p.add_argument("--text-pair", help="second text for pair tasks")
    p.add_argument("--question")
    p.add_argument("--context")
    p.add_argument("--predicate", type=int, help="srl: word index of the predicate (default: every predicate)")
    p.add_argument("--file", help="one input per line (plain text or JSON); '-' reads stdin")
    p.add_argument("--batch-size", type=int)
    p.add_argument("--top-k", type=int)
    p.add_argument("--num-beams", type=int)
    p.add_argument("--threshold", type=float, help="squad_v2: no-answer probability above which to abstain")
    p.add_argument("--allow-pickle", action="store_true")
    p.add_argument("--precision", choices=PRECISIONS,
                   help="auto (default, or $BERTKIT_PRECISION): bf16 where the CPU/GPU runs it fast and the "
                        "task's head was measured safe in it, else fp32")
    p.set_defaults(func=cmd_predict)

    e = sub.add_parser("export", help="export a task model to ONNX, served by onnxruntime via --model DIR")
    e.add_argument("task", help=f"one of: {', '.join(task_names())} (not translation)")
    e.add_argument("--model", default="default", help="default | local folder | hub id (default: %(default)s)")
    e.add_argument("--format", choices=["onnx"], default="onnx")
    e.add_argument("--int8", action="store_true", help="quantize the linear weights to int8 (onnxruntime dynamic)")
    e.add_argument("--output", required=True, help="folder to write (an existing one only if it holds the same export)")
    e.add_argument("--allow-pickle", action="store_true")
    e.set_defaults(func=cmd_export)
    return parser


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (BertkitError, FileNotFoundError, KeyError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
