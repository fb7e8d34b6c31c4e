"""Trainer plumbing for `bertkit.training.Run`: the Trainer subclass that evaluates with the serving
predictor, the callback that checkpoints, budgets and catches signals, and the resumable sampler.

Every decision that must be the same on every DDP process goes through `agree` (one all-reduce).
"""
from __future__ import annotations

import signal
import sys
import threading
import time
from pathlib import Path

from . import _env  # noqa: F401  (before transformers)
from transformers import Trainer, TrainerCallback  # noqa: E402  (this module is imported only to train)
from .checkpoints import AtomicCheckpoints  # noqa: E402
from .staging import NonFiniteLoss  # noqa: E402


class RunControl(TrainerCallback):
    """Checkpoints every N steps / M minutes, the --max-minutes budget, and SIGINT/SIGTERM.

    Each decision is agreed by every process (one small all-reduce per step under DDP), so the ranks
    save and stop at the same step.
    """

    def __init__(self, save_every: int | None, save_seconds: float, budget_seconds: float | None):
        self.save_every, self.save_seconds, self.budget = save_every, save_seconds, budget_seconds
        self.signum, self.previous = None, {}
        self.started = self.last_save = time.time()

    def install(self):
        if threading.current_thread() is threading.main_thread():  # signals reach the main thread only
            for s in (signal.SIGINT, signal.SIGTERM):
                self.previous[s] = signal.signal(s, self.handle)

    def uninstall(self):
        for s, handler in self.previous.items():
            signal.signal(s, handler)
        self.previous = {}

    def handle(self, signum, frame):
        if self.signum is not None:
            raise KeyboardInterrupt  # a second signal: stop at once
        self.signum = signum
        print(f"\n{signal.Signals(signum).name}: finishing this step and saving a checkpoint "
              "(send it again to stop at once)", file=sys.stderr)

    def on_train_begin(self, args, state, control, **kwargs):
        self.started = self.last_save = time.time()

    def on_step_end(self, args, state, control, **kwargs):
        now = time.time()
        flags = [self.signum is not None,
                 bool(self.save_every and state.global_step % self.save_every == 0) or now - self.last_save >= self.save_seconds,
                 self.budget is not None and now - self.started >= self.budget]
        stop, save, over = agree(flags)
        if stop and self.signum is None:
            self.signum = signal.SIGTERM  # another rank was signalled
        if save or stop:
            control.should_save = True
        if stop:
            control.should_training_stop = True
        if over and not control.should_training_stop:
            control.should_training_stop = control.should_evaluate = control.should_save = True
        return control

    def on_epoch_end(self, args, state, control, **kwargs):
        if self.signum is not None:  # stopping on a signal: saved at the step already; no extra evaluation,
            control.should_evaluate = control.should_save = False  # which an uninterrupted run would not have
        return control

    def on_save(self, args, state, control, **kwargs):
        self.last_save = time.time()


def agree(flags: list[bool]) -> list[bool]:
    """Each flag true if it is true on any process."""
    import torch.distributed as dist

    if not (dist.is_available() and dist.is_initialized()) or dist.get_world_size() == 1:
        return flags
    import torch

    tensor = torch.tensor([int(f) for f in flags])
    dist.all_reduce(tensor, op=dist.ReduceOp.MAX)
    return [bool(x) for x in tensor.tolist()]


def gather(value: int, world: int) -> list[int]:
    import torch.distributed as dist

    if world == 1 or not dist.is_initialized():
        return [value]
    values = [None] * world
    dist.all_gather_object(values, value)
    return values


class EpochSeededSampler:
    """`LengthGroupedSampler`'s order (mega-batches of similar lengths), drawn from seed + epoch."""

    def __init__(self, batch_size: int, lengths, seed: int):
        self.batch_size, self.lengths, self.seed, self.epoch = batch_size, list(lengths), seed, 0

    def set_epoch(self, epoch: int):  # called by accelerate's data loader at each epoch
        self.epoch = int(epoch)

    def __len__(self):
        return len(self.lengths)

    def __iter__(self):
        import torch
        from transformers.trainer_pt_utils import get_length_grouped_indices

        generator = torch.Generator().manual_seed(self.seed + self.epoch)
        return iter(get_length_grouped_indices(self.lengths, self.batch_size, generator=generator))


class EvaluatingTrainer(AtomicCheckpoints, Trainer):
    """Evaluates with the task's own predictor and metric instead of the loss."""

    rows_seen = 0  # training rows this process computed a loss on (this session)

    def _get_train_sampler(self, train_dataset=None):
        """Length-grouped batches whose order depends on (seed, epoch) only, so a resumed run sees the
        same batches as an uninterrupted one (the stock sampler draws from the global RNG)."""
        from transformers.trainer_pt_utils import LengthGroupedSampler

        sampler = super()._get_train_sampler(train_dataset)
        if isinstance(sampler, LengthGroupedSampler):
            return EpochSeededSampler(sampler.batch_size, lengths=sampler.lengths, seed=self.args.seed)
        return sampler

    def training_step(self, model, inputs, num_items_in_batch=None):
        loss = super().training_step(model, inputs, num_items_in_batch)
        import torch

        if not torch.isfinite(loss).all():  # the Trainer would log it away (logging_nan_inf_filter) and go on
            r = self.bertkit_recipe
            raise NonFiniteLoss(f"training diverged at step {self.state.global_step + 1}: the loss is "
                                f"{loss.item()}; nothing was published. Lower --lr (it was {r.lr}) or "
                                f"--weight-decay ({r.weight_decay}) and run again")
        return loss

    def compute_loss(self, model, inputs, return_outputs=False, **kwargs):
        if model.training and "input_ids" in inputs:
            self.rows_seen += int(inputs["input_ids"].shape[0])
        family_loss = self.bertkit_task.family.compute_loss
        if family_loss is None or return_outputs:
            return super().compute_loss(model, inputs, return_outputs=return_outputs, **kwargs)
        return family_loss(model, inputs)

    def evaluate(self, eval_dataset=None, ignore_keys=None, metric_key_prefix="eval"):
        from .models import ModelSource
        from .predictor import Predictor

        task = self.bertkit_task
        dataset = eval_dataset if eval_dataset is not None else self.eval_dataset
        model = self.accelerator.unwrap_model(self.model)
        was_training = model.training
        predictor = Predictor(task, model, self.processing_class, ModelSource("training", Path("."), "local"))
        scores = task.family.evaluate(predictor, dataset, batch_size=64, **task.train_defaults.get("eval_options", {}))
        model.train(was_training)
        metrics = {f"{metric_key_prefix}_{k}": v for k, v in scores.items()}
        metrics[f"{metric_key_prefix}_examples"] = len(dataset)
        self.log(metrics)
        self.control = self.callback_handler.on_evaluate(self.args, self.state, self.control, metrics)
        return metrics
