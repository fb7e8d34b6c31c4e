"""Fill-mask scoring with per-block hits, for bootstrap intervals.

The masking is `bertkit.families.fill_mask.FillMask.evaluate`'s, step for step (same blocks, same
`random.Random(seed)` draws, same 15 % of non-[UNK] inner tokens), so top-1/top-5 equal its
numbers; here the hits are kept per 128-token block, the unit the bootstrap resamples (tokens of
one block are not independent). `--limit N` keeps N evenly spaced blocks, masked as in a full run.
"""
from __future__ import annotations

import random

import numpy as np

from bertkit.families.fill_mask import MASK_RATE

from .selection import limited_indices
from .stats import ExampleStats


def masked_blocks(predictor, dataset, seed: int):
    """(features, targets): every block of the split with its masked positions and gold ids."""
    tok = predictor.tokenizer
    rng = random.Random(seed)
    features, targets = [], []
    for i, ids in enumerate(predictor.task.family.blocks(tok, dataset["text"])):
        inner = [p for p in range(1, len(ids) - 1) if ids[p] != tok.unk_token_id]
        positions = sorted(rng.sample(inner, max(1, int(len(inner) * MASK_RATE))))
        targets.append([ids[p] for p in positions])
        chosen = set(positions)
        masked = [tok.mask_token_id if p in chosen else t for p, t in enumerate(ids)]
        features.append({"item": i, "input_ids": masked, "attention_mask": [1] * len(ids), "positions": positions})
    return features, targets


def fill_mask_stats(predictor, dataset, seed: int, limit: int | None, batch_size: int, progress: bool = True):
    """ExampleStats over the kept blocks: columns top1, top5 (hits) and masked (targets)."""
    features, targets = masked_blocks(predictor, dataset, seed)
    keep = limited_indices(len(features), limit)
    features, targets = [features[i] for i in keep], [targets[i] for i in keep]
    outputs = predictor.run(features, batch_size, progress, top_k=5)
    rows, predictions = [], []
    for (ids, _), gold in zip(outputs, targets):
        top1 = sum(row[0] == target for row, target in zip(ids, gold))
        top5 = sum(target in row for row, target in zip(ids, gold))
        rows.append([top1, top5, len(gold)])
        predictions.append([row[0] for row in ids])
    return ExampleStats("fill_mask", ["top1", "top5", "masked"], np.array(rows, dtype=float).reshape(-1, 3),
                        keep, predictions, targets)
