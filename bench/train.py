"""Training speed: a run_glue-style Trainer baseline against `bertkit.train` on the same MRPC rows.

    python -m bench train [--rows 1024] [--steps 30] [--batch-size 32] [--repeats R]

One process: the baseline (pad every pair to 128 tokens, full fine-tuning, fp32, the stock
Trainer), then bertkit full fine-tuning and LoRA at each precision this machine offers. Two speeds per
run: **wall**, the whole call as a user waits for it (model loading, tokenising, steps, evaluation,
checkpoints, the final save: steps x batch / wall seconds), with where that time went (bench/phases.py);
and **steps**, the time of its optimiser steps after the first 3 (a callback sums step_begin ->
step_end); samples/s, ratio to the baseline, and the percentage of
the FLOP roofline from a matmul peak measured in this run (6 x params x tokens per sample for full
fine-tuning, 4 x for LoRA, which computes no weight gradients for the encoder: the nominal work, so a
run that skips work, as bertkit's [CLS]-only last layer does for ~1/7 of it, is credited for the
work it skipped and its roofline percentage can read higher than its true matmul use). The MRPC tune score
after the same steps shows what bf16 costs. Exits 1 with --strict when a target is missed.
"""
from __future__ import annotations

import tempfile
import time
import warnings

from transformers import TrainerCallback

WARMUP_STEPS = 3  # untimed steps at the start of every run
TARGETS = "full fp32 >= 3x baseline; full bf16 >= 5x baseline; LoRA >= 1.2x full at the same precision"


class StepTimer(TrainerCallback):
    """Sums the wall time of optimiser steps (forward, backward, update), nothing else, after the
    first `warmup` steps of each run (kernel creation and allocator warm-up: in one process, the
    runs measured later would otherwise inherit the earlier runs' warm caches)."""

    def __init__(self, warmup: int = WARMUP_STEPS):
        self.seconds, self.steps, self._start, self.warmup, self.seen = 0.0, 0, None, warmup, 0
        self.all_seconds = 0.0  # every step, warm-up included: the wall-time breakdown's "steps"

    def on_step_begin(self, args, state, control, **kwargs):
        self._start = time.perf_counter()

    def on_step_end(self, args, state, control, **kwargs):
        self.seen += 1
        if self._start is not None:
            self.all_seconds += time.perf_counter() - self._start
        if self.seen <= self.warmup:
            self._start = None
        if self._start is not None:
            self.seconds += time.perf_counter() - self._start
            self.steps += 1
            self._start = None


def baseline(task, rows, steps: int, batch_size: int, timer: StepTimer, out: str) -> None:
    """What run_glue.py does by default: pad to 128, full fine-tuning, fp32, the stock Trainer."""
    import torch
    from transformers import AutoModelForSequenceClassification, Trainer, TrainingArguments

    from bertkit.models import embedded_encoder_path, load_tokenizer

    path = embedded_encoder_path()
    tokenizer = load_tokenizer(path)
    model = AutoModelForSequenceClassification.from_pretrained(str(path), num_labels=len(task.labels))
    features = rows.map(lambda b: tokenizer(b["text"], b["text_pair"], padding="max_length", truncation=True,
                                            max_length=128), batched=True)
    features = features.remove_columns([c for c in features.column_names
                                        if c not in ("input_ids", "attention_mask", "token_type_ids", "label")])
    args = TrainingArguments(output_dir=out, max_steps=steps, per_device_train_batch_size=batch_size,
                             learning_rate=5e-5, save_strategy="no", report_to=[], disable_tqdm=True,
                             use_cpu=not torch.cuda.is_available(), logging_steps=steps)
    Trainer(model=model, args=args, train_dataset=features, callbacks=[timer]).train()


def bertkit_run(rows_limit: int, steps: int, batch_size: int, lora: bool, precision: str, timer, out: str,
                data_dir=None) -> tuple[dict, float, dict]:
    """(metrics, wall seconds of the whole call, {phase: seconds})."""
    import bertkit

    from .phases import timed

    with timed() as phases:
        start = time.perf_counter()
        result = bertkit.train("mrpc", lora=lora, precision=precision, train_limit=rows_limit, max_steps=steps,
                               batch_size=batch_size, output=out, progress=False, callbacks=[timer],
                               **({"data_dir": data_dir} if data_dir else {}))
        wall = time.perf_counter() - start
    return result["metrics"], wall, dict(phases)


PHASES = ("evaluation", "checkpoint save", "load best", "final save", "build model", "load data")


def main(args) -> int:
    import torch

    import bertkit
    from bertkit.models import embedded_encoder_path, load_tokenizer
    from bertkit.precision import cpu_has_fast_bf16, matmul_peak_gflops

    from .machine import banner

    warnings.simplefilter("ignore")
    task = bertkit.get_task("mrpc")
    rows = task.load("train", args.data_dir)
    rows = rows.select(range(min(args.rows, len(rows))))
    tokenizer = load_tokenizer(embedded_encoder_path())
    tokens = sum(len(x) for x in tokenizer(list(rows["text"]), list(rows["text_pair"]))["input_ids"]) / len(rows)
    from transformers import AutoConfig

    config = AutoConfig.from_pretrained(str(embedded_encoder_path()))
    layer_params = config.num_hidden_layers * (4 * config.hidden_size ** 2 + 2 * config.hidden_size * config.intermediate_size)
    precisions = ["fp32"] + (["bf16"] if cpu_has_fast_bf16() or torch.cuda.is_available() else [])
    machine = banner()
    peaks = {"fp32": machine["fp32_peak_gflops"], **{p: matmul_peak_gflops(p) for p in precisions if p != "fp32"}}
    print(f"MRPC train: first {len(rows)} pairs, {tokens:.1f} real tokens each on average; {args.steps} steps of "
          f"batch {args.batch_size}; encoder {layer_params / 1e6:.1f}M matmul params; bertkit runs: fastest "
          f"of {max(1, args.repeats)} interleaved round(s)")
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        timer = StepTimer()
        start = time.perf_counter()
        if not args.no_baseline:
            baseline(task, rows, args.steps, args.batch_size, timer, f"{tmp}/baseline")
            runs.append(("run_glue-style Trainer (pad 128, full, fp32)", "fp32", False, timer, None,
                         time.perf_counter() - start, {}))
        fastest = {}  # rounds interleave the runs (full, LoRA, full, LoRA, ...); the fastest of each counts
        for round_ in range(max(1, args.repeats)):
            for precision in precisions:
                for lora in (False, True) if not args.lora_first else (True, False):
                    timer = StepTimer()
                    name = f"bertkit.train {'LoRA' if lora else 'full'} {precision}"
                    metrics, wall, phases = bertkit_run(len(rows), args.steps, args.batch_size, lora, precision, timer,
                                                        f"{tmp}/{round_}-{'lora' if lora else 'full'}-{precision}",
                                                        args.data_dir)
                    run = (name, precision, lora, timer, metrics.get("eval_f1"), wall, phases)
                    if name not in fastest or wall < fastest[name][5]:
                        fastest[name] = run
        runs += fastest.values()

    samples = args.steps * args.batch_size
    runs.sort(key=lambda run: ("Trainer" not in run[0], run[1], "LoRA" in run[0]))
    base = runs[0]  # the run_glue-style baseline, or (--no-baseline) bertkit full fp32
    base_wall = samples / base[5]
    base_rate = base[3].steps * args.batch_size / base[3].seconds
    walls, rates = {}, {}
    print(f"  {'run':46s} {'wall s':>7s} {'wall/s':>7s} {'vs base':>8s} {'steps/s':>8s} {'vs base':>8s} "
          f"{'roofline':>9s} {'tune F1':>8s}")
    for name, precision, lora, timer, f1, wall, _ in runs:
        rate = timer.steps * args.batch_size / timer.seconds
        walls[name], rates[name] = samples / wall, rate
        roof = peaks[precision] * 1e9 / ((4 if lora else 6) * layer_params * tokens)
        f1_text = f"{100 * f1:8.2f}" if f1 is not None else "       -"
        print(f"  {name:46s} {wall:7.1f} {samples / wall:7.1f} {samples / wall / base_wall:7.2f}x {rate:8.1f} "
              f"{rate / base_rate:7.2f}x {100 * rate / roof:8.1f}% {f1_text}")
    print("  where the wall time went (s): " + ", ".join(("steps",) + PHASES) + ", other")
    for name, _, _, timer, _, wall, phases in runs[0 if args.no_baseline else 1:]:
        parts = [timer.all_seconds] + [phases.get(p, 0.0) for p in PHASES]
        print(f"  {name:46s} " + " ".join(f"{x:6.1f}" for x in parts) + f" {wall - sum(parts):6.1f}")
    checks = [] if args.no_baseline else [("full fp32 / baseline (steps)", rates["bertkit.train full fp32"] / base_rate, 3.0)]
    checks += [("LoRA fp32 / full fp32 (wall)", walls["bertkit.train LoRA fp32"] / walls["bertkit.train full fp32"], 1.2),
              ("LoRA fp32 / full fp32 (steps)", rates["bertkit.train LoRA fp32"] / rates["bertkit.train full fp32"], 1.2)]
    if "bf16" in precisions:
        if not args.no_baseline:
            checks.append(("full bf16 / baseline (steps)", rates["bertkit.train full bf16"] / base_rate, 5.0))
        checks += [("LoRA bf16 / full bf16 (wall)", walls["bertkit.train LoRA bf16"] / walls["bertkit.train full bf16"], 1.2)]
        f1s = {run[0]: run[4] for run in runs}
        gap = abs(f1s["bertkit.train full bf16"] - f1s["bertkit.train full fp32"]) * 100
        print(f"  tune F1 full bf16 vs fp32: {gap:.2f} pt apart (target <= 0.5)")
    missed = False
    for label, value, target in checks:
        ok = value >= target
        missed |= not ok
        print(f"  {'ok  ' if ok else 'MISS'} {label} = {value:.2f}x (target >= {target})")
    return 1 if (missed and args.strict) else 0
