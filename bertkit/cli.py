"""Command line: `python -m bertkit {tasks,train,predict,export}`.

    python -m bertkit tasks
    python -m bertkit train sst2 --lora --output runs/sst2
    python -m bertkit predict sst2 "a charming film" --model runs/sst2
    python -m bertkit predict squad --question "Who?" --context "..."
    python -m bertkit predict sst2 --file reviews.jsonl --output labels.jsonl [under torchrun: data-parallel]
    python -m bertkit export sst2 --format onnx --output exports/sst2 [--int8]
"""
from __future__ import annotations

import argparse
import json
import os
import sys

from . import _env  # noqa: F401
from .errors import BertkitError
from .precision import PRECISIONS
from .recipe import add_train_options
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
    import os

    from .recipe import recipe_kwargs

    is_main = os.environ.get("RANK", "0") == "0"  # under torchrun only rank 0 prints
    try:
        from .errors import TrainingInterrupted
        from .training import train

        result = train(args.task, **recipe_kwargs(args))
    except KeyboardInterrupt:
        if is_main:
            print("interrupted before the first checkpoint: nothing saved", file=sys.stderr)
        return 130
    except TrainingInterrupted as e:
        if is_main:
            print(f"interrupted: {e}", file=sys.stderr)
        return 128 + e.signum
    result.pop("log_history", None)
    if is_main:
        print(json.dumps(result, indent=2))
    return 0


def parse_inputs(task, args) -> list:
    """Inputs from the command line, or one JSON value per line of --file ('-' = stdin)."""
    if args.file:
        inputs = read_input_file(args.file)
        if not inputs:
            raise BertkitError(f"--file {args.file} has no inputs (it is empty or every line is blank)")
        return inputs
    if args.question is not None or args.context is not None:
        return [{"question": args.question or "", "context": args.context or ""}]
    if args.text_pair is not None:
        return [{"text": t, "text_pair": args.text_pair} for t in args.text]
    if args.predicate is not None:
        return [{"text": t, "predicate": args.predicate} for t in args.text]
    if not args.text:
        raise BertkitError(f"give a text, or --file; e.g. {json.dumps(task.examples[0]) if task.examples else ''}")
    return list(args.text)


def read_input_file(name: str) -> list:
    """One input per non-blank line: JSON when it starts with { [ or ", else the line's text.

    Bytes that are not UTF-8 become U+FFFD in that line only; a BOM and CRLF line ends are dropped;
    a line that looks like JSON but is not is an error naming the file and the line.
    """
    import io

    if name == "-":
        stream = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8-sig", errors="replace")
    else:
        try:
            stream = open(name, encoding="utf-8-sig", errors="replace")
        except IsADirectoryError:
            raise BertkitError(f"--file {name} is a folder; give a file with one input per line") from None
        except OSError as e:
            raise BertkitError(f"--file {name}: cannot read it ({e.strerror or e})") from None
    inputs = []
    with stream:
        for number, line in enumerate(stream, 1):
            line = line.rstrip("\r\n")
            if not line.strip():
                continue
            if not line.lstrip().startswith(("{", "[", '"')):
                inputs.append(line)
                continue
            try:
                inputs.append(json.loads(line))
            except ValueError as e:
                raise BertkitError(f"{name} line {number}: starts like JSON but is not valid JSON ({e}); "
                                   "write plain text or one JSON value per line") from None
    return inputs


def cmd_predict(args) -> int:
    from .api import load

    task = get_task(args.task)
    options = {k: v for k, v in (("top_k", args.top_k), ("num_beams", args.num_beams), ("threshold", args.threshold)) if v is not None}
    if args.output:
        return predict_to_file(task, args, options)
    inputs = parse_inputs(task, args)
    predictor = load(task.name, args.model, allow_pickle=args.allow_pickle, precision=args.precision,
                     label_map=args.label_map)
    outputs = predictor(inputs, batch_size=args.batch_size, progress=len(inputs) > 256, **options)  # tqdm on stderr
    for out in outputs:
        try:
            line = json.dumps(out, ensure_ascii=False, allow_nan=False)  # NaN is not JSON: a reader would choke
        except ValueError:
            raise BertkitError(f"{args.model}: the model's scores are NaN/inf, so its weights are not finite "
                               "(a diverged training run?); retrain it with a lower --lr") from None
        print(line)
    return 0


def predict_to_file(task, args, options) -> int:
    """--file IN --output OUT.jsonl: streamed, resumable, data-parallel under torchrun (bertkit/batch.py)."""
    from . import distributed
    from .api import load
    from .batch import predict_file

    if not args.file or args.file == "-" or args.text or args.question or args.context:
        raise BertkitError("--output writes the predictions of a --file (a path, not '-'); give --file IN.jsonl "
                           "with one input per line, or leave --output out to print to stdout")
    import os

    import torch

    main = os.environ.get("RANK", "0") == "0"  # under torchrun rank 0 writes and prints
    try:
        with distributed.session() as shard:
            torch.manual_seed(0)  # a head not trained yet starts the same on every rank (and every rerun)
            predictor = load(task.name, args.model, allow_pickle=args.allow_pickle, precision=args.precision,
                             cache=False, label_map=args.label_map)
            distributed.place(predictor, shard)
            summary = predict_file(predictor.task, predictor, args.file, args.output, args.batch_size, options,
                                   progress=not args.no_progress, shard=shard)
    except KeyboardInterrupt:
        if main:
            print(f"interrupted: the complete lines of {args.output} are kept; run the same command again to "
                  "continue after them", file=sys.stderr)
        return 130
    if main:
        print(json.dumps(summary))
    return 0


def cmd_export(args) -> int:
    from .onnx_export import export

    folder = export(args.task, model=args.model, output=args.output, int8=args.int8, allow_pickle=args.allow_pickle,
                    label_map=args.label_map, force=args.force)
    print(json.dumps({"output": str(folder), "format": args.format, "precision": "int8" if args.int8 else "fp32"}))
    return 0


LABEL_MAP_HELP = ("what the model's own head labels mean, e.g. LABEL_0=negative,LABEL_1=positive "
                  "(needed only when their names do not say it; see bertkit/labels.py)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bertkit", description="Fine-tune and serve BERT task heads.")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("tasks", help="list the registered tasks").set_defaults(func=cmd_tasks)

    t = sub.add_parser("train", help="fine-tune a task head (resumes an interrupted run; see --output)",
                       description="Fine-tune a task head. Options come from bertkit.recipe.Recipe; "
                                   "multi-process: torchrun --nproc_per_node N -m bertkit train ...")
    t.add_argument("task", help=f"one of: {', '.join(task_names())}")
    add_train_options(t)
    t.set_defaults(func=cmd_train)

    p = sub.add_parser("predict", help="predict and print one JSON object per input")
    p.add_argument("task", help=f"one of: {', '.join(task_names())}")
    p.add_argument("text", nargs="*", help="input text(s)")
    p.add_argument("--model", default="default", help="default | catalog | local folder | hub id")
    p.add_argument("--text-pair", help="second text for pair tasks")
    p.add_argument("--question")
    p.add_argument("--context")
    p.add_argument("--predicate", type=int, help="srl: word index of the predicate (default: every predicate)")
    p.add_argument("--file", help="one input per line (plain text or JSON); '-' reads stdin")
    p.add_argument("--output", help="write one JSON line per --file line to this file (streamed; a rerun continues "
                                    "after its last complete line; under torchrun the ranks share the work)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar for --output")
    p.add_argument("--batch-size", type=int)
    p.add_argument("--top-k", type=int)
    p.add_argument("--num-beams", type=int)
    p.add_argument("--threshold", type=float, help="squad_v2: no-answer probability above which to abstain")
    p.add_argument("--allow-pickle", action="store_true")
    p.add_argument("--label-map", metavar="HEAD=TASK,...", help=LABEL_MAP_HELP)
    p.add_argument("--precision", choices=PRECISIONS,
                   help="auto (default, or $BERTKIT_PRECISION): bf16 where the CPU/GPU runs it fast and the "
                        "model's bertkit.json says it was measured safe in it (\"bf16_ok\"), else fp32")
    p.set_defaults(func=cmd_predict)

    e = sub.add_parser("export", help="export a task model to ONNX, served by onnxruntime via --model DIR")
    e.add_argument("task", help=f"one of: {', '.join(task_names())} (not translation)")
    e.add_argument("--model", default="default", help="default | local folder | hub id (default: %(default)s)")
    e.add_argument("--format", choices=["onnx"], default="onnx")
    e.add_argument("--int8", action="store_true", help="quantize the linear weights to int8 (onnxruntime dynamic)")
    e.add_argument("--output", required=True, help="folder to write (an existing one only if it holds the same export)")
    e.add_argument("--allow-pickle", action="store_true")
    e.add_argument("--label-map", metavar="HEAD=TASK,...", help=LABEL_MAP_HELP)
    e.add_argument("--force", action="store_true", help="export even a head that was never trained (random)")
    e.set_defaults(func=cmd_export)
    return parser


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    return guarded(args.func, args)


def guarded(func, args, interrupted: str = "interrupted") -> int:
    """Run a CLI command: a user error is one line and rc 2, never a traceback; a bug is one line
    naming it as a bug (BERTKIT_TRACEBACK=1 shows the traceback). `python -m evaluation` uses it too."""
    try:
        return func(args)
    except KeyboardInterrupt:
        print(interrupted, file=sys.stderr)
        return 130
    except BrokenPipeError:  # `... | head`: the reader has gone; nothing to say
        sys.stderr.close()
        return 1
    except (BertkitError, OSError) as e:
        print(f"error: {one_line(e)}", file=sys.stderr)
        return 2
    except Exception as e:  # a bug, not a user error: one line, the traceback only on request
        if os.environ.get("BERTKIT_TRACEBACK"):
            raise
        print(f"error: unexpected {type(e).__name__}: {one_line(e)} (a bertkit bug: please report it; "
              "BERTKIT_TRACEBACK=1 shows the traceback)", file=sys.stderr)
        return 1


def one_line(error: BaseException) -> str:
    text = error.args[0] if isinstance(error, KeyError) and len(error.args) == 1 else error
    return " ".join(str(text).split()) or type(error).__name__
