"""Checkpoints that a kill cannot corrupt, and LoRA checkpoints that hold only what is trained.

The stock Trainer writes checkpoint-N/ file by file in place: a SIGKILL (or a full disk) half-way
leaves a folder with a 0-byte optimizer.pt and no trainer_state.json that every later resume picks
as "the last checkpoint" and fails on. Here a checkpoint is written into `.saving-checkpoint-N/`,
every file fsynced, then renamed to `checkpoint-N/` in one step: the folder either is complete or
does not exist. On resume `last_complete` skips (and names) any checkpoint that is not complete
anyway, e.g. one written by an older bertkit.

A LoRA run's checkpoint holds `adapter.safetensors` (LoRA matrices + head, fp32) plus the optimizer,
scheduler and RNG state, not the full frozen model (~93 MB for the shipped encoder): the frozen
weights come back from the base model when the run is rebuilt, so resuming reaches the same weights.
"""
from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path

ADAPTER = "adapter.safetensors"
STATE = "trainer_state.json"
SAVING = ".saving-"  # prefix of a checkpoint being written
CHECKPOINT = re.compile(r"^checkpoint-(\d+)$")


def fsync_tree(folder: Path) -> None:
    """Flush every file under `folder`, then the folders themselves, to the disk."""
    for root, dirs, files in os.walk(folder):
        for name in files:
            fd = os.open(os.path.join(root, name), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        fsync_dir(Path(root))


def fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def incomplete_reason(folder: Path) -> str | None:
    """Why `folder` is not a checkpoint a run can resume from (None: it is complete)."""
    import json

    state = folder / STATE
    if not state.is_file():
        return f"no {STATE}"
    try:
        json.loads(state.read_text())
    except (OSError, ValueError):
        return f"{STATE} is unreadable"
    empty = sorted(p.name for p in folder.iterdir() if p.is_file() and p.stat().st_size == 0)
    if empty:
        return f"empty file(s) {', '.join(empty)}"
    if not any((folder / n).is_file() for n in (ADAPTER, "model.safetensors", "pytorch_model.bin",
                                                 "model.safetensors.index.json")):
        return "no weights"
    return None


def last_complete(folder: Path, say=print) -> str | None:
    """The newest complete checkpoint-N in `folder` (a path string), naming each incomplete one skipped."""
    folder = Path(folder)
    if not folder.is_dir():
        return None
    found = sorted(((int(m.group(1)), p) for p in folder.iterdir() if (m := CHECKPOINT.match(p.name)) and p.is_dir()),
                   reverse=True)
    for _, path in found:
        reason = incomplete_reason(path)
        if reason is None:
            return str(path)
        say(f"skipping {path}: a half-written checkpoint ({reason}); resuming from the one before it",
            file=sys.stderr)
    return None


class AtomicCheckpoints:
    """Mixin for a transformers Trainer: atomic checkpoint folders; LoRA-only weights when `bertkit_lora`."""

    bertkit_lora: dict | None = None  # the LoRA settings of the run (bertkit.lora.add_lora), or None

    def _save_checkpoint(self, model, trial) -> None:
        from transformers.trainer_callback import ExportableState
        from transformers.trainer_utils import PREFIX_CHECKPOINT_DIR
        from transformers.trainer_utils import rotate_checkpoints

        name = f"{PREFIX_CHECKPOINT_DIR}-{self.state.global_step}"
        run_dir = Path(self._get_output_dir(trial=trial))
        final, staging = run_dir / name, run_dir / (SAVING + name)
        main = self.args.should_save
        if main:
            shutil.rmtree(staging, ignore_errors=True)  # left by a run killed while saving
            staging.mkdir(parents=True)
        self.accelerator.wait_for_everyone()
        self.store_flos()
        self.save_model(str(staging), _internal_call=True)
        if not self.args.save_only_model:
            self._save_optimizer_and_scheduler(str(staging))
            self._save_scaler(str(staging))
            self._save_rng_state(str(staging))
        if self.state.best_global_step:
            best = run_dir / f"{PREFIX_CHECKPOINT_DIR}-{self.state.best_global_step}"
            if best.exists() or best == final:
                self.state.best_model_checkpoint = str(best)
        if main:
            for cb in [c for c in self.callback_handler.callbacks + [self.control] if isinstance(c, ExportableState)]:
                cb_name = cb.__class__.__name__
                if isinstance(self.state.stateful_callbacks[cb_name], list):
                    self.state.stateful_callbacks[cb_name].append(cb.state())
                else:
                    self.state.stateful_callbacks[cb_name] = cb.state()
            self.state.save_to_json(str(staging / STATE))  # written last: its presence marks a complete save
        self.accelerator.wait_for_everyone()  # every rank's files (RNG state) are in place
        if main:
            fsync_tree(staging)
            if final.exists():  # the same step saved twice (e.g. a signal at an evaluation step)
                shutil.rmtree(final)
            os.replace(staging, final)
            fsync_dir(run_dir)
            rotate_checkpoints(output_dir=str(run_dir), save_total_limit=self.args.save_total_limit,
                               best_model_checkpoint=self.state.best_model_checkpoint, use_mtime=True)
        self.accelerator.wait_for_everyone()

    def _save(self, output_dir: str | None = None, state_dict=None) -> None:
        if not self.bertkit_lora:
            return super()._save(output_dir, state_dict)
        from safetensors.torch import save_file

        from .lora import adapter_state

        if self.args.should_save:
            model = self.accelerator.unwrap_model(self.model)
            os.makedirs(output_dir, exist_ok=True)
            save_file(adapter_state(model, self.bertkit_lora), os.path.join(output_dir, ADAPTER),
                      metadata={"format": "pt"})

    def _load_adapter(self, folder: str, model=None) -> None:
        from safetensors.torch import load_file

        from .errors import ModelError
        from .lora import copy_into

        model = self.accelerator.unwrap_model(model if model is not None else self.model)
        try:
            state = load_file(os.path.join(folder, ADAPTER))
        except Exception as e:  # a truncated file: name it instead of safetensors' own message alone
            raise ModelError(f"{folder}/{ADAPTER}: cannot read this checkpoint ({e}); delete that folder "
                             "to resume from the one before it") from None
        try:
            copy_into(model, state, f"{folder}/{ADAPTER}")
        except ValueError as e:
            raise ModelError(str(e)) from None

    def _load_from_checkpoint(self, resume_from_checkpoint: str, model=None) -> None:
        if self.bertkit_lora and os.path.isfile(os.path.join(resume_from_checkpoint, ADAPTER)):
            return self._load_adapter(resume_from_checkpoint, model)
        return super()._load_from_checkpoint(resume_from_checkpoint, model)

    def _load_best_model(self) -> None:
        best = self.state.best_model_checkpoint
        if self.bertkit_lora and best and os.path.isfile(os.path.join(best, ADAPTER)):
            return self._load_adapter(best)
        return super()._load_best_model()
