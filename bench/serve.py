"""Serving speed: the bertkit predictor against `transformers.pipeline` on the same model and the
same inputs (SST-2 dev), in one process, one run. Prints examples/s and ratios; exits 1 if the
targets are missed (predictor >= 2x the pipeline at its default batch size, and faster than the
pipeline at batch_size=32).
"""
import time
import warnings

import torch


def best_rate(fn, texts, repeats):
    rates = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn(texts)
        rates.append(len(texts) / (time.perf_counter() - start))
    return max(rates)


def main(args) -> int:
    import bertkit
    from transformers import pipeline

    warnings.simplefilter("ignore")
    texts = list(bertkit.get_task("sst2").load("dev", args.data_dir)["text"])[: args.limit]
    predictor = bertkit.load("sst2", args.model)
    pipe = pipeline("text-classification", model=predictor.model, tokenizer=predictor.tokenizer, device=-1)
    predictor(texts[:8]), pipe(texts[:8])  # warm-up
    rows = [
        ("bertkit predictor (default batch %d)" % predictor.batch_size, best_rate(predictor, texts, args.repeats)),
        ("transformers.pipeline (default batch)", best_rate(lambda t: pipe(t), texts, args.repeats)),
        ("transformers.pipeline batch_size=32", best_rate(lambda t: pipe(t, batch_size=32), texts, args.repeats)),
    ]
    print(f"SST-2 dev, {len(texts)} sentences, model {args.model!r}, torch threads {torch.get_num_threads()}")
    for name, rate in rows:
        print(f"  {name:42s} {rate:8.1f} ex/s")
    ratio_default, ratio_32 = rows[0][1] / rows[1][1], rows[0][1] / rows[2][1]
    print(f"  ratio vs pipeline default batch: {ratio_default:.2f}x (target >= 2.0)")
    print(f"  ratio vs pipeline batch_size=32: {ratio_32:.2f}x (target > 1.0)")
    ok = ratio_default >= 2.0 and ratio_32 > 1.0
    print("targets met" if ok else "TARGETS MISSED")
    return 0 if ok else 1
