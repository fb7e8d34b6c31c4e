"""Where the wall time of a whole `bertkit.train` call goes: the bench wraps the functions a run
calls (evaluation, checkpoint saving, loading the best checkpoint, the final save, model building)
with timers for the duration of one run, and puts back the originals afterwards. The optimiser
steps are timed by a Trainer callback (bench/train.py StepTimer); the rest is "other" (data loading
and tokenisation, process-group set-up, the card)."""
from __future__ import annotations

import contextlib
import time
from collections import defaultdict


def targets():
    """(owner, attribute, phase) of every function timed. Leaves only: none calls another timed one."""
    from transformers import Trainer

    from bertkit import lora, training

    return [
        (training.EvaluatingTrainer, "evaluate", "evaluation"),
        (Trainer, "_save_checkpoint", "checkpoint save"),
        (Trainer, "_load_best_model", "load best"),
        (Trainer, "_load_from_checkpoint", "load best"),
        (training.Run, "save", "final save"),
        (training, "publish", "final save"),
        (training.Run, "build_model", "build model"),
        (training.Run, "load_data", "load data"),
        (training, "speed_up", "build model"),
        (lora, "add_lora", "build model"),
    ]


@contextlib.contextmanager
def timed():
    """Yields {phase: seconds}, filled while the block runs."""
    seconds = defaultdict(float)
    depth = {"n": 0}  # a timed function reached from another timed one counts once
    saved = []
    for owner, name, phase in targets():
        original = owner.__dict__.get(name) if isinstance(owner, type) else getattr(owner, name, None)
        if original is None:
            continue
        saved.append((owner, name, original))
        setattr(owner, name, _wrap(original, phase, seconds, depth))
    try:
        yield seconds
    finally:
        for owner, name, original in reversed(saved):
            setattr(owner, name, original)


def _wrap(fn, phase, seconds, depth):
    def timed_call(*args, **kwargs):
        depth["n"] += 1
        start = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            depth["n"] -= 1
            if depth["n"] == 0:
                seconds[phase] += time.perf_counter() - start
    timed_call.__wrapped__ = fn
    return timed_call
