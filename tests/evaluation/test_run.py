"""`python -m evaluation run` end to end on the tiny random BERT (--limit 8): the results file, its
intervals, reuse on re-run, skipped tasks, atomic writes, and the leaderboard over the output."""
import re
import contextlib
import gzip
import io
import json
import os

import pytest

from bertkit.tasks.base import get_task
from evaluation import runner
from evaluation.cli import main
from evaluation.results import SCHEMA, RunFile, write_json
from evaluation.selection import expand_tasks, limited_indices, reported_split

TASKS = "sst2,stsb,squad,ner"  # squad is the group: squad and squad_v2


def run_cli(*args):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def first_run(tiny_bert, data_dir, tmp_path_factory):
    folder = tmp_path_factory.mktemp("results")
    code, stdout, stderr = run_cli("run", "--model", str(tiny_bert), "--tasks", TASKS, "--limit", "8",
                                   "--output", str(folder), "--no-progress")
    assert code == 0, stderr
    files = list(folder.glob("*.json"))
    assert len(files) == 1
    return folder, json.loads(files[0].read_text()), stdout


def test_results_file_schema(first_run, tiny_bert):
    folder, results, _ = first_run
    assert results["schema"] == SCHEMA and results["finished"]
    manifest = results["manifest"]
    assert manifest["model"]["id"] == str(tiny_bert)
    assert len(manifest["model"]["weights"]["sha256"]) == 64
    assert {"torch", "transformers", "evaluate", "bertkit"} <= set(manifest["packages"])
    assert {"cpu", "cpu_flags", "gpu"} <= set(manifest["hardware"]) and manifest["python"] and "git_commit" in manifest
    from bertkit.precision import cpu_features

    assert manifest["hardware"]["cpu_flags"] == cpu_features()["flags"]  # what the speed figures ran on
    assert manifest["seed"] == 0 and results["settings"]["bootstrap"]["resamples"] == 1000
    assert list(results["tasks"]) == ["sst2", "stsb", "squad", "squad_v2", "ner"]
    for name, entry in results["tasks"].items():
        assert entry["status"] == "scored", (name, entry.get("reason"))
        assert entry["n_examples"] == 8 and entry["split"] == "dev"
        assert entry["version"] == get_task(name).version
        assert entry["examples_per_s"] > 0 and entry["wall_s"] >= entry["predict_s"] > 0
        assert entry["data"]["limit"] == 8
        assert all(len(sha) == 64 for sha in entry["data"]["files"].values())
        assert entry["head_trained"] is False and entry["notes"]  # the tiny model has random heads
        assert entry["primary_metric"] in entry["scores"]
        lines = gzip.open(folder / entry["predictions"], "rt").read().splitlines()
        assert json.loads(lines[0])["task"] == name and len(lines) == 1 + 8
        assert {"id", "prediction", "reference", "stats"} <= set(json.loads(lines[1]))
    assert set(results["tasks"]["squad"]["scores"]) == {"exact_match", "f1"}
    assert "NoAns_f1" in results["tasks"]["squad_v2"]["scores"]
    assert "overall_f1" in results["tasks"]["ner"]["scores"]
    assert {"PER_number", "ORG_number"} <= set(results["tasks"]["ner"]["counts"])


def test_interval_contains_the_point_estimate(first_run):
    _, results, _ = first_run
    checked = 0
    for entry in results["tasks"].values():
        for name, score in entry["scores"].items():
            if score["ci"] is None:  # undefined (a constant random regression head) or a threshold
                continue
            low, high = score["ci"]
            assert low - 1e-9 <= score["value"] <= high + 1e-9, name
            checked += 1
    assert checked >= 10


def test_run_prints_the_results_table(first_run):
    _, _, stdout = first_run
    assert re.search(r"Task +\| Version \| Metric", stdout) and "| Value" in stdout and "±CI" in stdout
    assert "(untrained head: random)" in stdout  # the tiny model's heads are random: the table says so
    assert "results: " in stdout


def test_rerun_skips_tasks_already_scored(first_run, tiny_bert, monkeypatch):
    folder, _, _ = first_run
    import bertkit

    monkeypatch.setattr(bertkit, "load", lambda *a, **k: pytest.fail("a scored task was predicted again"))
    code, stdout, stderr = run_cli("run", "--model", str(tiny_bert), "--tasks", TASKS, "--limit", "8",
                                   "--output", str(folder), "--no-progress")
    assert code == 0 and "reused from" in stderr and "nothing new" in stdout
    assert len(list(folder.glob("*.json"))) == 1


def test_default_model_without_a_head_is_skipped_and_the_run_goes_on(tmp_path, data_dir, monkeypatch):
    from bertkit import models

    monkeypatch.setattr(models, "HEADS_DIR", tmp_path / "no-heads")
    code, stdout, _ = run_cli("run", "--model", "default", "--tasks", "sst2,rte", "--limit", "8",
                              "--output", str(tmp_path / "out"), "--no-progress")
    assert code == 0 and "skipped: no head" in stdout
    (path,) = (tmp_path / "out").glob("*.json")
    tasks = json.loads(path.read_text())["tasks"]
    assert [t["status"] for t in tasks.values()] == ["skipped", "skipped"]
    assert tasks["rte"]["reason"].startswith("no head: ")


def test_interrupted_run_keeps_the_finished_tasks_in_a_whole_file(tiny_bert, data_dir, tmp_path, monkeypatch):
    real = runner.measure

    def measure(task, *args, **kwargs):
        if task.name == "wnli":
            raise KeyboardInterrupt
        return real(task, *args, **kwargs)

    monkeypatch.setattr(runner, "measure", measure)
    with pytest.raises(KeyboardInterrupt):
        runner.run(runner.RunSettings(str(tiny_bert), "rte,wnli", limit=8, output=tmp_path, progress=False),
                   log=io.StringIO())
    (path,) = tmp_path.glob("*.json")
    results = json.loads(path.read_text())
    assert list(results["tasks"]) == ["rte"] and results["finished"] is None
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".tmp")]


def test_write_is_atomic(tmp_path, monkeypatch):
    target = tmp_path / "r.json"
    with pytest.raises(TypeError):
        write_json(target, {"bad": object()})  # fails while serialising: nothing is written
    assert not target.exists()
    write_json(target, {"ok": 1})

    def broken_fsync(fd):
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OSError):
        write_json(target, {"ok": 2})
    assert json.loads(target.read_text()) == {"ok": 1}  # the old file, whole
    assert os.listdir(tmp_path) == ["r.json"]  # no temporary left behind


def test_run_file_saves_valid_json_without_nan(tmp_path):
    run = RunFile(tmp_path, "some/hub-model", {"manifest": {}, "settings": {}})
    run.add("stsb", {"status": "scored", "scores": {"pearson": {"value": float("nan"), "ci": None}}})
    run.save(finished=True)
    assert run.path.name.endswith("-some--hub-model.json")
    assert json.loads(run.path.read_text())["tasks"]["stsb"]["scores"]["pearson"]["value"] is None


def test_leaderboard_over_the_run_folder(first_run, tmp_path):
    folder, _, _ = first_run
    code, stdout, _ = run_cli("leaderboard", str(folder), "--format", "md,csv", "--output", str(tmp_path))
    assert code == 0 and "GLUE" in stdout and "partial" in stdout
    assert (tmp_path / "leaderboard.md").exists() and (tmp_path / "score_vs_speed.png").exists()


def test_task_selection_and_reported_splits():
    assert expand_tasks("glue") == ["sst2", "cola", "mrpc", "stsb", "rte", "wnli", "qnli"]
    assert expand_tasks("squad,ner,sst2,ner") == ["squad", "squad_v2", "ner", "sst2"]
    assert len(expand_tasks("all")) == 13
    with pytest.raises(KeyError, match="valid tasks: all, glue"):
        expand_tasks("glue,mnli")
    assert [reported_split(t) for t in ("sst2", "squad", "ner", "srl", "translation", "fill-mask")] == \
        ["dev", "dev", "dev", "test", "test", "test"]
    assert limited_indices(10, 4) == [0, 2, 5, 7] and limited_indices(3, 8) == [0, 1, 2]


def test_unknown_task_is_an_error_naming_the_choices(capsys):
    assert main(["run", "--tasks", "mnli", "--output", "/nonexistent"]) == 2
    assert "valid tasks:" in capsys.readouterr().err


def test_unlabelled_split_is_skipped_not_scored(tiny_bert, data_dir, tmp_path):
    code, stdout, _ = run_cli("run", "--model", str(tiny_bert), "--tasks", "sst2", "--split", "test", "--limit", "4",
                              "--output", str(tmp_path), "--no-progress")
    assert code == 0 and "has no labels" in stdout


def test_precision_reaches_the_predictor_and_the_manifest(tiny_bert, data_dir, tmp_path):
    out = tmp_path / "out"
    for precision in ("fp32", "bf16"):
        code, _, stderr = run_cli("run", "--model", str(tiny_bert), "--tasks", "sst2", "--limit", "4", "--output",
                                  str(out), "--no-progress", "--precision", precision)
        assert code == 0 and "reused from" not in stderr  # a bf16 score never stands in for an fp32 one
    runs = sorted((json.loads(p.read_text()) for p in out.glob("*.json")),
                  key=lambda r: r["manifest"]["precision"]["requested"] != "fp32")
    assert [r["manifest"]["precision"] for r in runs] == [{"requested": "fp32", "chosen": {"sst2": "fp32"}},
                                                          {"requested": "bf16", "chosen": {"sst2": "bf16"}}]
    assert [r["tasks"]["sst2"]["precision"] for r in runs] == ["fp32", "bf16"]
    assert runs[0]["tasks"]["sst2"]["key"] != runs[1]["tasks"]["sst2"]["key"]
    with pytest.raises(SystemExit):  # argparse names the choices
        main(["run", "--tasks", "sst2", "--precision", "fp8", "--output", str(out)])


def test_extra_splits_are_scored_reused_and_reported(tiny_bert, data_dir, tmp_path, monkeypatch):
    """translation reports general-domain news (`Task.extra_splits`) beside test2016, in the same entry."""
    import sys

    import bertkit

    args = ("run", "--model", str(tiny_bert), "--tasks", "translation", "--limit", "3", "--output",
            str(tmp_path / "r"), "--no-progress")
    code, _, stderr = run_cli(*args)
    assert code == 0, stderr
    entry = json.loads(next((tmp_path / "r").glob("*.json")).read_text())["tasks"]["translation"]
    news = entry["extra_splits"]["news_test"]
    assert entry["split"] == "test" and news["split"] == "news_test" and news["status"] == "scored"
    assert news["n_examples"] == 3 and news["key"] != entry["key"] and set(news["scores"]) == {"bleu", "chrf"}
    assert "newstest2013" in next(iter(news["data"]["files"]))
    assert news["predictions"] != entry["predictions"]
    assert all((tmp_path / "r" / e["predictions"]).is_file() for e in (entry, news))
    assert "news_test: bleu" in stderr
    code, _, _ = run_cli(*args[:-2], str(tmp_path / "one"), "--no-progress", "--split", "news_test")
    alone = json.loads(next((tmp_path / "one").glob("*.json")).read_text())["tasks"]["translation"]
    assert code == 0 and alone["split"] == "news_test" and "extra_splits" not in alone  # --split: that split alone

    monkeypatch.setattr(bertkit, "load", lambda *a, **k: pytest.fail("a scored split was predicted again"))
    code, _, stderr = run_cli(*args)
    assert code == 0 and stderr.count("reused from") == 2 and len(list((tmp_path / "r").glob("*.json"))) == 1

    code, stdout, _ = run_cli("leaderboard", str(tmp_path / "r"), "--format", "md", "--output", str(tmp_path / "lb"))
    translation = stdout.split("Translation")[1].split("\n\n")[1]
    assert code == 0 and "| test " in translation and "| news_test " in translation
    sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[2] / "scripts"))
    from card_scores import card_section

    section = card_section("translation", entry)
    assert "Split: `test`" in section and "Also held out" in section and "Split: `news_test`, 3 examples" in section
