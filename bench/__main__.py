"""python -m bench serve [--model M] [--limit N] [--repeats R] | python -m bench memory"""
import argparse
import sys

from .memory import main as memory
from .serve import main as serve


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench")
    sub = parser.add_subparsers(dest="what", required=True)
    s = sub.add_parser("serve", help="bertkit predictor vs transformers.pipeline on SST-2 dev")
    s.add_argument("--model", default="default")
    s.add_argument("--data-dir")
    s.add_argument("--limit", type=int, help="first N sentences only (default: all 872)")
    s.add_argument("--repeats", type=int, default=3, help="best of R runs per setting")
    m = sub.add_parser("memory", help="resident memory with every shipped head loaded at once")
    m.add_argument("--model", default="default")
    args = parser.parse_args(argv)
    return serve(args) if args.what == "serve" else memory(args)


sys.exit(main())
