"""Per-example statistics reproduce each task's evaluate module exactly (point estimate = module output).

Fake predictor outputs in each family's format go through `task.family.score` (the evaluate module, as
`run` reports it) and through `task.family.example_stats` + `point_scores` (what the bootstrap resamples).
"""
import random

import numpy as np
import pytest
from datasets import Dataset

from bertkit.tasks.base import get_task
from bertkit.metrics.stats import BUILDERS, ExampleStats, point_scores

RNG = random.Random(0)
N = 60


def assert_same(task, outputs, ds):
    module = task.family.score(task, outputs, ds)
    stats = task.family.example_stats(task, outputs, ds)
    assert len(stats.rows) == len(ds)
    ours = point_scores(stats)
    assert set(task.headline_metrics) <= set(ours)
    for name, value in ours.items():
        assert name in module, name
        assert value == pytest.approx(module[name], abs=1e-9, rel=1e-6), name
    return stats


@pytest.mark.parametrize("name", ["sst2", "mrpc", "cola", "rte", "wnli", "qnli"])
def test_classification_matches_glue_module(name):
    task = get_task(name)
    labels = [RNG.randrange(2) for _ in range(N)]
    guesses = [label if RNG.random() < 0.7 else 1 - label for label in labels]
    ds = Dataset.from_dict({"idx": list(range(N)), "text": ["x"] * N, "label": labels})
    assert_same(task, [{"label": task.labels[g]} for g in guesses], ds)


def test_stsb_pairs_match_pearson_and_spearman():
    task = get_task("stsb")
    gold = [round(RNG.uniform(0, 5), 1) for _ in range(N)]
    ds = Dataset.from_dict({"idx": list(range(N)), "text": ["x"] * N, "label": gold})
    outputs = [{"score": min(5.0, max(0.0, g + RNG.gauss(0, 1)))} for g in gold]
    stats = assert_same(task, outputs, ds)
    assert stats.columns == ["prediction", "reference"]


def qa_data(v2):
    answers = [{"text": ["the Broncos", "Denver Broncos"], "answer_start": [0, 0]},
               {"text": ["1976"], "answer_start": [3]}, {"text": ["a red car"], "answer_start": [1]}]
    if v2:
        answers.append({"text": [], "answer_start": []})
    rows = [answers[i % len(answers)] for i in range(N)]
    ds = Dataset.from_dict({"id": [f"q{i}" for i in range(N)], "title": ["t"] * N, "context": ["c"] * N,
                            "question": ["q"] * N, "answers": rows})
    guesses = ["Denver Broncos", "broncos", "1976", "in 1976", "red car", "", "blue car"]
    outputs = [{"answer": RNG.choice(guesses), "no_answer_probability": RNG.random()} for _ in range(N)]
    return ds, outputs


@pytest.mark.parametrize("name", ["squad", "squad_v2"])
def test_squad_matches_official_scoring(name):
    ds, outputs = qa_data(name == "squad_v2")
    stats = assert_same(get_task(name), outputs, ds)
    if name == "squad_v2":
        assert {"HasAns_f1", "NoAns_f1"} <= set(point_scores(stats))


def random_tags(n, labels):
    return [RNG.choice(labels) for _ in range(n)]


def test_ner_matches_seqeval_overall_and_per_type():
    task = get_task("ner")
    gold = [random_tags(RNG.randint(3, 12), list(task.labels)) for _ in range(N)]
    preds = [[t if RNG.random() < 0.6 else RNG.choice(task.labels) for t in g] for g in gold]
    ds = Dataset.from_dict({"id": [str(i) for i in range(N)], "tokens": [["w"] * len(g) for g in gold], "tags": gold})
    stats = assert_same(task, [{"words": [{"tag": t} for t in p]} for p in preds], ds)
    assert "PER_f1" in point_scores(stats)


def test_srl_matches_span_metric():
    task = get_task("srl")
    roles = ["O", "O", "B-ARG0", "I-ARG0", "B-ARG1", "I-ARG1", "B-ARGM-TMP", "B-V"]
    gold = [random_tags(RNG.randint(3, 12), roles) for _ in range(N)]
    preds = [[t if RNG.random() < 0.6 else RNG.choice(roles) for t in g] for g in gold]
    ds = Dataset.from_dict({"id": [str(i) for i in range(N)], "tokens": [["w"] * len(g) for g in gold],
                            "predicate_index": [0] * N, "tags": gold})
    outputs = [{"frames": [{"words": [{"tag": t} for t in p]}]} for p in preds]
    stats = assert_same(task, outputs, ds)
    assert "ARG0_f1" in point_scores(stats) and "V_f1" not in point_scores(stats)


def test_translation_matches_sacrebleu_bleu_and_chrf():
    task = get_task("translation")
    words = "a man in a red shirt rides a bike down the street while two dogs play".split()
    targets = [" ".join(RNG.sample(words, RNG.randint(4, 10))) for _ in range(N)]
    preds = [" ".join(w for w in t.split() if RNG.random() < 0.8) or "a" for t in targets]
    ds = Dataset.from_dict({"source": ["x"] * N, "target": targets})
    assert_same(task, [{"text": p} for p in preds], ds)


def test_fill_mask_blocks_match_the_masked_lm_module():
    task = get_task("fill-mask")
    targets = [[RNG.randrange(100) for _ in range(RNG.randint(1, 6))] for _ in range(N)]
    outputs = [{"masks": [{"candidates": [{"token": t if RNG.random() < 0.3 else RNG.randrange(100)}]
                                         + [{"token": RNG.randrange(100)} for _ in range(4)]} for t in gold]}
               for gold in targets]
    ds = Dataset.from_dict({"idx": list(range(N)), "input_ids": [[0]] * N, "targets": targets})
    stats = assert_same(task, outputs, ds)
    assert stats.columns == ["top1", "top5", "masked"] and stats.ids == list(range(N))


def test_fill_mask_evaluation_examples_mask_each_block_reproducibly(tiny_bert):
    from transformers import AutoTokenizer

    task, tok = get_task("fill-mask"), AutoTokenizer.from_pretrained(str(tiny_bert))
    text = Dataset.from_dict({"text": ["the quick brown fox jumps over the lazy dog " * 40]})
    a, b = (task.family.eval_examples(task, tok, text, seed=3) for _ in range(2))
    assert a.to_dict() == b.to_dict() and len(a) >= 2
    for ids, gold in zip(a["input_ids"], a["targets"]):
        masked = [p for p, t in enumerate(ids) if t == tok.mask_token_id]
        assert len(masked) == len(gold) == max(1, int((len(ids) - 2) * 0.15))
        assert 0 not in masked and len(ids) - 1 not in masked  # [CLS] and [SEP] stay


def test_every_registered_task_has_statistics_and_headline_metrics():
    from bertkit.tasks.base import all_tasks

    for task in all_tasks():
        assert task.metric in BUILDERS
        assert task.primary_metric in task.headline_metrics or task.headline == ()


def test_aligned_fills_missing_columns_with_zero():
    stats = ExampleStats("seqeval", ["PER_tp", "PER_pred"], np.array([[1.0, 2.0]]))
    assert stats.aligned(["ORG_tp", "PER_pred"]).tolist() == [[0.0, 2.0]]
