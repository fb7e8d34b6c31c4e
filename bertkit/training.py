"""Fine-tuning: `python -m bertkit train TASK [options]` or `bertkit.train(TASK, ...)`.

Built on the transformers Trainer: dynamic padding and length-grouped batches, fused AdamW, bf16
autocast where the hardware runs it fast (`--precision`), evaluation through the same predictor that
serves (so training scores are serving scores), the best checkpoint kept. Runs under
`torchrun --nproc_per_node N -m bertkit train …` (DDP; gloo on CPU; only rank 0 writes and prints).

The run folder. OUTPUT holds only the finished artifact: safetensors weights (or, with LoRA, a few-MB
`adapter.safetensors`), the tokenizer, `bertkit.json` (with the run's fingerprint) and the model card.
While training, everything lives beside it in OUTPUT.partial/ (`run.json` = the fingerprint,
`checkpoints/`, `final/` = the staged artifact); on success `final/` replaces OUTPUT in one rename and
OUTPUT.partial/ is removed. The fingerprint (task, base model, data files' sha256, label set, the
recipe fields that define the run) decides what a rerun does: the same finished run is a no-op, the
same interrupted run resumes from its last checkpoint, anything else is refused unless `--overwrite`.
SIGINT/SIGTERM end the current step, save a checkpoint and exit with one line (`TrainingInterrupted`).
"""
from __future__ import annotations

import contextlib
import dataclasses
import json
import math
import os
import shutil
import signal
import sys
import time
from pathlib import Path

from . import _env  # noqa: F401  (before transformers)
from .checkpoints import fsync_tree, last_complete
from .data.hub import load_hub_split
from .data.schema import LINE, required_columns, to_task_schema, with_labels
from .errors import BertkitError, RecipeError, TrainingInterrupted
from .files import read_json, sha256, write_json
from .init_from import check_init_from, init_from_adapter
from .models import BERTKIT_FILE, check_weights, load_tokenizer, resolve
from .recipe import Recipe, make_recipe, recipe_command, run_fields  # noqa: F401 (re-exported)
from .run_identity import base_identity, describe_difference
from .speed import retained_memory, speed_up
from .staging import NonFiniteLoss, as_os_error, check_finite, check_output, discard_failed, disk_error, partial_dir  # noqa: F401
from .tasks.base import carve_tune, get_task
from .trainer import EvaluatingTrainer, RunControl, gather  # noqa: F401 (bench/phases.py times training.EvaluatingTrainer)

RUN_FILE = "run.json"  # OUTPUT.partial/run.json: the fingerprint of the run in progress
MAX_STEPS = 10**9  # more optimiser steps than any run here could take: a typo (--epochs 1e30), not a plan


def train(task, callbacks=None, **kwargs) -> dict:
    """Fine-tune `task`; returns {"output", "metrics", "train_seconds", "resumed_from", "log_history", ...}.

    kwargs: see `Recipe` (checked: a bad value or an unknown name is a RecipeError). `callbacks`:
    extra `transformers.TrainerCallback`s (progress, cancelling). A finished run with the same
    fingerprint is not trained again: the result then has "already_trained": True.
    """
    recipe = make_recipe(get_task(task).name, **kwargs)
    return Run(recipe, callbacks).run()


class Run:
    def __init__(self, recipe: Recipe, callbacks=None):
        self.callbacks = list(callbacks or [])
        self.task = task = get_task(recipe.task)
        self.recipe = r = recipe.with_task_defaults(task)
        if not task.trainable and not r.train_file:
            raise BertkitError(f"{task.name} has no training data in the data dir ({task.description}); "
                               "pass --train-file, or evaluate a model fine-tuned elsewhere")
        if r.validation_file and not r.train_file:
            raise RecipeError("--validation-file needs --train-file (benchmark runs use the task's tune split)")
        if r.init_from:
            check_init_from(r)
        check_output(Path(r.output), r.overwrite)

    # ---- data ----------------------------------------------------------------------------------
    def load_data(self):
        """(train rows, tune rows) in the task's schema; self.task gets the user's label set if declared."""
        r = self.recipe
        if r.train_file:
            files = {"train": r.train_file, "validation": r.validation_file}
            raw = {k: self.read_user(path) for k, path in files.items() if path}
            self.task = with_labels(self.task, r.labels, [(files[k], ds) for k, ds in raw.items()])
            rows = {k: to_task_schema(self.task, ds, files[k]) for k, ds in raw.items()}
            train_rows = rows["train"]
            if "validation" in rows:
                eval_rows = rows["validation"]
            else:  # a tune slice of the user's own file, never a benchmark split
                train_rows, eval_rows = carve_tune(train_rows, "train"), carve_tune(train_rows, "tune")
        else:
            if r.labels:
                raise RecipeError("--labels declares the label set of your own data: pass --train-file too")
            if r.hub_data:
                train_rows, eval_rows = load_hub_split(self.task, "train"), load_hub_split(self.task, "validation")
            else:
                train_rows, eval_rows = self.task.load("train", r.data_dir), self.task.load(self.task.tune_split, r.data_dir)
        if r.train_limit:
            train_rows = train_rows.select(range(min(r.train_limit, len(train_rows))))
        if r.eval_limit:
            eval_rows = eval_rows.select(range(min(r.eval_limit, len(eval_rows))))
        where = r.validation_file or r.train_file or f"the {self.task.tune_split} split"
        if len(train_rows) == 0:
            raise BertkitError(f"{r.train_file or 'the training split'}: no training rows")
        if len(eval_rows) == 0:
            raise BertkitError(f"{where}: no evaluation rows; the best checkpoint cannot be chosen on empty data")
        return train_rows, eval_rows

    def read_user(self, path):
        from .data.user import read_user_file

        return read_user_file(path, self.recipe.columns or None, required_columns(self.task), line_column=LINE)

    def data_files(self) -> list[Path]:
        r = self.recipe
        files = [Path(f) for f in (r.train_file, r.validation_file) if f]
        if not r.train_file and not r.hub_data:
            files += self.task.data_paths("train", r.data_dir)
            files += self.task.data_paths(self.task.tune_split, r.data_dir)
        return [f for f in dict.fromkeys(files) if f.exists()]

    # ---- identity ------------------------------------------------------------------------------
    def fingerprint(self, precision: str) -> dict:
        r = self.recipe
        recipe = {k: getattr(r, k) for k in run_fields() if k not in ("task", "model")}
        recipe["precision"] = precision  # what `auto` meant here
        recipe["labels"] = list(r.labels) if r.labels else None
        if r.init_from:  # the starting adapter's content, not only its path
            recipe["init_from"] = {"path": r.init_from, "sha256": sha256(Path(r.init_from) / "adapter.safetensors")}
        return {"task": self.task.name, "task_version": self.task.version, "base_model": base_identity(r.model),
                "data": {f.name: sha256(f) for f in self.data_files()},
                "labels": list(self.task.labels), "recipe": recipe}

    def decide(self, fp: dict) -> str:
        """'fresh' | 'resume' | 'done' for this fingerprint; RecipeError when the folder holds another run."""
        r, out = self.recipe, Path(self.recipe.output)
        partial = partial_dir(out)
        if out.is_dir() and any(out.iterdir()) and read_json(out / BERTKIT_FILE) is None:
            raise RecipeError(f"{out} holds files that are not a bertkit run (no readable {BERTKIT_FILE}); "
                              "bertkit never replaces them, --overwrite or not: choose another --output")
        if r.overwrite:
            return "fresh"
        if out.is_dir() and any(out.iterdir()):
            meta = read_json(out / BERTKIT_FILE)
            if "fingerprint" not in meta:
                raise RecipeError(f"{out} exists and is not a bertkit run folder with a fingerprint (an older "
                                  "bertkit, or other files); pass --overwrite to replace it once the new run has "
                                  "succeeded, or choose another --output")
            if meta["fingerprint"] == fp:
                return "done"
            raise RecipeError(f"{out} holds another run ({describe_difference(meta['fingerprint'], fp)}); "
                              "pass --overwrite to train afresh (that folder is replaced only once the new run "
                              "has succeeded), or choose another --output")
        if partial.is_dir():
            old = read_json(partial / RUN_FILE)
            if old == fp:
                return "resume"
            what = describe_difference(old, fp) if old else "no fingerprint"
            raise RecipeError(f"{partial} holds an unfinished different run ({what}); pass --overwrite to "
                              "discard it and start afresh, or choose another --output")
        return "fresh"

    # ---- the run -------------------------------------------------------------------------------
    def run(self) -> dict:
        import torch
        from accelerate import PartialState
        from transformers import set_seed

        from .precision import resolve_precision

        r = self.recipe
        state = PartialState(cpu=not torch.cuda.is_available())  # joins the process group under torchrun (gloo on CPU)
        world, is_main = state.num_processes, state.is_main_process
        if r.batch_size % world:
            raise RecipeError(f"--batch-size {r.batch_size} is the global batch: it must divide by the "
                              f"{world} processes")
        device = "cuda" if torch.cuda.is_available() else "cpu"
        precision = resolve_precision(r.precision, device)
        set_seed(r.seed)
        train_rows, eval_rows = self.load_data()
        fp = self.fingerprint(precision)
        out = Path(r.output)
        partial = partial_dir(out)
        check_output(out, r.overwrite)  # again: the data took a while to load
        action = self.decide(fp)
        state.wait_for_everyone()  # every rank has looked at the folder before rank 0 changes it
        if action == "done":
            meta = read_json(out / BERTKIT_FILE)
            message = f"{out} already holds this finished run (same task, data and recipe): nothing to do; " \
                      "pass --overwrite to train it again"
            if is_main:
                print(message, file=sys.stderr)
            return {"output": str(out), "metrics": meta.get("metrics", {}), "train_seconds": 0.0,
                    "resumed_from": None, "log_history": [], "already_trained": True, "message": message}
        try:
            return self.train_staged(action, fp, train_rows, eval_rows, precision, device, state)
        except TrainingInterrupted:
            raise  # OUTPUT.partial/ keeps the checkpoint: the same command resumes
        except BaseException as e:  # KeyboardInterrupt too: a second signal, or one before the first checkpoint
            if is_main:
                discard_failed(partial, created=action == "fresh", diverged=isinstance(e, NonFiniteLoss),
                               quiet=isinstance(e, KeyboardInterrupt))
            failed_write = as_os_error(e)
            if failed_write is not None:
                raise disk_error(failed_write, out) from None
            raise

    def train_staged(self, action, fp, train_rows, eval_rows, precision, device, state) -> dict:
        """Everything that writes: OUTPUT.partial/ (run.json, checkpoints, final/), then the publish."""
        from transformers import TrainingArguments

        r, task = self.recipe, self.task
        world, is_main = state.num_processes, state.is_main_process
        out = Path(r.output)
        partial = partial_dir(out)
        if is_main:
            if action == "fresh" and partial.exists():
                shutil.rmtree(partial)  # --overwrite: the user discards the unfinished run there
            partial.mkdir(parents=True, exist_ok=True)
            write_json(partial / RUN_FILE, fp)
        state.wait_for_everyone()

        source = resolve(r.model)
        tokenizer = load_tokenizer(source.path)
        model = self.build_model(source, train_rows)
        lora = None
        if r.lora:
            from .lora import add_lora

            lora = add_lora(model, task.family.head_modules, r=r.lora_r, alpha=2 * r.lora_r, dropout=r.lora_dropout)
        if r.init_from:
            init_from_adapter(model, r, is_main)
        if device == "cpu":
            speed_up(model, cls_only=task.family.reads_cls_only)  # same dropout drawn faster; same math (speed.py)
        features = task.family.train_features(task, tokenizer, train_rows, r.max_length)
        features = features.map(lambda b: {"length": [len(x) for x in b["input_ids"]]}, batched=True)

        steps_per_epoch = math.ceil(len(features) / r.batch_size)
        if r.max_steps <= 0 and steps_per_epoch * r.epochs > MAX_STEPS:
            raise RecipeError(f"--epochs {r.epochs} means {steps_per_epoch * r.epochs:.3g} steps of {r.batch_size} "
                              f"rows; give fewer epochs, or --max-steps (at most {MAX_STEPS:,})")
        if r.max_steps > MAX_STEPS:
            raise RecipeError(f"--max-steps {r.max_steps} is more than {MAX_STEPS:,} steps: give fewer")
        total_steps = r.max_steps if r.max_steps > 0 else math.ceil(steps_per_epoch * r.epochs)
        by_steps = r.max_steps > 0 and r.max_steps < steps_per_epoch * r.epochs
        every = task.train_defaults.get("eval_every")  # long tasks: evaluate + checkpoint every N steps
        if by_steps or every:
            step = min(every or total_steps, total_steps)
            schedule = {"eval_strategy": "steps", "save_strategy": "steps", "eval_steps": step, "save_steps": step}
        else:
            schedule = {"eval_strategy": "epoch", "save_strategy": "epoch"}
        args = TrainingArguments(
            output_dir=str(partial / "checkpoints"), num_train_epochs=r.epochs, max_steps=r.max_steps,
            learning_rate=r.lr, per_device_train_batch_size=r.batch_size // world, weight_decay=r.weight_decay,
            warmup_steps=int(r.warmup * total_steps), seed=r.seed, logging_steps=max(1, min(50, total_steps // 10)),
            load_best_model_at_end=True, metric_for_best_model=task.primary_metric, greater_is_better=True,
            save_total_limit=2, train_sampling_strategy="group_by_length", length_column_name="length",
            use_cpu=device == "cpu", report_to=[], disable_tqdm=not r.progress or not is_main,
            dataloader_num_workers=0, dataloader_pin_memory=device == "cuda", optim="adamw_torch_fused",
            bf16=precision == "bf16", fp16=precision == "fp16", ddp_find_unused_parameters=False, **schedule)
        control = RunControl(r.save_every, r.save_minutes * 60, r.max_minutes * 60 if r.max_minutes else None)
        trainer = EvaluatingTrainer(
            model=model, args=args, train_dataset=features, eval_dataset=eval_rows,
            data_collator=task.family.collator(task, tokenizer), processing_class=tokenizer,
            callbacks=self.callbacks + [control])
        trainer.bertkit_task, trainer.bertkit_recipe = task, r
        trainer.bertkit_lora = lora  # LoRA checkpoints hold the adapter + head only (checkpoints.py)
        # Our losses are per-batch means: with the Trainer's "loss kwargs" path it would multiply each rank's
        # loss by the number of processes (the logged loss was 2x under 2 ranks, and so was the gradient).
        trainer.model_accepts_loss_kwargs = False
        checkpoints = partial / "checkpoints"
        resume = last_complete(checkpoints, say=print if is_main else (lambda *a, **k: None))
        start = time.time()
        control.install()
        try:
            with retained_memory() if device == "cpu" else contextlib.nullcontext():
                trainer.train(resume_from_checkpoint=resume)
        finally:
            control.uninstall()
        seconds = time.time() - start
        if control.signum is not None:
            name = signal.Signals(control.signum).name
            raise TrainingInterrupted(f"{name} at step {trainer.state.global_step}/{total_steps}: checkpoint saved in "
                                      f"{checkpoints}; run the same command again to resume", control.signum)
        check_finite(trainer, r)
        metrics = trainer.evaluate()
        rows_per_rank = gather(trainer.rows_seen, world)
        result = {"output": str(out), "metrics": metrics, "train_seconds": seconds, "resumed_from": resume,
                  "log_history": trainer.state.log_history, "world_size": world, "precision": precision,
                  "rows_per_rank": rows_per_rank, "already_trained": False}
        if is_main:
            training = {"world_size": world, "precision": precision, "rows_per_rank": rows_per_rank,
                        "steps": trainer.state.global_step, "resumed_from": Path(resume).name if resume else None,
                        **task.family.train_meta(task, tokenizer, train_rows)}
            self.save(partial / "final", trainer.model, tokenizer, lora, metrics, seconds, len(train_rows),
                      len(eval_rows), fp, training)
            fsync_tree(partial / "final")  # on the disk before it is published: a power cut leaves no empty files
            publish(partial / "final", out)
        state.wait_for_everyone()
        return result

    def build_model(self, source, train_rows):
        """The starting model with a head in the task's label order: a trained head whose labels map to
        the task's by name is rewritten in the task's order; one whose labels mean something else is
        replaced by a new head (said on stderr), unless --label-map says what they mean."""
        from .labels import LabelMapError
        from .loading import head_in_task_order, new_head

        r, task = self.recipe, self.task
        check_weights(source.path, r.allow_pickle)
        model, head_missing = task.family.build_model(task, source.path, r.allow_pickle)  # ModelError on failure
        self.label_map = None
        if not head_missing:
            try:
                label_map = task.family.label_map(task, model, r.label_map, source=repr(r.model))
            except LabelMapError as e:
                if r.label_map:
                    raise
                print(f"{e}\nTraining a new {task.name} head on its encoder instead.", file=sys.stderr)
                model, head_missing = new_head(task.family, task, source.path, r.allow_pickle), True
            else:
                if label_map is not None and not label_map.identity:
                    head_in_task_order(model, label_map)
                    self.label_map = label_map.describe()
        if head_missing:
            task.family.init_head(model, train_rows)
        return model

    def save(self, folder: Path, model, tokenizer, lora, metrics, seconds, n_train, n_eval, fp, training):
        from .card import write_card

        r = self.recipe
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        meta = {"task": self.task.name, "task_version": self.task.version, "base_model": r.model,
                "format": "lora" if lora else "full", "labels": list(self.task.labels),
                "metrics": metrics, "seed": r.seed, "train_seconds": round(seconds, 1), **training,
                "fingerprint": fp}
        if getattr(self, "label_map", None):  # the starting head's own labels, put in the task's order
            meta["label_map"] = self.label_map
        if "eval_best_f1_thresh" in metrics:  # squad_v2: the no-answer threshold, tuned on the tune split
            meta["no_answer_threshold"] = float(metrics["eval_best_f1_thresh"])
        if lora:
            from safetensors.torch import save_file

            from .lora import adapter_state

            meta["lora"] = lora
            save_file(adapter_state(model, lora, half=r.half, int8=r.int8), str(folder / "adapter.safetensors"),
                      metadata={"format": "pt"})
        else:
            model.save_pretrained(str(folder), safe_serialization=True)
        tokenizer.save_pretrained(str(folder))
        (folder / BERTKIT_FILE).write_text(json.dumps(meta, indent=2) + "\n")
        recipe = dict(dataclasses.asdict(r), precision=training["precision"])  # what `auto` meant: recreate exactly
        if not r.lora:
            recipe["lora_r"] = None
        write_card(folder, self.task, recipe, meta, self.data_files(), n_train, n_eval, recipe_command(recipe))


def publish(staged: Path, out: Path) -> None:
    """Put the staged artifact at OUTPUT: the old folder moves aside first and goes only afterwards."""
    partial = staged.parent
    previous = partial / "previous"
    if out.exists():
        os.replace(out, previous)
    os.replace(staged, out)
    shutil.rmtree(partial, ignore_errors=True)
