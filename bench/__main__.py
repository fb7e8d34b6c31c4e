"""python -m bench eval [--sentences N] [--qa-questions N] [--limit N] | python -m bench train [--rows N] [--steps S] | python -m bench serve [--model M] [--limit N] [--qa-limit N] [--repeats R] [--no-onnx] | python -m bench memory [--precision P]"""
import argparse
import importlib
import sys


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench")
    sub = parser.add_subparsers(dest="what", required=True)
    s = sub.add_parser("serve", help="peers table: pipeline, bertkit fp32/bf16/auto, ONNX Runtime fp32/int8 on SST-2 dev; QA")
    s.add_argument("--model", default="default")
    s.add_argument("--data-dir")
    s.add_argument("--limit", type=int, help="first N sentences only (default: all 872)")
    s.add_argument("--repeats", type=int, default=3, help="best of R runs per setting")
    s.add_argument("--qa-limit", type=int, default=300,
                   help="SQuAD held-out questions for the QA block (default %(default)s; 0 skips it)")
    s.add_argument("--no-onnx", action="store_true", help="skip the ONNX Runtime rows (each needs an export)")
    s.add_argument("--strict", action="store_true", help="exit 1 when a ratio target is missed")
    t = sub.add_parser("train", help="run_glue-style Trainer vs bertkit.train full/LoRA at each precision on MRPC")
    t.add_argument("--data-dir")
    t.add_argument("--rows", type=int, default=1024, help="first N MRPC train pairs (default %(default)s)")
    t.add_argument("--steps", type=int, default=30, help="optimiser steps per run (default %(default)s)")
    t.add_argument("--batch-size", type=int, default=32)
    t.add_argument("--no-baseline", action="store_true", help="bertkit runs only (ratios against full fp32)")
    t.add_argument("--repeats", type=int, default=1,
                   help="interleaved rounds of the bertkit runs; the fastest of each counts (a shared CPU's load changes)")
    t.add_argument("--lora-first", action="store_true",
                   help="run LoRA before full fine-tuning (does the order of runs in one process matter?)")
    t.add_argument("--strict", action="store_true", help="exit 1 when a ratio target is missed")
    e = sub.add_parser("eval", help="translation decoding vs transformers generate(); time per task of a default run")
    e.add_argument("--model", default="default")
    e.add_argument("--data-dir")
    e.add_argument("--sentences", type=int, default=200, help="translation test sentences decoded (0 skips it)")
    e.add_argument("--beams", type=int, default=4)
    e.add_argument("--qa-questions", type=int, default=400,
                   help="squad dev questions for the QA batching comparison (0 skips it)")
    e.add_argument("--batch-size", type=int, default=64)
    e.add_argument("--repeats", type=int, default=2, help="interleaved decoding rounds; the fastest counts")
    e.add_argument("--tasks", default="all", help="tasks of the timed evaluation run (default: all)")
    e.add_argument("--limit", type=int, default=100, help="examples per task in the timed run (default %(default)s)")
    e.add_argument("--skip-run", action="store_true", help="decoding comparison only")
    ls = sub.add_parser("lora-step", help="one full vs one LoRA optimiser step, interleaved in one process")
    ls.add_argument("--data-dir")
    ls.add_argument("--rounds", type=int, default=5)
    ls.add_argument("--batch-size", type=int, default=32)
    ls.add_argument("--threads", help="comma-separated torch thread counts, interleaved (default: torch's)")
    m = sub.add_parser("memory", help="resident memory with every shipped head loaded at once")
    m.add_argument("--model", default="default")
    m.add_argument("--precision", help="auto | fp32 | bf16 (default: $BERTKIT_PRECISION, else auto)")
    args = parser.parse_args(argv)
    return importlib.import_module(f"bench.{args.what.replace('-', '_')}").main(args)  # only the bench asked for is imported


sys.exit(main())
