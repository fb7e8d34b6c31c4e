"""The GLUE score rule and the leaderboard files, on hand-made results files (no model)."""
import pytest

from evaluation import glue_score
from evaluation.leaderboard import collect, glue_table, write_leaderboard
from evaluation.references import REFERENCES, check_name
from evaluation.results import SCHEMA, write_json

KIND = {"cola": "mcc", "mrpc": "f1_accuracy", "stsb": "correlation"}
PRIMARY = {"cola": "matthews_correlation", "mrpc": "f1", "stsb": "spearmanr", "ner": "overall_f1",
           "squad": "f1"}


def entry(task, scores):
    kind = KIND.get(task, {"ner": "seqeval", "squad": "squad"}.get(task, "accuracy"))
    return {"status": "scored", "version": "1", "split": "dev", "kind": kind,
            "primary_metric": PRIMARY.get(task, "accuracy"), "n_examples": 100, "examples_per_s": 50.0,
            "wall_s": 2.0, "counts": {},
            "scores": {m: {"value": v, "ci": [v - 0.01, v + 0.01]} for m, v in scores.items()}}


def write_run(folder, name, created, model, tasks):
    write_json(folder / f"{name}.json", {
        "schema": SCHEMA, "run_id": name, "created": created, "settings": {"limit": None, "split": None},
        "manifest": {"model": {"id": model, "weights": {"sha256": "ab" * 32}}},
        "tasks": {t: entry(t, s) for t, s in tasks.items()}})


SEVEN = {"cola": {"matthews_correlation": 0.5}, "sst2": {"accuracy": 0.9},
         "mrpc": {"f1": 0.8, "accuracy": 0.7}, "stsb": {"pearson": 0.86, "spearmanr": 0.84},
         "qnli": {"accuracy": 0.85}, "rte": {"accuracy": 0.6}, "wnli": {"accuracy": 0.4}}
# task scores: CoLA 50, SST-2 90, MRPC (80+70)/2 = 75, STS-B (86+84)/2 = 85, QNLI 85, RTE 60, WNLI 40


def cells_of(tasks):
    return {f"{t}/{m}": v * 100 for t, scores in tasks.items() for m, v in scores.items()}


def test_two_metric_tasks_count_as_their_mean_and_missing_tasks_make_it_partial():
    result = glue_score.glue_score(cells_of(SEVEN))
    assert result["score"] == pytest.approx((50 + 90 + 75 + 85 + 85 + 60 + 40) / 7)
    assert result["missing"] == ["QQP", "MNLI"] and result["partial"]
    assert glue_score.score_label(result) == "69.3 (partial: 7/9)"


def test_wnli_in_and_out():
    out = glue_score.glue_score(cells_of(SEVEN), include_wnli=False)
    assert out["score"] == pytest.approx((50 + 90 + 75 + 85 + 85 + 60) / 6)
    assert glue_score.score_label(out) == "74.2 (partial: 6/8)"


def test_complete_score_is_not_marked_partial():
    cells = cells_of(SEVEN) | {"qqp/f1": 70.0, "qqp/accuracy": 90.0, "mnli_m/accuracy": 84.0, "mnli_mm/accuracy": 82.0}
    assert glue_score.score_label(glue_score.glue_score(cells)) == "72.0"  # (485 + 80 + 83) / 9
    assert glue_score.score_label(glue_score.glue_score(cells, include_wnli=False)) == "76.0"  # 608 / 8


def test_missing_tasks_are_left_out_not_zeroed():
    only_sst2 = glue_score.glue_score({"sst2/accuracy": 90.0})
    assert only_sst2["score"] == 90.0 and glue_score.score_label(only_sst2) == "90.0 (partial: 1/9)"
    half_mrpc = glue_score.glue_score({"sst2/accuracy": 90.0, "mrpc/f1": 80.0})  # MRPC lacks accuracy
    assert half_mrpc["tasks"] == ["SST-2"]
    assert glue_score.score_label(glue_score.glue_score({})) == "—"


def test_columns_follow_the_official_order():
    assert [h for _, h, _ in glue_score.COLUMNS] == [
        "CoLA MCC", "SST-2 acc", "MRPC F1/acc", "STS-B P/S", "QQP F1/acc", "MNLI-m/mm", "QNLI acc", "RTE acc",
        "WNLI acc"]


def test_glue_table_marks_not_run_tasks_and_adds_reference_rows_with_delta(tmp_path):
    write_run(tmp_path, "run1", "2026-01-01T00:00:00Z", "m", SEVEN)
    table = glue_table(collect(tmp_path), None)
    row = table.rows[0]
    assert row[:4] == ["m", "dev", "50.0", "90.0"] and row[4] == "80.0/70.0" and row[5] == "86.0/84.0"
    assert row[6] == "—" and row[7] == "—"  # QQP, MNLI not run: a dash, not 0
    assert row[-3:-1] == ["69.3 (partial: 7/9)", "74.2 (partial: 6/8)"]
    delta = table.rows[1]
    assert delta[0].strip().startswith("Δ vs MiniLM-L6xH384") and delta[3] == "-1.5"  # 90.0 - 91.5
    assert any(r[0] == "bert-base-cased (HF run_glue)" for r in table.rows)


def test_newest_entry_wins_and_every_format_and_plot_is_written(tmp_path):
    write_run(tmp_path, "run1", "2026-01-01T00:00:00Z", "m", SEVEN | {"ner": {"overall_f1": 0.9}})
    write_run(tmp_path, "run2", "2026-01-02T00:00:00Z", "m", {"sst2": {"accuracy": 0.95}})
    (tmp_path / "not-results.json").write_text("{}")
    tables, written = write_leaderboard(tmp_path, ["md", "csv", "html", "latex"], tmp_path / "board")
    assert tables[0].rows[0][3] == "95.0"
    names = {p.name for p in written}
    assert {"leaderboard.md", "leaderboard.html", "leaderboard.tex", "glue.csv", "scores_vs_references.png",
            "score_vs_speed.png"} <= names
    assert all(p.stat().st_size > 0 for p in written)
    md = (tmp_path / "board" / "leaderboard.md").read_text()
    assert "| m | dev | 50.0 | 95.0 |" in md and "NER (CoNLL-2003)" in md
    assert (tmp_path / "board" / "scores_vs_references.png").read_bytes()[:4] == b"\x89PNG"


def test_unknown_format_and_reference_name_are_errors(tmp_path):
    write_run(tmp_path, "run1", "2026-01-01T00:00:00Z", "m", SEVEN)
    with pytest.raises(ValueError, match="valid: md, csv, html, latex"):
        write_leaderboard(tmp_path, ["pdf"])
    with pytest.raises(KeyError, match="MiniLM-L6xH384"):
        check_name("GPT-9")


def test_references_carry_sources_and_percent_scale():
    assert REFERENCES and all(r.source and r.split in ("dev", "test") for r in REFERENCES)
    assert all(0 <= v <= 100 for r in REFERENCES for v in r.scores.values())
    from bertkit import get_task

    assert get_task("cola").metric_scale == 100.0  # measured fractions are shown x100 beside them
    assert get_task("squad").metric_scale == get_task("translation").metric_scale == 1.0  # 0-100 already
