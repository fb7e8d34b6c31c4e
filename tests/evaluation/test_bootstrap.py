"""Bootstrap intervals against known cases, and the paired test behind `compare` on hand-made runs."""
import json

import numpy as np
import pytest

from evaluation import bootstrap
from evaluation.compare import compare, compare_table
from evaluation.render import to_text
from evaluation.results import SCHEMA, write_json, write_predictions
from bertkit.metrics.stats import ExampleStats


def accuracy_stats(correct):
    return ExampleStats("accuracy", ["correct"], np.array(correct, dtype=float).reshape(-1, 1),
                        list(range(len(correct))), [int(c) for c in correct], [1] * len(correct))


def test_accuracy_interval_matches_the_binomial_normal_approximation():
    n, k = 400, 300  # p = 0.75: se = sqrt(p (1 - p) / n) = 0.02165
    ci = bootstrap.confidence_intervals(accuracy_stats([1] * k + [0] * (n - k)), seed=0)["accuracy"]
    half = 1.96 * np.sqrt(0.75 * 0.25 / n)
    assert ci[0] == pytest.approx(0.75 - half, abs=0.008)
    assert ci[1] == pytest.approx(0.75 + half, abs=0.008)


def test_interval_is_degenerate_when_every_example_is_right():
    assert bootstrap.confidence_intervals(accuracy_stats([1] * 50), seed=0)["accuracy"] == [1.0, 1.0]


def test_interval_is_seeded():
    stats = accuracy_stats([1, 0, 1, 1, 0, 1, 0, 1, 1, 1])
    same = bootstrap.bootstrap(stats, seed=3)["accuracy"], bootstrap.bootstrap(stats, seed=3)["accuracy"]
    assert len(same[0]) == bootstrap.RESAMPLES and np.array_equal(*same)
    assert not np.array_equal(same[0], bootstrap.bootstrap(stats, seed=4)["accuracy"])


def test_mcc_interval_contains_the_point_and_stays_in_range():
    rng = np.random.default_rng(1)
    gold = rng.integers(0, 2, 300)
    pred = np.where(rng.random(300) < 0.8, gold, 1 - gold)
    rows = np.stack([(pred == 1) & (gold == 1), (pred == 1) & (gold == 0), (pred == 0) & (gold == 1),
                     (pred == 0) & (gold == 0)], 1).astype(float)
    stats = ExampleStats("mcc", ["tp", "fp", "fn", "tn"], rows)
    low, high = bootstrap.confidence_intervals(stats, seed=0)["matthews_correlation"]
    from sklearn.metrics import matthews_corrcoef

    point = matthews_corrcoef(gold, pred)
    assert -1 <= low < point < high <= 1


def test_undefined_metric_gives_no_interval():
    stats = ExampleStats("correlation", ["prediction", "reference"], np.array([[1.0, 2.0], [1.0, 3.0], [1.0, 1.0]]))
    assert bootstrap.confidence_intervals(stats, seed=0)["pearson"] is None


def test_paired_test_identical_better_and_worse():
    rng = np.random.default_rng(0)
    a = (rng.random(300) < 0.6).astype(float).reshape(-1, 1)
    better = (rng.random(300) < 0.9).astype(float).reshape(-1, 1)
    same = bootstrap.paired_test("accuracy", ["correct"], a, a, ["accuracy"], seed=0)["accuracy"]
    assert same["p_value"] == 1.0 and same["delta_ci"] == [0.0, 0.0]
    assert bootstrap.paired_test("accuracy", ["correct"], a, better, ["accuracy"], seed=0)["accuracy"]["p_value"] < 0.01
    assert bootstrap.paired_test("accuracy", ["correct"], better, a, ["accuracy"], seed=0)["accuracy"]["p_value"] > 0.99


def hand_made_run(folder, name, correct):
    """A results file with one scored sst2 task and its predictions, as `run` writes them."""
    stats = accuracy_stats(correct)
    predictions = f"{name}.predictions/sst2.jsonl.gz"
    write_predictions(folder / predictions, "sst2", stats)
    entry = {"status": "scored", "version": "1", "split": "dev", "kind": "accuracy", "primary_metric": "accuracy",
             "scores": {"accuracy": {"value": float(np.mean(correct)), "ci": None}}, "counts": {},
             "n_examples": len(correct), "predictions": predictions}
    path = folder / f"{name}.json"
    write_json(path, {"schema": SCHEMA, "run_id": name, "created": name, "manifest": {"model": {"id": name}},
                      "settings": {}, "tasks": {"sst2": entry}})
    return path


def test_compare_identical_runs_gives_p_one(tmp_path):
    correct = list((np.random.default_rng(2).random(200) < 0.7).astype(int))
    a, b = hand_made_run(tmp_path, "a", correct), hand_made_run(tmp_path, "b", correct)
    row = compare(a, b)["rows"][0]
    assert (row["task"], row["metric"], row["n"]) == ("sst2", "accuracy", 200)
    assert row["p_value"] == pytest.approx(1.0)


def test_compare_clearly_better_run_gives_small_p(tmp_path):
    rng = np.random.default_rng(3)
    a = hand_made_run(tmp_path, "a", list((rng.random(200) < 0.55).astype(int)))
    b = hand_made_run(tmp_path, "b", list((rng.random(200) < 0.90).astype(int)))
    row = compare(a, b)["rows"][0]
    assert row["p_value"] < 0.01 and row["b"] > row["a"] and row["delta_ci"][0] > 0
    text = to_text(compare_table(compare(a, b)))
    assert "p (B > A)" in text and "sst2" in text


def test_compare_uses_only_shared_examples(tmp_path):
    a = hand_made_run(tmp_path, "a", [1, 0, 1, 0])
    b = hand_made_run(tmp_path, "b", [1, 1])  # ids 0 and 1 only
    assert compare(a, b)["rows"][0]["n"] == 2


def test_compare_refuses_a_file_that_is_not_a_results_file(tmp_path):
    other = tmp_path / "x.json"
    other.write_text(json.dumps({"hello": 1}))
    from bertkit.errors import BertkitError

    with pytest.raises(BertkitError, match="x.json: not a results file"):  # names the file and why
        compare(other, other)
