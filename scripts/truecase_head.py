"""Give a translation head trained before bertkit learnt casing tables the table training now writes.

    python scripts/truecase_head.py bertkit/heads/translation [--data-dir ../shared/data] [--overwrite]

Reads the head's task, builds the table from that task's training split exactly as `bertkit train`
does at the end of a run (`Family.train_meta`), and writes it into the head's bertkit.json (atomic).
A head whose bertkit.json already holds a different table is left alone unless --overwrite.
"""
import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bertkit.tasks.base import get_task  # noqa: E402
from bertkit.files import atomic_write  # noqa: E402


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("head", type=Path, help="a trained head folder (bertkit.json + adapter)")
    ap.add_argument("--data-dir", help="benchmark data folder (default $BERTKIT_DATA_DIR or ../shared/data)")
    ap.add_argument("--overwrite", action="store_true", help="replace a different table already there")
    args = ap.parse_args(argv)
    meta_path = args.head / "bertkit.json"
    if not meta_path.is_file():
        sys.exit(f"{meta_path}: not found; pass a folder that `bertkit train` wrote")
    meta = json.loads(meta_path.read_text())
    task = get_task(meta["task"])
    from bertkit.models import ModelSource, base_model_path, load_tokenizer

    folder = args.head if (args.head / "tokenizer.json").exists() else base_model_path(ModelSource(str(args.head), args.head, "local", meta))
    tokenizer = load_tokenizer(folder)
    learnt = task.family.train_meta(task, tokenizer, task.load("train", args.data_dir))
    if not learnt:
        print(f"{args.head}: the {task.name} family learns nothing besides weights for this tokenizer; unchanged")
        return 0
    clash = [k for k in learnt if k in meta and meta[k] != learnt[k]]
    if clash and not args.overwrite:
        sys.exit(f"{meta_path} already holds a different {', '.join(clash)}; pass --overwrite to replace it")
    meta.update(learnt)
    atomic_write(meta_path, json.dumps(meta, indent=2, ensure_ascii=False) + "\n")
    print(f"{meta_path}: " + ", ".join(f"{k} ({len(v)} entries)" if isinstance(v, dict) else k for k, v in learnt.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
