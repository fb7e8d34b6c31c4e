"""Measure every shipped head in bf16 against fp32 and write the verdict into its bertkit.json.

    python scripts/bf16_verdicts.py [--tasks sst2,rte] [--data-dir D] [--dry-run]

For each head: `python -m evaluation run --precision fp32` and `--precision bf16` on the same examples
of its reported split (the whole split for the GLUE tasks; LIMITS evenly spaced examples for the
long ones, where bf16 on a CPU without AMX is several times slower than fp32). The verdict
`"bf16_ok"` is true when the primary score moves by at most TOLERANCE points; `"bf16_check"` keeps
the numbers (both scores, the paired bootstrap interval of bf16 - fp32 from `evaluation compare`, the
share of identical predictions, the examples, the CPU, the date), so a
reader can see what the verdict rests on. `bertkit.load(..., precision="auto")` reads `bf16_ok`
(`bertkit.api.choose_precision`); a model without it is served in fp32 under `auto`.

bf16 on a CPU rounds the weights and activations the same way with or without AMX (the products
accumulate in fp32 either way), so a verdict measured on an AVX2 CPU holds on an AMX one.
"""
from __future__ import annotations

import argparse
import datetime
import os
import sys
import tempfile
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TOLERANCE = 0.3  # points of the primary metric (0-100 scale)
REGRESSION_SAME = 0.05  # stsb: 1 % of its 0-5 scale
LIMITS = {"squad": 400, "squad_v2": 400, "ner": 500, "srl": 500, "translation": 200, "fill-mask": 300}


def evaluate(task: str, precision: str, data_dir, out: str):
    """(results file, its entry for `task`, predictions) of one `python -m evaluation run`."""
    from evaluation.results import read_predictions
    from evaluation.runner import RunSettings, run

    settings = RunSettings(model="default", tasks=task, limit=LIMITS.get(task), precision=precision,
                           output=out, progress=False, data_dir=data_dir,
                           command=["scripts/bf16_verdicts.py", task, precision])
    with open(os.devnull, "w") as log:
        run_file = run(settings, log=log)
    entry = run_file.data["tasks"][task]
    if entry["status"] != "scored":
        raise SystemExit(f"{task} {precision}: not scored ({entry.get('reason')})")
    return run_file.path, entry, read_predictions(run_file.folder / entry["predictions"]).predictions


def measure(task: str, data_dir) -> dict:
    """fp32 and bf16 on the same examples; the difference of the primary metric with its paired
    bootstrap interval (`python -m evaluation compare`'s test)."""
    from evaluation.compare import compare

    with tempfile.TemporaryDirectory() as tmp:
        fp32_file, entry, fp32_pred = evaluate(task, "fp32", data_dir, tmp)
        bf16_file, _, bf16_pred = evaluate(task, "bf16", data_dir, tmp)
        rows = compare(fp32_file, bf16_file)["rows"]
    metric = entry["primary_metric"]
    row = next((r for r in rows if r["task"] == task and r["metric"] == metric and "a" in r), None)
    if row is None:
        raise SystemExit(f"{task}: evaluation compare found no paired {metric} for fp32 and bf16")
    low, high = (v * row["scale"] for v in row["delta_ci"])
    return {"metric": metric, "examples": row["n"], "fp32": row["a"] * row["scale"], "bf16": row["b"] * row["scale"],
            "delta_ci": [round(low, 2), round(high, 2)],
            "same_predictions": sum(same(a, b) for a, b in zip(fp32_pred, bf16_pred)) / max(1, len(fp32_pred))}


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
    print(f"  {'task':12s} {'metric':22s} {'examples':>8s} {'fp32':>7s} {'bf16':>7s} {'diff':>6s} "
          f"{'95 % CI':>16s} {'same':>6s}  bf16_ok")
    for task in tasks:
        path = heads / task / "bertkit.json"
        meta = read_json(path)
        if not isinstance(meta, dict):
            raise SystemExit(f"{path}: missing or not a JSON object; nothing was written for {task}")
        m = measure(task, args.data_dir)
        ok = abs(m["bf16"] - m["fp32"]) <= TOLERANCE
        print(f"  {task:12s} {m['metric']:22s} {m['examples']:8d} {m['fp32']:7.2f} {m['bf16']:7.2f} "
              f"{m['bf16'] - m['fp32']:+6.2f} [{m['delta_ci'][0]:+.2f}, {m['delta_ci'][1]:+.2f}] "
              f"{100 * m['same_predictions']:5.1f}%  {ok}", flush=True)
        if args.dry_run:
            continue
        meta["bf16_ok"] = ok
        meta["bf16_check"] = {"metric": m["metric"], "examples": m["examples"], "fp32": round(m["fp32"], 2),
                              "bf16": round(m["bf16"], 2), "delta_ci": m["delta_ci"],
                              "same_predictions": round(m["same_predictions"], 4), "tolerance": TOLERANCE,
                              "cpu": cpu, "date": datetime.date.today().isoformat(),
                              "command": "python scripts/bf16_verdicts.py"}
        write_json(path, meta, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
