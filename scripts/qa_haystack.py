"""F1 of a shipped QA head on questions alone and hidden in long haystacks (evaluation/haystack.py).

    .venv/bin/python scripts/qa_haystack.py --task squad --split dev --n 300
    .venv/bin/python scripts/qa_haystack.py --task squad_v2 --split tune --n 200

Prints, for the same questions, F1 on the paragraph alone and in a haystack of about --words words
(the question's paragraph at the start, middle or end), and for squad_v2 the answerable F1 and how
often unanswerable questions are abstained on. --scoring picks how windows are compared (the
candidates tried when the comparison was chosen, on tune splits only: see bertkit/families/qa.py).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--task", default="squad", choices=("squad", "squad_v2"))
    p.add_argument("--split", default="dev", choices=("tune", "dev"))
    p.add_argument("--n", type=int, default=300, help="questions (per kind for squad_v2)")
    p.add_argument("--words", type=int, default=2500)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--scoring", default=None, help="window comparisons to try, comma-separated: window,raw,relative (default: the family's)")
    p.add_argument("--json", default=None, help="also write the figures here")
    args = p.parse_args(argv)

    import bertkit
    from bertkit.tasks.base import get_task
    from evaluation.haystack import compare, filler_paragraphs, sample

    predictor = bertkit.load(args.task)
    scorings = args.scoring.split(",") if args.scoring else None
    data = get_task(args.task).load(args.split)
    fillers = filler_paragraphs()
    kinds = {"all": None} if args.task == "squad" else {"answerable": True, "unanswerable": False}
    report = {"task": args.task, "split": args.split}
    for kind, answerable in kinds.items():
        t0 = time.time()
        r = compare(predictor, sample(data, args.n, args.seed, answerable), fillers, args.words, args.seed, scorings)
        by_scoring = r if scorings else {getattr(predictor.task.family, "scoring", "main"): r}
        for scoring, r in by_scoring.items():
            for side in ("alone", "haystack"):
                r[side].pop("answers")
            print(f"{args.task} {args.split} {kind} [{scoring}]: n={r['n']} haystack words={r['words']:.0f}  "
                  f"F1 alone {r['alone']['f1']:.1f}  haystack {r['haystack']['f1']:.1f}  "
                  f"abstain alone {r['alone']['abstain']:.3f}  haystack {r['haystack']['abstain']:.3f}", flush=True)
        report[kind] = dict(by_scoring, seconds=round(time.time() - t0, 1))
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
