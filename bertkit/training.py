"""Fine-tuning: `python -m bertkit train TASK [options]` or `bertkit.train(TASK, ...)`.

Built on the transformers Trainer: dynamic padding and length-grouped batches, evaluation each
epoch through the same predictor that serves (so training scores are serving scores), the best
checkpoint kept, automatic resume from `OUTPUT/checkpoints` after an interruption, progress bars,
and a final folder with safetensors weights (or a LoRA adapter), the tokenizer, `bertkit.json`
and a model card. Runs unchanged under `accelerate launch --num_processes 2` (DDP, gloo on CPU).
"""
from __future__ import annotations

import json
import math
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from . import _env  # noqa: F401  (before transformers)
from transformers import Trainer, TrainerCallback  # noqa: E402  (this module is imported only to train)
from .errors import BertkitError
from .models import BERTKIT_FILE, DEFAULT, load_tokenizer, resolve
from .tasks.base import get_task


@dataclass
class Recipe:
    """One training run. `None` means the task's own default (see `Task.train_defaults`)."""

    task: str
    model: str = DEFAULT  # default | local folder | hub id (the encoder to start from)
    output: str | None = None  # folder for the result; checkpoints go to OUTPUT/checkpoints
    data_dir: str | None = None  # holds the benchmark files; default BERTKIT_DATA_DIR or ../shared/data
    train_file: str | None = None  # user CSV/JSONL instead of the benchmark train split
    validation_file: str | None = None  # user CSV/JSONL for per-epoch evaluation
    columns: dict = field(default_factory=dict)  # canonical name -> column name in the user files
    hub_data: bool = False  # train on the task's hub dataset (nyu-mll/glue, rajpurkar/squad, …; online only)
    epochs: float | None = None
    lr: float | None = None
    batch_size: int | None = None
    max_length: int | None = None  # tokens per training example (longer ones are cut in training only)
    max_steps: int = -1  # stop after this many optimiser steps (-1: run all epochs)
    max_minutes: float | None = None  # time budget: stop, evaluate and keep the best checkpoint by then
    seed: int = 42
    lora: bool = False  # train a LoRA adapter + head instead of every weight
    lora_r: int | None = None  # LoRA rank (task default, else 16)
    half: bool = False  # store the adapter in fp16
    int8: bool = False  # also store its large weights (e.g. new cross-attention) in int8 + row scales
    train_limit: int | None = None  # first N training rows only (smoke tests, quick looks)
    eval_limit: int | None = None  # first N evaluation rows only
    warmup: float = 0.1  # fraction of steps with a linear learning-rate warm-up
    weight_decay: float = 0.01
    allow_pickle: bool = False
    progress: bool = True


def train(task, callbacks=None, **kwargs) -> dict:
    """Fine-tune `task`; returns {"output", "metrics", "train_seconds", "resumed_from", "log_history"}.

    kwargs: see `Recipe`. `callbacks`: extra `transformers.TrainerCallback`s (progress, cancelling).
    """
    recipe = Recipe(task=get_task(task).name, **kwargs)
    return Run(recipe, callbacks).run()


class Run:
    def __init__(self, recipe: Recipe, callbacks=None):
        self.recipe = r = recipe
        self.callbacks = list(callbacks or [])
        self.task = task = get_task(r.task)
        d = task.train_defaults
        r.epochs = r.epochs if r.epochs is not None else d.get("epochs", 3)
        r.lr = r.lr if r.lr is not None else d.get("lr", 5e-4 if r.lora else 5e-5)
        r.batch_size = r.batch_size or d.get("batch_size", 32)
        r.max_length = r.max_length or d.get("max_length", 256)
        r.lora_r = r.lora_r or d.get("lora_r", 16)
        r.int8 = r.int8 or d.get("int8", False)
        r.output = r.output or f"runs/{task.name}"
        if not task.trainable and not r.train_file:
            raise BertkitError(f"{task.name} has no training data in the data dir ({task.description}); "
                               "pass --train-file, or evaluate a model fine-tuned elsewhere")

    # ---- data ----------------------------------------------------------------------------------
    def load_split(self, split: str, user_file: str | None):
        from .data.user import read_user_file

        if user_file:
            return to_task_schema(self.task, read_user_file(user_file, self.recipe.columns or None,
                                                            required_columns(self.task)))
        if self.recipe.hub_data:
            return load_hub_split(self.task, "train" if split == "train" else "validation")
        return self.task.load(split, self.recipe.data_dir)

    def data_files(self) -> list[Path]:
        r = self.recipe
        files = [Path(f) for f in (r.train_file, r.validation_file) if f]
        if not r.train_file:
            files += self.task.data_paths("train", r.data_dir)
        if not r.validation_file:
            files += self.task.data_paths(self.task.tune_split, r.data_dir)
        return [f for f in dict.fromkeys(files) if f.exists()]

    # ---- the run -------------------------------------------------------------------------------
    def run(self) -> dict:
        import torch
        from transformers import TrainingArguments, set_seed

        r, task = self.recipe, self.task
        set_seed(r.seed)
        if r.train_file:
            self.task = task = with_user_labels(task, r.train_file, r.columns)
        train_rows = self.load_split("train", r.train_file)
        eval_rows = self.load_split(task.tune_split, r.validation_file)
        if r.train_limit:
            train_rows = train_rows.select(range(min(r.train_limit, len(train_rows))))
        if r.eval_limit:
            eval_rows = eval_rows.select(range(min(r.eval_limit, len(eval_rows))))

        source = resolve(r.model)
        tokenizer = load_tokenizer(source.path)
        model, head_missing = task.family.build_model(task, source.path, r.allow_pickle)
        if head_missing:
            task.family.init_head(model, train_rows)
        lora = None
        if r.lora:
            from .lora import add_lora

            lora = add_lora(model, task.family.head_modules, r=r.lora_r, alpha=2 * r.lora_r)
        features = task.family.train_features(task, tokenizer, train_rows, r.max_length)
        features = features.map(lambda b: {"length": [len(x) for x in b["input_ids"]]}, batched=True)

        out = Path(r.output)
        steps_per_epoch = math.ceil(len(features) / r.batch_size)
        total_steps = r.max_steps if r.max_steps > 0 else math.ceil(steps_per_epoch * r.epochs)
        by_steps = r.max_steps > 0 and r.max_steps < steps_per_epoch * r.epochs
        every = task.train_defaults.get("eval_every")  # long tasks: evaluate + checkpoint every N steps
        if by_steps or every:
            step = min(every or total_steps, total_steps)
            schedule = {"eval_strategy": "steps", "save_strategy": "steps", "eval_steps": step, "save_steps": step}
        else:
            schedule = {"eval_strategy": "epoch", "save_strategy": "epoch"}
        args = TrainingArguments(
            output_dir=str(out / "checkpoints"), num_train_epochs=r.epochs, max_steps=r.max_steps,
            learning_rate=r.lr, per_device_train_batch_size=r.batch_size, weight_decay=r.weight_decay,
            warmup_steps=int(r.warmup * total_steps), seed=r.seed, logging_steps=max(1, min(50, total_steps // 10)),
            load_best_model_at_end=True, metric_for_best_model=task.primary_metric, greater_is_better=True,
            save_total_limit=2, train_sampling_strategy="group_by_length", length_column_name="length",
            use_cpu=not torch.cuda.is_available(), report_to=[], disable_tqdm=not r.progress,
            dataloader_num_workers=0, **schedule)
        trainer = EvaluatingTrainer(
            model=model, args=args, train_dataset=features, eval_dataset=eval_rows,
            data_collator=task.family.collator(task, tokenizer), processing_class=tokenizer,
            callbacks=self.callbacks or None)
        trainer.bertkit_task = task
        if r.max_minutes:
            trainer.add_callback(TimeBudget(r.max_minutes * 60))
        from transformers.trainer_utils import get_last_checkpoint

        resume = get_last_checkpoint(str(out / "checkpoints")) if (out / "checkpoints").is_dir() else None
        start = time.time()
        trainer.train(resume_from_checkpoint=resume)
        seconds = time.time() - start
        metrics = trainer.evaluate()
        result = {"output": str(out), "metrics": metrics, "train_seconds": seconds, "resumed_from": resume,
                  "log_history": trainer.state.log_history}
        if trainer.is_world_process_zero():
            self.save(trainer.model, tokenizer, lora, metrics, seconds, len(train_rows), len(eval_rows), source)
        return result

    def save(self, model, tokenizer, lora, metrics, seconds, n_train, n_eval, source):
        from .card import write_card

        r, out = self.recipe, Path(self.recipe.output)
        out.mkdir(parents=True, exist_ok=True)
        meta = {"task": self.task.name, "task_version": self.task.version, "base_model": r.model,
                "format": "lora" if lora else "full", "labels": list(self.task.labels),
                "metrics": metrics, "seed": r.seed, "train_seconds": round(seconds, 1)}
        if "eval_best_f1_thresh" in metrics:  # squad_v2: the no-answer threshold, tuned on the tune split
            meta["no_answer_threshold"] = float(metrics["eval_best_f1_thresh"])
        if lora:
            from safetensors.torch import save_file

            from .lora import adapter_state

            meta["lora"] = lora
            save_file(adapter_state(model, lora, half=r.half, int8=r.int8), str(out / "adapter.safetensors"),
                      metadata={"format": "pt"})
        else:
            model.save_pretrained(str(out), safe_serialization=True)
        tokenizer.save_pretrained(str(out))
        (out / BERTKIT_FILE).write_text(json.dumps(meta, indent=2) + "\n")
        write_card(out, self.task, asdict(r), meta, self.data_files(), n_train, n_eval, source)


class TimeBudget(TrainerCallback):
    """Ends training once `seconds` have passed, with a last evaluation and checkpoint at that step."""

    def __init__(self, seconds: float):
        self.deadline = time.time() + seconds

    def on_step_end(self, args, state, control, **kwargs):
        if time.time() >= self.deadline and not control.should_training_stop:
            control.should_training_stop = control.should_evaluate = control.should_save = True
        return control


class EvaluatingTrainer(Trainer):
    """Evaluates with the task's own predictor and metric instead of the loss."""

    def compute_loss(self, model, inputs, return_outputs=False, **kwargs):
        family_loss = self.bertkit_task.family.compute_loss
        if family_loss is None or return_outputs:
            return super().compute_loss(model, inputs, return_outputs=return_outputs, **kwargs)
        return family_loss(model, inputs)

    def evaluate(self, eval_dataset=None, ignore_keys=None, metric_key_prefix="eval"):
        from .models import ModelSource
        from .predictor import Predictor

        task = self.bertkit_task
        dataset = eval_dataset if eval_dataset is not None else self.eval_dataset
        model = self.model
        was_training = model.training
        predictor = Predictor(task, model, self.processing_class, ModelSource("training", Path("."), "local"))
        scores = task.family.evaluate(predictor, dataset, batch_size=64, **task.train_defaults.get("eval_options", {}))
        model.train(was_training)
        metrics = {f"{metric_key_prefix}_{k}": v for k, v in scores.items()}
        metrics[f"{metric_key_prefix}_examples"] = len(dataset)
        self.log(metrics)
        self.control = self.callback_handler.on_evaluate(self.args, self.state, self.control, metrics)
        return metrics


def load_hub_split(task, split: str):
    """The task's hub dataset in bertkit's columns; fails fast (DataError) when the hub is unreachable."""
    from datasets import Dataset

    from .data import hub

    if not task.hub_dataset:
        raise BertkitError(f"{task.name} has no hub dataset; use --data-dir or --train-file")
    dataset_id, config = task.hub_dataset
    ds = hub.load_hub_dataset(dataset_id, config, split=split)
    if dataset_id == hub.HUB_IDS["glue"]:
        return hub.glue_to_canonical(ds, task.name)
    if dataset_id == hub.HUB_IDS["conll2003"]:
        return hub.conll2003_to_canonical(ds)
    if dataset_id == hub.HUB_IDS["multi30k"]:
        return Dataset.from_dict({"source": ds["de"], "target": ds["en"]})
    return ds  # rajpurkar/squad(_v2) already has bertkit's QA columns


def required_columns(task) -> list[str]:
    return list(task.required_columns)  # declared by the family (Family.required_columns)


def with_user_labels(task, train_file, columns):
    """The task with the label set of the user's file when it is not the task's own (e.g. 3 classes)."""
    import dataclasses

    from .data.user import read_user_file
    from .families.classification import SequenceClassification

    family = task.family
    if not isinstance(family, SequenceClassification) or family.regression:
        return task
    labels = read_user_file(train_file, columns or None, required_columns(task))["label"]
    names = sorted({str(x) for x in labels})
    known = set(task.labels) | {str(i) for i in range(len(task.labels))}
    if set(names) <= known:
        return task
    if len(names) < 2:
        raise BertkitError(f"{train_file}: the label column has only {names}; a classifier needs at least two labels")
    return dataclasses.replace(task, labels=tuple(names))


def to_task_schema(task, ds):
    """User files may name labels by string: map them to the task's label ids."""
    from .families.classification import SequenceClassification

    family = task.family
    if isinstance(family, SequenceClassification) and "label" in ds.column_names:
        index = {name: i for i, name in enumerate(task.labels)}

        def convert(row):
            value = row["label"]
            if family.regression:
                return {"label": float(value)}
            if isinstance(value, str) and value in index:
                return {"label": index[value]}
            try:
                number = int(value)
            except (TypeError, ValueError):
                raise BertkitError(f"label {value!r} is not one of {list(task.labels)} (or their ids)") from None
            if not 0 <= number < len(task.labels):
                raise BertkitError(f"label id {number} out of range for {list(task.labels)}")
            return {"label": number}

        ds = ds.map(convert)
    if "id" not in ds.column_names and task.metric in ("squad", "squad_v2"):
        ds = ds.add_column("id", [str(i) for i in range(len(ds))])
    return ds
