"""Serving speed, peers table in one run: on the same SST-2 dev sentences in one process,
`transformers.pipeline` (default batch and batch_size=32), the bertkit predictor in fp32, bf16 (where
the CPU runs it fast) and `auto`, and ONNX Runtime fp32 / int8 through `bertkit export`; each with
examples/s, the ratio to the pipeline, SST-2 dev accuracy and the share of the roofline. Then a QA
block on SQuAD held-out articles (examples/s and F1; transformers 5 has no question-answering
pipeline, so its baseline is bertkit fp32).

The roofline is the bench's own: a matmul peak measured here (bertkit.precision.matmul_peak_gflops)
divided by the model's FLOPs, computed from its config and the real token counts (no padding):
per token and layer 2·(4h² + 2h·i) for the linear layers plus 4·n·h for attention over n tokens.
Only ratios are targets (machines and their load differ); the exit status is 0 unless --strict.

    python -m bench serve [--limit N] [--qa-limit N] [--repeats R] [--no-onnx] [--strict]
"""
from __future__ import annotations

import tempfile
import time
import warnings

import torch


def best_rate(fn, inputs, repeats):
    """(best examples/s over `repeats` runs, the outputs of the last run)."""
    best, outputs = 0.0, None
    for _ in range(max(1, repeats)):
        start = time.perf_counter()
        outputs = fn(inputs)
        best = max(best, len(inputs) / (time.perf_counter() - start))
    return best, outputs


def encoder_flops(config, lengths) -> float:
    """Forward FLOPs of a BERT encoder over sequences of these real lengths."""
    h, i, layers = config.hidden_size, config.intermediate_size, config.num_hidden_layers
    per_token_linear = 2 * (4 * h * h + 2 * h * i)
    return float(sum(layers * n * (per_token_linear + 4 * n * h) for n in lengths))


def accuracy(outputs, labels, names) -> float:
    index = {n: i for i, n in enumerate(names)}
    return 100.0 * sum(index.get(o["label"], -1) == y for o, y in zip(outputs, labels)) / len(labels)


def main(args) -> int:
    import bertkit
    from bertkit.precision import cpu_features, cpu_has_fast_bf16, describe, matmul_peak_gflops
    from transformers import pipeline

    warnings.simplefilter("ignore")
    task = bertkit.get_task("sst2")
    dev = task.load("dev", args.data_dir)
    texts, labels = list(dev["text"])[: args.limit], list(dev["label"])[: args.limit]
    fp32 = bertkit.load("sst2", args.model, precision="fp32")
    names = list(fp32.task.labels)
    lengths = [len(ids) for ids in fp32.tokenizer(texts)["input_ids"]]
    flops_per_example = encoder_flops(fp32.model.config, lengths) / len(texts)
    has_bf16 = cpu_has_fast_bf16()
    peak = {"fp32": matmul_peak_gflops("fp32")}
    if has_bf16:
        peak["bf16"] = matmul_peak_gflops("bf16")
    print(f"CPU: {describe()}; torch {torch.__version__}, {torch.get_num_threads()} threads")
    flags = cpu_features()["flags"]
    print("flags: " + " ".join(f"{f}={f in flags}" for f in ("avx2", "avx512f", "avx512_bf16", "amx_bf16")))
    print(f"SST-2 dev: {len(texts)} sentences, {sum(lengths) / len(texts):.1f} tokens each on average; "
          f"{flops_per_example / sum(lengths) * len(texts) / 1e6:.1f} MFLOP/token (model {args.model!r})")
    print("matmul peak (1024², measured now): " + ", ".join(f"{k} {v:.0f} GFLOP/s" for k, v in peak.items()))

    pipe = pipeline("text-classification", model=fp32.model, tokenizer=fp32.tokenizer, device=-1)
    label_of = {str(fp32.model.config.id2label.get(i, f"LABEL_{i}")): n for i, n in enumerate(names)}

    def pipe_outputs(outs):
        return [{"label": label_of.get(o["label"], o["label"])} for o in outs]

    rows = []  # (name, precision for the roofline, examples/s, accuracy)

    def measure(name, fn, roof, convert=lambda o: o):
        fn(texts[:16])  # warm-up
        rate, outs = best_rate(fn, texts, args.repeats)
        rows.append((name, roof, rate, accuracy(convert(outs), labels, names)))

    measure("transformers.pipeline (default batch)", lambda t: pipe(t), "fp32", pipe_outputs)
    measure("transformers.pipeline batch_size=32", lambda t: pipe(t, batch_size=32), "fp32", pipe_outputs)
    measure(f"bertkit fp32 (batch {fp32.batch_size})", fp32, "fp32")
    if has_bf16:
        measure("bertkit bf16", bertkit.load("sst2", args.model, precision="bf16"), "bf16")
    auto = bertkit.load("sst2", args.model, precision="auto")
    measure(f"bertkit auto (-> {auto.precision})", auto, auto.precision)
    if not args.no_onnx:
        from bertkit.onnx_export import export

        with tempfile.TemporaryDirectory() as tmp:
            for int8 in (False, True):
                folder = export("sst2", args.model, output=f"{tmp}/sst2-{'int8' if int8 else 'fp32'}", int8=int8)
                onnx = bertkit.load("sst2", str(folder), cache=False)
                measure(f"bertkit ONNX Runtime {onnx.precision}", onnx, "fp32")
    peak["fp32"] = max(peak["fp32"], matmul_peak_gflops("fp32"))  # the CPU is shared: best of start and end
    print_table(rows, peak, flops_per_example)
    ok = check_targets(rows, auto.precision)
    if args.qa_limit:
        qa_block(args, peak)
    return 0 if ok or not args.strict else 1


def print_table(rows, peak, flops_per_example):
    base = rows[0][2]
    print(f"\n  {'setting':42s} {'ex/s':>8s} {'vs pipeline':>11s} {'accuracy':>8s} {'roofline':>15s}")
    for name, roof, rate, acc in rows:
        roofline = peak.get(roof, peak["fp32"]) * 1e9 / flops_per_example
        print(f"  {name:42s} {rate:8.1f} {rate / base:10.2f}x {acc:8.2f} {100 * rate / roofline:6.1f} % of {roof}")
    print(f"  (roofline: fp32 {peak['fp32'] * 1e9 / flops_per_example:.0f} ex/s"
          + (f", bf16 {peak['bf16'] * 1e9 / flops_per_example:.0f} ex/s" if "bf16" in peak else "")
          + "; int8 rows are shown against the fp32 peak)")


def check_targets(rows, auto_precision) -> bool:
    by = {name.split(" (")[0] if name.startswith("bertkit auto") else name: (rate, acc) for name, _, rate, acc in rows}
    pipe_rate = rows[0][2]
    fp32_rate, fp32_acc = next((r, a) for n, _, r, a in rows if n.startswith("bertkit fp32"))
    auto_rate, auto_acc = by["bertkit auto"]
    checks = []
    if auto_precision == "fp32":
        checks.append((f"auto is fp32 on this CPU: not slower than fp32 ({auto_rate / fp32_rate:.2f}x, >= 0.95)",
                       auto_rate / fp32_rate >= 0.95))
    else:
        checks.append((f"auto / fp32 = {auto_rate / fp32_rate:.2f}x (target >= 1.8; stretch 3.5)", auto_rate / fp32_rate >= 1.8))
        checks.append((f"auto / pipeline default batch = {auto_rate / pipe_rate:.2f}x (target >= 4)", auto_rate / pipe_rate >= 4))
        checks.append((f"auto accuracy loss = {fp32_acc - auto_acc:+.2f} pt (target <= 0.3)", fp32_acc - auto_acc <= 0.3))
    print()
    for text, ok in checks:
        print(f"  {'ok  ' if ok else 'MISS'} {text}")
    return all(ok for _, ok in checks)


def qa_block(args, peak):
    import bertkit

    task = bertkit.get_task("squad")
    split = task.reported_split
    dev = task.load(split, args.data_dir)
    dev = dev.select(range(min(args.qa_limit, len(dev))))
    inputs = task.family.to_inputs(task, dev)
    fp32 = bertkit.load("squad", args.model, precision="fp32")
    features = task.family.preprocess(fp32.context, inputs)
    flops = encoder_flops(fp32.model.config, [len(f["input_ids"]) for f in features]) / len(inputs)
    # transformers 5 removed the question-answering pipeline: the baseline here is bertkit fp32
    settings = [(f"bertkit fp32 (batch {fp32.batch_size})", fp32, "fp32")]
    auto = bertkit.load("squad", args.model, precision="auto")
    settings.append((f"bertkit auto (-> {auto.precision})", auto, auto.precision))
    if "bf16" in peak and auto.precision != "bf16":
        settings.append(("bertkit bf16", bertkit.load("squad", args.model, precision="bf16"), "bf16"))
    print(f"\nSQuAD v1.1 {split} (held-out articles): first {len(inputs)} questions, "
          f"{len(features)} windows, {flops / 1e9:.2f} GFLOP per question")
    print(f"  {'setting':42s} {'ex/s':>8s} {'vs fp32':>11s} {'F1':>8s} {'roofline':>15s}")
    base = None
    for name, fn, roof in settings:
        fn(inputs[:4])
        rate, outs = best_rate(fn, inputs, 1)
        base = base or rate
        f1 = task.family.score(task, outs, dev)["f1"]
        roofline = peak.get(roof, peak["fp32"]) * 1e9 / flops
        print(f"  {name:42s} {rate:8.1f} {rate / base:10.2f}x {f1:8.2f} {100 * rate / roofline:6.1f} % of {roof}")
