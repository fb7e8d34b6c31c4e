"""scripts/train_sweep.py: recipes side by side under one budget, and shipping the best by tune score."""
import importlib.util
import json
import sys
import tarfile
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file, save_file

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture()
def sweep(monkeypatch, tmp_path):
    spec = importlib.util.spec_from_file_location("train_sweep", REPO / "scripts" / "train_sweep.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "HEADS_DIR", tmp_path / "repo" / "bertkit" / "heads")  # ship into scratch
    return module


def fake_run(folder: Path, task: str, metrics: dict, recipe: str):
    folder.mkdir(parents=True)
    save_file({"lora_A.weight": torch.randn(16, 384).half(), "classifier.weight": torch.randn(2, 384).half()},
              str(folder / "adapter.safetensors"))
    (folder / "bertkit.json").write_text(json.dumps({"task": task, "metrics": metrics}))
    (folder / "README.md").write_text(f"# card\n\n```\npython -m bertkit train {task} --output {folder} {recipe}\n```\n")


def test_ship_picks_the_best_tune_score_per_task_and_says_so(sweep, tmp_path):
    runs = tmp_path / "runs"
    fake_run(runs / "rte-a", "rte", {"eval_accuracy": 0.55}, "--lr 0.0003")
    fake_run(runs / "rte-b", "rte", {"eval_accuracy": 0.58}, "--lr 0.0005")
    fake_run(runs / "cola-a", "cola", {"eval_matthews_correlation": 0.39}, "--seed 1")
    fake_run(runs / "broken", "cola", {}, "")  # a run without a tune score is never shipped
    sweep.ship(str(runs), [], int8=True)
    heads = tmp_path / "repo" / "bertkit" / "heads"
    assert sorted(p.name for p in heads.iterdir()) == ["cola", "rte"]
    card = (heads / "rte" / "README.md").read_text()
    assert "--lr 0.0005" in card.split("## Selection")[0]  # rte-b's own card was copied
    assert "score on the `tune` split" in card and "| rte-b | `--lr 0.0005` | 0.5800 | **shipped** |" in card and "| rte-a | `--lr 0.0003` | 0.5500 |  |" in card
    assert load_file(str(heads / "rte" / "adapter.safetensors"))["lora_A.weight"].dtype == torch.int8
    assert load_file(str(heads / "rte" / "adapter.safetensors"))["classifier.weight"].dtype == torch.float16


def test_ship_keeps_a_better_shipped_head_and_skips_runs_on_other_data(sweep, tmp_path):
    runs = tmp_path / "runs"
    fake_run(runs / "rte-new", "rte", {"eval_accuracy": 0.60}, "--lr 0.0004")
    fake_run(runs / "sick", "rte", {"eval_accuracy": 0.90}, "--train-file SICK_train.tsv")
    meta = json.loads((runs / "sick" / "bertkit.json").read_text())
    (runs / "sick" / "bertkit.json").write_text(json.dumps(dict(meta, labels=["ENTAILMENT", "NEUTRAL", "CONTRADICTION"])))
    fake_run(runs / "cola-new", "cola", {"eval_matthews_correlation": 0.30}, "--seed 3")
    heads = tmp_path / "repo" / "bertkit" / "heads"
    (heads / "cola").mkdir(parents=True)
    (heads / "cola" / "bertkit.json").write_text(json.dumps({"task": "cola", "task_version": "1",
                                                            "metrics": {"eval_matthews_correlation": 0.39}}))
    sweep.ship(str(runs), [], int8=False)
    assert json.loads((heads / "cola" / "bertkit.json").read_text())["metrics"]["eval_matthews_correlation"] == 0.39
    card = (heads / "rte" / "README.md").read_text()
    assert "| rte-new |" in card and "| sick |" not in card  # the SICK run is neither shipped nor a candidate


@pytest.mark.timeout(600)
def test_run_trains_each_recipe_and_packs_what_finished(sweep, tiny_bert, tmp_path):
    data = tmp_path / "train.csv"
    data.write_text("review,sentiment\n" + "a great film,positive\na dull film,negative\n" * 8)
    common = ["--model", str(tiny_bert), "--train-file", str(data), "--validation-file", str(data),
              "--column", "text=review", "--column", "label=sentiment", "--batch-size", 8]
    plan = [{"name": "small", "task": "sst2", "args": common + ["--max-steps", 2]},
            {"name": "big", "task": "sst2", "args": common + ["--max-steps", 3, "--lora-r", 8]}]
    (tmp_path / "plan.json").write_text(json.dumps(plan))
    pack = tmp_path / "out" / "heads.tar"
    pack.parent.mkdir()
    summary = sweep.run(str(tmp_path / "plan.json"), minutes=8, lanes=2, runs=str(tmp_path / "runs"), pack=str(pack))
    assert sorted(r["name"] for r in summary) == ["big", "small"] and all(r["exit"] == 0 for r in summary)
    assert all("eval_accuracy" in r["metrics"] for r in summary)
    with tarfile.open(pack) as tar:
        names = set(tar.getnames())
    assert {f"{n}/{f}" for n in ("small", "big") for f in ("adapter.safetensors", "bertkit.json", "README.md", "train.log")} <= names
    assert json.loads((pack.parent / "summary.json").read_text())[0]["name"] in ("small", "big")
    log = (tmp_path / "runs" / "big.log").read_text()
    assert "--max-minutes" in log.splitlines()[0]  # each run gets the budget that is left


def test_pack_rolls_over_to_a_new_part_before_the_size_limit(sweep, tmp_path, monkeypatch):
    monkeypatch.setattr(sweep, "PACK_PART_BYTES", 10_000)
    pack = tmp_path / "heads.tar"
    assert sweep.pack_part(pack, 9_000) == pack  # nothing written yet
    pack.write_bytes(b"x" * 6_000)
    assert sweep.pack_part(pack, 3_000) == pack
    assert sweep.pack_part(pack, 5_000) == tmp_path / "heads.1.tar"
    (tmp_path / "heads.1.tar").write_bytes(b"x" * 9_000)
    assert sweep.pack_part(pack, 5_000) == tmp_path / "heads.2.tar"
