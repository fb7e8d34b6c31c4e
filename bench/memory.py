"""Resident memory with every shipped default head loaded at once in one process (target < 1.5 GB).
Heads share the encoder's embeddings and layer norms; each adds its own linear weights (its LoRA
adapter merged into them once at load: fp32, or half that in bf16) and its head. Prints RSS (what
the target counts) and USS (memory unique to the process) after each load, and each head's precision.

    python -m bench memory [--precision auto|fp32|bf16]
"""
import warnings

import psutil


def main(args) -> int:
    import bertkit
    from bertkit.errors import MissingHeadError

    from .machine import banner

    banner()  # before any head is loaded: the peak's own buffers are freed again

    warnings.simplefilter("ignore")
    proc = psutil.Process()
    loaded, missing = [], []
    for task in bertkit.task_names():
        try:
            predictor = bertkit.load(task, args.model, precision=args.precision)
        except MissingHeadError:
            missing.append(task)
            continue
        predictor(list(predictor.task.examples)[:1])  # one forward, so buffers are counted too
        info = proc.memory_full_info()
        loaded.append(task)
        print(f"  + {task:12s} {predictor.precision:5s} rss {info.rss / 2**20:7.0f} MB   uss {info.uss / 2**20:7.0f} MB")
    rss = proc.memory_info().rss / 2**30
    print(f"{len(loaded)} heads loaded ({', '.join(loaded)}); no head yet: {', '.join(missing) or 'none'}")
    print(f"resident memory {rss:.2f} GB (target < 1.5 GB): {'ok' if rss < 1.5 else 'OVER'}")
    return 0 if rss < 1.5 else 1
