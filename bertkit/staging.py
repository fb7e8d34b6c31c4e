"""What a training run may remove or replace, and what it leaves when it fails.

A run writes only into OUTPUT.partial/ (its staging folder) and, on success, swaps the finished
folder into OUTPUT. These rules keep anything a user made out of reach:
- OUTPUT (or OUTPUT.partial) naming something that is not a folder is refused, --overwrite or not:
  a run only ever replaces folders, and only bertkit run folders (checked in `Run.decide`);
- a run that fails removes the staging folder it created itself, when it holds no checkpoint to
  resume from (or when its loss diverged, so resuming would diverge again); a staging folder an
  earlier run left (this command resuming it) is kept; an interrupted run keeps its own for resume;
- a write that fails for want of space or permission is one BertkitError naming the path;
- a run whose weights or loss became NaN/inf publishes nothing (`check_finite`, and the per-step check
  in `EvaluatingTrainer.training_step`).
"""
from __future__ import annotations

import errno
import os
import shutil
import sys
from pathlib import Path

from .errors import BertkitError
from .recipe import RecipeError


def partial_dir(output: Path) -> Path:
    return output.with_name(output.name + ".partial")


def check_output(out: Path, overwrite: bool) -> None:
    """RecipeError unless OUTPUT and OUTPUT.partial are folders or absent, under a folder."""
    for path, what in ((out, "--output"), (partial_dir(out), "its staging folder")):
        if path.is_symlink() and not path.exists():
            raise RecipeError(f"{what} {path} is a broken symbolic link; remove it or choose another --output")
        if path.exists() and not path.is_dir():
            raise RecipeError(f"{what} {path} exists and is not a folder (a file bertkit does not replace, "
                              f"--overwrite or not); choose another --output, or move that file away")
    parent = out.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if parent.exists() and not parent.is_dir():
        raise RecipeError(f"--output {out}: {parent} is a file, not a folder; choose another --output")


def discard_failed(partial: Path, created: bool, diverged: bool = False, quiet: bool = False) -> None:
    """After a failed run: remove `partial` if this run created it and nothing in it is worth resuming."""
    from .checkpoints import last_complete

    if not partial.is_dir():
        return
    resumable = last_complete(partial / "checkpoints", say=lambda *a, **k: None)
    if created and (resumable is None or diverged):
        shutil.rmtree(partial, ignore_errors=True)
        return
    if quiet:
        return
    why = f"it holds {Path(resumable).name}" if resumable else "an earlier run of this command made it (still running?)"
    print(f"kept {partial}: {why}; the same command resumes from it, --overwrite discards it", file=sys.stderr)


def disk_error(error: OSError, out: Path) -> BertkitError:
    """One clear error for a write that failed: full disk, read-only or forbidden folder."""
    path = error.filename or out
    if error.errno == errno.ENOSPC or error.errno == errno.EDQUOT:
        what = "the disk is full"
        todo = "free some space (a full-model checkpoint of the shipped encoder is ~300 MB) or choose --output elsewhere"
    elif error.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        what = "the folder is read-only or not yours to write"
        todo = "choose an --output you can write to"
    else:
        what = error.strerror or type(error).__name__
        todo = "check the path, or choose another --output"
    return BertkitError(f"cannot write {path}: {what} ({type(error).__name__}); {todo}. Nothing was published "
                        f"to {out}")


class NonFiniteLoss(BertkitError):
    """The loss or the weights became NaN/inf: nothing is published."""


def check_finite(trainer, recipe) -> None:
    """NonFiniteLoss if a trained weight, or the loss on one training batch, is NaN/inf: the last step's
    update is never seen by a loss during training, and a diverged run must not publish a model."""
    import torch

    model = trainer.accelerator.unwrap_model(trainer.model)
    advice = f"nothing was published. Lower --lr (it was {recipe.lr}) or --weight-decay ({recipe.weight_decay}) " \
             "and run again"
    for name, param in model.named_parameters():
        if param.requires_grad and not torch.isfinite(param).all():
            raise NonFiniteLoss(f"training diverged: weight {name} became NaN/inf; {advice}")
    was_training = model.training
    model.eval()
    with torch.no_grad():
        batch = trainer._prepare_inputs(next(iter(trainer.get_train_dataloader())))
        loss = trainer.compute_loss(model, batch)
    model.train(was_training)
    if not torch.isfinite(loss).all():
        raise NonFiniteLoss(f"training diverged: the loss of the trained model is {loss.item()}; {advice}")


def as_os_error(error: BaseException) -> OSError | None:
    """The OSError behind a failed write, also when a library reports it in its own type (safetensors:
    "I/O error: No space left on device (os error 28)")."""
    import re

    from .errors import BertkitError

    if isinstance(error, BertkitError):  # ModelError is an OSError too, but it says what is wrong itself
        return None
    if isinstance(error, OSError):
        return error
    found = re.search(r"os error (\d+)", str(error))
    return OSError(int(found.group(1)), os.strerror(int(found.group(1)))) if found else None
