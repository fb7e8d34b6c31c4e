"""Full fine-tuning against LoRA, step by step and interleaved (full, LoRA, full, LoRA, ...) in one
process, so a shared CPU's changing load falls on both alike: the time of one optimiser step
(forward, backward, fused AdamW) and of one evaluation forward, each the median of R rounds; with
`--threads 1,2` each round also runs at each torch thread count (interleaved the same way).

    python -m bench lora-step [--rounds 5] [--batch-size 32] [--threads 1,2]
"""
from __future__ import annotations

import statistics
import time
import warnings


def build(task, lora: bool):
    import torch

    from bertkit.lora import add_lora
    from bertkit.models import embedded_encoder_path
    from bertkit.speed import speed_up

    torch.manual_seed(0)
    model, _ = task.family.build_model(task, embedded_encoder_path(), False)
    if lora:
        add_lora(model, task.family.head_modules)
    speed_up(model, cls_only=task.family.reads_cls_only)
    params = [p for p in model.parameters() if p.requires_grad]
    return model, torch.optim.AdamW(params, lr=1e-5, fused=True), sum(p.numel() for p in params)


def main(args) -> int:
    import torch

    import bertkit
    from bertkit.models import embedded_encoder_path, load_tokenizer
    from bertkit.speed import retained_memory

    from .machine import banner

    warnings.simplefilter("ignore")
    banner()
    task = bertkit.get_task("mrpc")
    tokenizer = load_tokenizer(embedded_encoder_path())
    rows = task.load("train", args.data_dir).select(range(args.batch_size))
    features = task.family.train_features(task, tokenizer, rows, 128)
    keep = [c for c in features.column_names if c in ("input_ids", "attention_mask", "token_type_ids", "labels", "label")]
    batch = task.family.collator(task, tokenizer)([{k: f[k] for k in keep} for f in features])
    models = {name: build(task, name == "LoRA") for name in ("full", "LoRA")}
    threads = [int(t) for t in (args.threads or str(torch.get_num_threads())).split(",")]
    runs = [(name, n) for n in threads for name in models]
    steps, evals = {r: [] for r in runs}, {r: [] for r in runs}
    with retained_memory():
        for _ in range(args.rounds):
            for name, n in runs:
                model, optimiser, _ = models[name]
                torch.set_num_threads(n)
                model.train()
                start = time.perf_counter()
                loss = model(**batch).loss
                loss.backward()
                optimiser.step()
                optimiser.zero_grad(set_to_none=True)
                steps[name, n].append(time.perf_counter() - start)
                model.eval()
                inputs = {k: v for k, v in batch.items() if k not in ("labels", "label")}
                start = time.perf_counter()
                with torch.inference_mode():
                    model(**inputs)
                evals[name, n].append(time.perf_counter() - start)
    print(f"MRPC, batch {args.batch_size}, {args.rounds} interleaved rounds (median; first round included)")
    for name, n in runs:
        step, ev = statistics.median(steps[name, n]), statistics.median(evals[name, n])
        print(f"  {name:5s} {n} thread(s)  trainable {models[name][2] / 1e6:6.2f}M  step {step * 1000:7.0f} ms "
              f"({args.batch_size / step:6.1f} samples/s)  eval forward {ev * 1000:6.0f} ms")
    for n in threads:
        full, lora = statistics.median(steps["full", n]), statistics.median(steps["LoRA", n])
        print(f"  {n} thread(s): LoRA / full samples/s, steps only: {full / lora:.2f}x (target >= 1.2)")
    return 0
