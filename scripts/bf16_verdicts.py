"""Measure every shipped head in bf16 against fp32 and write the verdict into its bertkit.json.

    python scripts/bf16_verdicts.py [--tasks sst2,rte] [--data-dir D] [--dry-run]

For each head: `python -m evaluation run --precision fp32` and `--precision bf16` on the same examples
of its reported split (the whole split for the GLUE tasks; LIMITS evenly spaced examples for the
long ones, where bf16 on a CPU without AMX is several times slower than fp32). The verdict
`"bf16_ok"` is true when the primary score moves by at most TOLERANCE points; `"bf16_check"` keeps
the numbers (both scores, the share of identical predictions, the examples, the CPU, the date), so a
reader can see what the verdict rests on. `bertkit.load(..., precision="auto")` reads `bf16_ok`
(`bertkit.api.choose_precision`); a model without it is served in fp32 under `auto`.

bf16 on a CPU rounds the weights and activations the same way with or without AMX (the products
accumulate in fp32 either way), so a verdict measured on an AVX2 CPU holds on an AMX one.
"""
from __future__ import annotations

import argparse
import datetime
import sys
import tempfile
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TOLERANCE = 0.3  # points of the primary metric (0-100 scale)
REGRESSION_SAME = 0.05  # stsb: 1 % of its 0-5 scale
LIMITS = {"squad": 400, "squad_v2": 400, "ner": 500, "srl": 500, "translation": 200, "fill-mask": 300}


def score(task: str, precision: str, data_dir, out: str):
    """(primary metric, value on the 0-100 scale, predictions, examples) of one evaluation run."""
    from evaluation.results import read_predictions
    from evaluation.runner import RunSettings, run

    settings = RunSettings(model="default", tasks=task, limit=LIMITS.get(task), precision=precision,
                           output=out, progress=False, data_dir=data_dir,
                           command=["scripts/bf16_verdicts.py", task, precision])
    with open("/dev/null", "w") as log:
        run_file = run(settings, log=log)
    entry = run_file.data["tasks"][task]
    if entry["status"] != "scored":
        raise SystemExit(f"{task} {precision}: {entry.get('reason')}")
    primary = entry["primary_metric"]
    predictions = read_predictions(run_file.folder / entry["predictions"]).predictions
    return primary, entry["scores"][primary]["value"] * entry["scale"], predictions, entry["n_examples"]


def words(value):
    """A prediction without its probabilities: what a user reads (labels, spans, tokens, text)."""
    if isinstance(value, dict):
        return {k: words(v) for k, v in value.items() if not isinstance(v, float)}
    if isinstance(value, list):
        return [words(v) for v in value]
    return value


def same(a, b) -> bool:
    """The same prediction: equal labels/spans/tokens/text; a regression score within REGRESSION_SAME."""
    if isinstance(a, float) and isinstance(b, float):
        return abs(a - b) <= REGRESSION_SAME
    return words(a) == words(b)


def main(argv=None) -> int:
    from bertkit.files import read_json, write_json
    from bertkit.precision import describe

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", help="comma-separated heads (default: every folder in bertkit/heads)")
    parser.add_argument("--data-dir")
    parser.add_argument("--dry-run", action="store_true", help="print the verdicts, write nothing")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    heads = ROOT / "bertkit" / "heads"
    tasks = args.tasks.split(",") if args.tasks else sorted(p.name for p in heads.iterdir() if (p / "bertkit.json").is_file())
    cpu = describe()
    print(f"bf16 against fp32 on {cpu}; verdict: |bf16 - fp32| <= {TOLERANCE} points")
    print(f"  {'task':12s} {'metric':22s} {'examples':>8s} {'fp32':>7s} {'bf16':>7s} {'diff':>6s} {'same':>6s}  bf16_ok")
    for task in tasks:
        with tempfile.TemporaryDirectory() as tmp:
            metric, fp32, fp32_pred, n = score(task, "fp32", args.data_dir, tmp)
            _, bf16, bf16_pred, _ = score(task, "bf16", args.data_dir, tmp)
        agree = sum(same(a, b) for a, b in zip(fp32_pred, bf16_pred)) / max(1, len(fp32_pred))
        ok = abs(bf16 - fp32) <= TOLERANCE
        print(f"  {task:12s} {metric:22s} {n:8d} {fp32:7.2f} {bf16:7.2f} {bf16 - fp32:+6.2f} {100 * agree:5.1f}%  {ok}",
              flush=True)
        if args.dry_run:
            continue
        path = heads / task / "bertkit.json"
        meta = read_json(path)
        meta["bf16_ok"] = ok
        meta["bf16_check"] = {"metric": metric, "examples": n, "fp32": round(fp32, 2), "bf16": round(bf16, 2),
                              "same_predictions": round(agree, 4), "tolerance": TOLERANCE, "cpu": cpu,
                              "date": datetime.date.today().isoformat(), "command": "python scripts/bf16_verdicts.py"}
        write_json(path, meta, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
