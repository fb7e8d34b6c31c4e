"""Run several `bertkit train` recipes side by side under one time budget; ship the best one per task.

    python scripts/train_sweep.py run scripts/sweep_heads.json --minutes 7 --lanes 8 --runs ../runs/sweep --pack OUT/heads.tar
    python scripts/train_sweep.py ship ../runs/sweep [TASK ...]

`run` starts each recipe of the plan (a JSON list of {"name", "task", "args"}) as the documented
command `python -m bertkit train TASK --lora --half --output RUNS/NAME ARGS --max-minutes M`, where M
is the budget left when it starts less a margin for its last evaluation, LANES at a time, in plan
order (put the long ones first). Made for a GPU box, where many small runs share one GPU, but it runs
anywhere. With --pack, each finished run's adapter, bertkit.json, card and log tail are appended to a
tar at once, so a run cut short still returns what finished (parts of at most 15 MiB: PACK, PACK.1.tar, …).

`ship` picks, per task, the run with the best score on the task's *tune* split (never the reported
dev/test split) and copies its adapter, bertkit.json and card into bertkit/heads/TASK; with --int8
the adapter's large weights (LoRA factors, pooler, cross-attention) are rewritten in int8.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tarfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
HEADS_DIR = ROOT / "bertkit" / "heads"
SHIPPED = ("adapter.safetensors", "bertkit.json", "README.md")
MARGIN_MINUTES = 1.0  # left for the last evaluation + saving after the time budget stops training
PACK_PART_BYTES = 15 * 2**20  # a device box returns files of at most 16 MiB: the pack rolls over to a new part


def pack_part(pack: Path, adding: int) -> Path:
    """The tar to append `adding` bytes to: PACK, then PACK.1.tar, PACK.2.tar, … as each fills up."""
    part, n = pack, 0
    while part.exists() and part.stat().st_size + adding > PACK_PART_BYTES:
        n += 1
        part = pack.with_name(f"{pack.stem}.{n}{pack.suffix}")
    return part


def run(plan_file: str, minutes: float, lanes: int, runs: str, pack: str | None) -> list[dict]:
    plan = json.loads(Path(plan_file).read_text())
    runs_dir = Path(runs)
    runs_dir.mkdir(parents=True, exist_ok=True)
    deadline = time.time() + minutes * 60
    lock = threading.Lock()
    summary: list[dict] = []

    def one(job: dict) -> dict:
        left = (deadline - time.time()) / 60 - MARGIN_MINUTES
        out, log = runs_dir / job["name"], runs_dir / f"{job['name']}.log"
        if left < 0.5:
            print(json.dumps({"name": job["name"], "skipped": "no time left"}), flush=True)
            return {}
        cmd = [sys.executable, "-m", "bertkit", "train", job["task"], "--lora", "--half", "--output", str(out),
               *map(str, job.get("args", [])), "--max-minutes", f"{left:.2f}"]
        env = dict(os.environ, OMP_NUM_THREADS="2", TOKENIZERS_PARALLELISM="false", TQDM_DISABLE="1")
        start = time.time()
        with open(log, "w") as f:
            f.write(" ".join(cmd) + "\n")
            f.flush()
            code = subprocess.call(cmd, cwd=ROOT, stdout=f, stderr=subprocess.STDOUT, env=env)
        meta_file = out / "bertkit.json"
        row = {"name": job["name"], "task": job["task"], "args": job.get("args", []), "exit": code,
               "seconds": round(time.time() - start, 1)}
        if code == 0 and meta_file.exists():
            row["metrics"] = json.loads(meta_file.read_text())["metrics"]
        with lock:
            summary.append(row)
            print(json.dumps(row), flush=True)
            if pack:
                tail = runs_dir / f"{job['name']}.tail.log"
                tail.write_text("".join(log.read_text(errors="replace").splitlines(True)[-300:]))
                files = [(out / name, name) for name in SHIPPED if (out / name).exists()] + [(tail, "train.log")]
                with tarfile.open(pack_part(Path(pack), sum(f.stat().st_size + 1024 for f, _ in files)), "a") as tar:
                    for path, name in files:
                        tar.add(path, arcname=f"{job['name']}/{name}")
                Path(pack).with_name("summary.json").write_text(json.dumps(summary, indent=1))
        return row

    with ThreadPoolExecutor(lanes) as pool:
        list(pool.map(one, plan))
    return summary


def tune_score(meta: dict) -> float | None:
    from bertkit.tasks.base import get_task

    value = meta.get("metrics", {}).get(f"eval_{get_task(meta['task']).primary_metric}")
    return float(value) if value is not None else None


SELECTION = "## Selection"


def selection_section(runs: str, task: str, chosen: str, int8: bool) -> str:
    """The card section naming every run of `task` in the sweep with its tune score, and the one shipped."""
    from bertkit.tasks.base import get_task

    split = get_task(task).tune_split
    lines = [SELECTION, "", f"Chosen by the score on the `{split}` split among the runs of `scripts/train_sweep.py` "
             f"(the reported split played no part):", "", "| run | recipe | tune score | |", "|---|---|---|---|"]
    for meta_file in sorted(Path(runs).glob("*/bertkit.json")):
        meta = json.loads(meta_file.read_text())
        if meta["task"] != task or own_data(meta):
            continue
        card = (meta_file.parent / "README.md").read_text()
        recipe = card.split("```")[1].strip().split(" --output ")[-1].split(" ", 1)[-1] if "```" in card else ""
        name, score = meta_file.parent.name, tune_score(meta)
        shown = f"{score:.4f}" if score is not None else "— (no tune score)"
        lines.append(f"| {name} | `{recipe}` | {shown} | {'**shipped**' if name == chosen else ''} |")
    if int8:
        lines += ["", "The shipped adapter stores its large weights (LoRA factors, pooler, new layers) in int8 "
                  "with one fp16 scale per row (`ship --int8`)."]
    return "\n".join(lines) + "\n"


def own_data(meta: dict) -> bool:
    """A run on the user's own files (e.g. an intermediate SICK run): its tune score is on other data."""
    from bertkit.tasks.base import get_task

    task = get_task(meta["task"])
    if "labels" in meta and list(meta["labels"]) != list(task.labels):
        return True
    names = set()
    for files in task.files.values():
        names.update(Path(f).name for f in ((files,) if isinstance(files, str) else files))
    return not set(meta.get("fingerprint", {}).get("data", {})) <= names


def shipped_score(task: str) -> float | None:
    """The tune score of the head shipped now, when it was trained for this version of the task."""
    from bertkit.tasks.base import get_task

    meta_file = HEADS_DIR / task / "bertkit.json"
    if not meta_file.is_file():
        return None
    meta = json.loads(meta_file.read_text())
    if str(meta.get("task_version", "1")) != str(get_task(task).version):
        print(f"the shipped {task} head is for task version {meta.get('task_version', '1')}: its tune score "
              "is not comparable, so the best new run replaces it")
        return None
    return tune_score(meta)


def card_previous_line(task: str, previous: float | None) -> str:
    if previous is None:
        return ""
    return (f"\nThe head shipped before scored {previous:.4f} on the same split (its own card, in git history); "
            "this run replaced it because it scored higher.\n")


def ship(runs: str, tasks: list[str], int8: bool = False) -> None:
    """Per task, copy the best run (tune score) into bertkit/heads/TASK unless the head there is as good."""
    best: dict[str, tuple[float, Path]] = {}
    for meta_file in sorted(Path(runs).glob("*/bertkit.json")):
        meta = json.loads(meta_file.read_text())
        if own_data(meta):
            print(f"{meta_file.parent.name:>16}  {meta['task']:<12} skipped: trained on its own files, not the task's splits")
            continue
        score = tune_score(meta)
        print(f"{meta_file.parent.name:>16}  {meta['task']:<12} tune {score}")
        if score is not None and (not tasks or meta["task"] in tasks):
            if meta["task"] not in best or score > best[meta["task"]][0]:
                best[meta["task"]] = (score, meta_file.parent)
    for task, (score, folder) in sorted(best.items()):
        target = HEADS_DIR / task
        previous = shipped_score(task)
        if previous is not None and previous >= score:
            print(f"kept the shipped {task} head: its tune score {previous:.4f} >= {score:.4f} of {folder.name}")
            continue
        target.mkdir(parents=True, exist_ok=True)
        lines = card_previous_line(task, previous)
        for name in SHIPPED:
            shutil.copy(folder / name, target / name)
        if int8:
            from bertkit.lora import requantize_file

            requantize_file(target / "adapter.safetensors")
        card = target / "README.md"
        card.write_text(card.read_text().rstrip() + "\n\n" + selection_section(runs, task, folder.name, int8) + lines)
        size = (target / "adapter.safetensors").stat().st_size
        print(f"shipped {task} from {folder.name} (tune {score:.4f}, {size / 1e6:.2f} MB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run")
    r.add_argument("plan")
    r.add_argument("--minutes", type=float, required=True, help="wall-clock budget for the whole sweep")
    r.add_argument("--lanes", type=int, default=max(1, (os.cpu_count() or 2) // 2))
    r.add_argument("--runs", default="../runs/sweep")
    r.add_argument("--pack", help="tar to append each finished run to")
    s = sub.add_parser("ship")
    s.add_argument("runs")
    s.add_argument("tasks", nargs="*")
    s.add_argument("--int8", action="store_true", help="store the shipped adapters' large weights in int8")
    args = parser.parse_args()
    if args.command == "run":
        run(args.plan, args.minutes, args.lanes, args.runs, args.pack)
    else:
        ship(args.runs, args.tasks, args.int8)


if __name__ == "__main__":
    main()
