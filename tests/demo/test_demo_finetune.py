"""The Fine-tune tab: a LoRA head trained on an uploaded file with live loss points, loadable by
`bertkit.load` after unzipping, usable in place, and cancellable."""
import zipfile
from pathlib import Path
from types import SimpleNamespace

import gradio as gr
import pytest

pytestmark = [pytest.mark.filterwarnings("ignore:.*has no trained"), pytest.mark.timeout(120)]


class NoProgress:
    def __call__(self, *args, **kwargs):
        pass


def run_to_end(generator):
    updates = list(generator)
    assert updates, "the training generator yielded nothing"
    return updates


def test_finetune_trains_a_loadable_lora_head(tiny, tmp_path):
    import bertkit
    from demo.finetune import EXAMPLE_FILE, finetune, finetune_try

    updates = run_to_end(finetune(str(EXAMPLE_FILE), "sst2", tiny, 6, 8, 5e-3, None, NoProgress()))
    status, losses, archive, folder = updates[-1]
    assert "**Done**" in status and "accuracy" in status
    assert "Unreliable score: only 8 held-out rows" in status  # 20 % of the 40-row example file
    assert list(losses.columns) == ["step", "value", "series"] and len(losses) >= 1
    assert losses["step"].is_monotonic_increasing and (losses["value"] > 0).all()
    with zipfile.ZipFile(archive) as z:
        names = z.namelist()
        z.extractall(tmp_path)
    assert "bertkit-sst2-lora/adapter.safetensors" in names and "bertkit-sst2-lora/bertkit.json" in names
    assert not any("checkpoints" in n for n in names)
    predictor = bertkit.load("sst2", str(tmp_path / "bertkit-sst2-lora"))
    assert predictor.head_trained and set(predictor("a fine film")["scores"]) == {"negative", "positive"}
    scores, raw = finetune_try("a fine film", "", folder, "sst2")
    assert set(scores) == {"negative", "positive"} and raw["label"] in scores


def test_finetune_rejects_bad_uploads(tiny, tmp_path):
    from demo.finetune import finetune

    bad = tmp_path / "bad.csv"
    bad.write_text("review,stars\ngood,5\n")
    cases = [(None, "upload a CSV or JSONL file"), (str(bad), "missing column 'text'")]
    for file, message in cases:
        with pytest.raises(gr.Error) as info:
            next(finetune(file, "sst2", tiny, 5, 8, 5e-4, None, NoProgress()))
        assert message in info.value.message
    few = tmp_path / "few.csv"
    few.write_text("text,label\ngood,positive\nbad,negative\n")
    with pytest.raises(gr.Error, match="needs at least 4"):
        next(finetune(str(few), "sst2", tiny, 5, 8, 5e-4, None, NoProgress()))
    with pytest.raises(gr.Error, match="max steps must be a whole number from 1 to 200; got 500"):
        next(finetune(str(few), "sst2", tiny, 500, 8, 5e-4, None, NoProgress()))
    with pytest.raises(gr.Error, match="not a classification task"):
        next(finetune(str(few), "squad", tiny, 5, 8, 5e-4, None, NoProgress()))
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("text,label\n" + "good,meh\n" * 5)
    with pytest.raises(gr.Error, match=r"only \['meh'\]; a classifier needs at least two labels"):
        list(finetune(str(wrong), "sst2", tiny, 5, 8, 5e-4, None, NoProgress()))


def test_finetune_cancel_stops_the_run(tiny):
    from demo.finetune import EXAMPLE_FILE, finetune, finetune_cancel

    session = SimpleNamespace(session_hash="cancel-test")
    generator = finetune(str(EXAMPLE_FILE), "sst2", tiny, 200, 8, 5e-4, session, NoProgress())
    first_status = next(generator)[0]
    assert "Loading the model" in first_status
    assert finetune_cancel(session) == "Cancelled."
    status = list(generator)[-1][0]
    assert "cancelled early" in status
    assert finetune_cancel(session) == "Nothing is training in this session."


def test_every_finished_run_stays_downloadable_and_long_runs_plot_often(tiny):
    from demo.finetune import PLOT_POINTS, reliability, remember_run

    runs, shown = remember_run("/tmp/a.zip", [])
    runs, shown = remember_run("/tmp/b.zip", runs)
    assert shown == ["/tmp/a.zip", "/tmp/b.zip"] and remember_run(None, runs)[0] == runs
    assert reliability(50) == "" and "4/8 correct: the true accuracy lies between 22 % and 78 %" in reliability(8, 0.5)
    assert PLOT_POINTS >= 20


def test_finetune_logs_a_loss_point_every_few_steps(tiny):
    from demo.finetune import EXAMPLE_FILE, finetune

    updates = run_to_end(finetune(str(EXAMPLE_FILE), "sst2", tiny, 12, 4, 5e-3, None, NoProgress()))
    losses = updates[-1][1]
    assert len(losses) >= 6  # 12 steps: Trainer's own logging would give 1


def test_an_upload_with_its_own_labels_declares_them(tmp_path):
    """happy/sad/meh on sst2 trains a three-label head when the Labels box declares them (the CLI's
    --labels); undeclared, they are an error naming the line, as `python -m bertkit train` says."""
    from demo.finetune_files import prepare_files

    path = tmp_path / "moods.csv"
    path.write_text("text,label\n" + "".join(f"row {i} text,{['happy', 'sad', 'meh'][i % 3]}\n" for i in range(30)))
    data = prepare_files(str(path), "sst2", tmp_path, 1000, labels="happy, sad, meh")
    assert data["labels"] == ("happy", "sad", "meh")
    with pytest.raises(gr.Error, match=r"moods.csv, line 2: label 'happy' is not one of \['negative', 'positive'\]"):
        prepare_files(str(path), "sst2", tmp_path, 1000)
    path.write_text("text,label\n" + "".join(f"row {i} text,{['positive', 'negative'][i % 2]}\n" for i in range(30)))
    assert prepare_files(str(path), "sst2", tmp_path, 1000)["labels"] is None


def test_a_label_typo_is_refused_like_the_cli_refuses_it(tmp_path):
    """"postive" is not a third class: the same check as `python -m bertkit train` (with_labels), naming
    the file by its own name (no server path), the line and the value."""
    import subprocess
    import sys

    from demo.finetune_files import prepare_files

    path = tmp_path / "reviews.csv"
    rows = [f"review {i},{['positive', 'negative'][i % 2]}" for i in range(20)]
    rows[6] = "review 6,postive"
    path.write_text("text,label\n" + "\n".join(rows) + "\n")
    with pytest.raises(gr.Error) as info:
        prepare_files(str(path), "sst2", tmp_path, 1000)
    message = info.value.message
    assert "reviews.csv, line 8: label 'postive' is not one of ['negative', 'positive']" in message
    assert str(tmp_path) not in message and "--labels" not in message and "Labels box" in message
    cli = subprocess.run([sys.executable, "-m", "bertkit", "train", "sst2", "--train-file", str(path), "--output",
                          str(tmp_path / "out"), "--max-steps", "1"], capture_output=True, text=True, timeout=120)
    assert cli.returncode != 0 and "line 8: label 'postive' is not one of" in cli.stderr + cli.stdout


def test_non_finite_and_malformed_settings_are_refused(tiny):
    from demo.finetune import EXAMPLE_FILE, finetune

    for lr, message in [(float("inf"), "learning rate must be a number"), ("NaN", "learning rate must be a number"),
                        ("Infinity", "learning rate must be a number"), (0, "learning rate must be a number")]:
        with pytest.raises(gr.Error, match=message):
            next(finetune(str(EXAMPLE_FILE), "sst2", tiny, 5, 8, lr, None, NoProgress()))
    for batch in (-1, 2.5, "many"):
        with pytest.raises(gr.Error, match="batch size must be a whole number"):
            next(finetune(str(EXAMPLE_FILE), "sst2", tiny, 5, batch, 5e-4, None, NoProgress()))


def test_wilson_interval_is_exact_at_the_edges():
    from demo.finetune_files import reliability, wilson

    low, high = wilson(16, 16)
    assert 0.79 < low < 0.82 and high == 1.0  # "± 6 points" was the normal approximation's floor
    assert "16/16 correct: the true accuracy lies between 81 % and 100 %" in reliability(16, 1.0)
    assert "±" not in reliability(16, 1.0)


def test_work_folders_expire_by_age_and_size_and_only_the_apps_own_are_trusted(tmp_path):
    import tempfile

    from demo.finetune_files import created_by_app, expire, new_work_folder, release, trained_folder
    from demo.policy import FINETUNE_PREFIX

    old, big, busy = new_work_folder(), new_work_folder(), new_work_folder()
    for f in (old, big):
        release(f)
    (big.path / "adapter.bin").write_bytes(b"x" * 4096)
    old.created -= 7200
    assert created_by_app(old.path) and created_by_app(big.path / "adapter.bin")
    planted = Path(tempfile.mkdtemp(prefix=FINETUNE_PREFIX))
    try:
        assert not created_by_app(planted)  # named like ours, not made by this process
    finally:
        planted.rmdir()
    gone = expire(max_age=3600, max_total=10**9)  # by age (earlier tests' runs are younger)
    assert old.run_id in gone and big.run_id not in gone
    assert not old.path.exists() and big.path.exists() and trained_folder(old.run_id) is None
    assert big.run_id in expire(max_age=3600, max_total=1000)  # by the size cap; a running one is kept
    assert not big.path.exists() and busy.path.exists()
    release(busy)
    expire(max_age=-1)
    assert not busy.path.exists()
