"""Run identity and interruptions: refuse another run's folder, a finished run is a no-op, a failed
run never replaces a good model, SIGINT saves a checkpoint and exits cleanly, and an interrupted run
resumed reaches the same weights as one that was never interrupted."""
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import bertkit
from train_data import REVIEWS, write_csv
from bertkit.recipe import RecipeError

pytestmark = pytest.mark.filterwarnings("ignore:.*has no trained")
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("resume-data")
    rows = REVIEWS * 12
    for name, part in (("train.csv", rows), ("dev.csv", rows[:8]), ("other.csv", rows[::-1])):
        write_csv(folder / name, part)
    return folder


def train(tiny_bert, files, output, train="train.csv", **kw):
    args = dict(model=str(tiny_bert), train_file=str(files / train), validation_file=str(files / "dev.csv"),
                columns={"text": "review", "label": "sentiment"}, output=str(output), batch_size=8, lr=3e-3,
                progress=False, seed=3, precision="fp32", max_steps=6)
    args.update(kw)
    return bertkit.train("sst2", **args)


def weights(folder):
    from safetensors.torch import load_file

    return load_file(str(Path(folder) / "model.safetensors"))


def test_another_runs_folder_is_refused_naming_the_difference(tiny_bert, files, tmp_path):
    out = tmp_path / "run"
    train(tiny_bert, files, out)
    before = weights(out)
    with pytest.raises(RecipeError) as info:
        train(tiny_bert, files, out, train="other.csv")
    message = str(info.value)
    assert "holds another run" in message and "data other.csv" in message and "--overwrite" in message and "--output" in message
    with pytest.raises(RecipeError, match=r"recipe lr: 0\.003 there, 0\.001 now"):
        train(tiny_bert, files, out, lr=1e-3)
    with pytest.raises(RecipeError, match="task: 'sst2' there, 'cola' now"):
        bertkit.train("cola", model=str(tiny_bert), train_file=str(files / "train.csv"),
                      validation_file=str(files / "dev.csv"), columns={"text": "review", "label": "sentiment"},
                      output=str(out), labels=["negative", "positive"], progress=False, max_steps=2)
    after = weights(out)
    assert all((before[k] == after[k]).all() for k in before)  # nothing was touched


def test_a_finished_run_rerun_is_a_no_op_that_says_so(tiny_bert, files, tmp_path, capsys):
    out = tmp_path / "done"
    first = train(tiny_bert, files, out)
    stamp = (out / "model.safetensors").stat().st_mtime_ns
    again = train(tiny_bert, files, out, max_minutes=5)  # a budget does not define the run
    assert again["already_trained"] and again["metrics"] == first["metrics"]
    assert "already holds this finished run" in capsys.readouterr().err
    assert (out / "model.safetensors").stat().st_mtime_ns == stamp


def test_a_failed_overwrite_leaves_the_good_model_in_place(tiny_bert, files, tmp_path):
    out = tmp_path / "keep"
    train(tiny_bert, files, out)
    before = weights(out)
    (files / "broken.csv").write_text("review,sentiment\n")  # header only: the new run fails
    with pytest.raises(bertkit.BertkitError, match="broken.csv: the file has no rows"):
        train(tiny_bert, files, out, train="broken.csv", overwrite=True)
    after = weights(out)
    assert all((before[k] == after[k]).all() for k in before)
    train(tiny_bert, files, out, lr=1e-3, overwrite=True)  # a good overwrite does replace it
    assert not all((before[k] == weights(out)[k]).all() for k in before)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep"]  # no staging folder left behind


def test_interrupted_run_resumes_to_the_same_weights(tiny_bert, files, tmp_path):
    import torch
    from transformers import TrainerCallback

    from bertkit.errors import TrainingInterrupted

    class SignalAt(TrainerCallback):  # a real SIGINT to this process, in the middle of the run
        def on_step_end(self, args, state, control, **kwargs):
            if state.global_step == 3:
                os.kill(os.getpid(), signal.SIGINT)

    plain = train(tiny_bert, files, tmp_path / "plain", max_steps=8, lora=False)
    with pytest.raises(TrainingInterrupted, match=r"SIGINT at step 3/8: checkpoint saved"):
        train(tiny_bert, files, tmp_path / "cut", max_steps=8, callbacks=[SignalAt()])
    assert not (tmp_path / "cut").exists() and (tmp_path / "cut.partial" / "checkpoints" / "checkpoint-3").is_dir()
    resumed = train(tiny_bert, files, tmp_path / "cut", max_steps=8)
    assert resumed["resumed_from"].endswith("checkpoint-3")
    assert max(e["step"] for e in resumed["log_history"] if "loss" in e) == 8
    a, b = weights(tmp_path / "plain"), weights(tmp_path / "cut")
    assert set(a) == set(b)
    for name in a:
        assert torch.allclose(a[name], b[name], atol=1e-6, rtol=0), name
    assert plain["metrics"]["eval_accuracy"] == resumed["metrics"]["eval_accuracy"]


@pytest.mark.timeout(300)
def test_sigint_saves_a_checkpoint_and_exits_with_one_line(tiny_bert, files, tmp_path):
    out = tmp_path / "cli"
    env = dict(os.environ, PYTHONPATH=str(REPO), OMP_NUM_THREADS="1")
    cmd = [sys.executable, "-m", "bertkit", "train", "sst2", "--model", str(tiny_bert),
           "--train-file", str(files / "train.csv"), "--validation-file", str(files / "dev.csv"),
           "--column", "text=review", "--column", "label=sentiment", "--output", str(out),
           "--max-steps", "2000", "--batch-size", "4", "--precision", "fp32"]
    proc = subprocess.Popen(cmd, env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    err, started = [], threading.Event()

    def read():
        for chunk in iter(lambda: proc.stderr.read(64), ""):
            err.append(chunk)
            if "/2000 [" in "".join(err[-4:]):
                started.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    assert started.wait(240), "".join(err)[-2000:]
    time.sleep(0.5)
    proc.send_signal(signal.SIGINT)
    code = proc.wait(60)
    reader.join(10)
    text = "".join(err)
    assert code == 130, text[-2000:]
    assert "Traceback" not in text and "KeyboardInterrupt" not in text
    last = [line for line in text.replace("\r", "\n").splitlines() if line.strip()][-1]
    assert last.startswith("interrupted: SIGINT at step ") and "run the same command again to resume" in last
    step = int(last.split("at step ")[1].split("/")[0])
    checkpoints = {p.name for p in (tmp_path / "cli.partial" / "checkpoints").glob("checkpoint-*")}
    assert f"checkpoint-{step}" in checkpoints and not out.exists()  # saved at the step it stopped


def test_lora_checkpoints_hold_only_what_is_trained_and_resume_exactly(tiny_bert, files, tmp_path):
    import torch
    from safetensors.torch import load_file
    from transformers import TrainerCallback

    from bertkit.errors import TrainingInterrupted

    class SignalAt(TrainerCallback):
        def on_step_end(self, args, state, control, **kwargs):
            if state.global_step == 3:
                os.kill(os.getpid(), signal.SIGINT)

    train(tiny_bert, files, tmp_path / "plain", max_steps=8, lora=True, lora_r=4)
    with pytest.raises(TrainingInterrupted):
        train(tiny_bert, files, tmp_path / "cut", max_steps=8, lora=True, lora_r=4, callbacks=[SignalAt()])
    checkpoint = tmp_path / "cut.partial" / "checkpoints" / "checkpoint-3"
    names = {p.name for p in checkpoint.iterdir()}
    assert "adapter.safetensors" in names and "model.safetensors" not in names, names
    assert {"optimizer.pt", "scheduler.pt", "trainer_state.json"} <= names and any(n.startswith("rng_state") for n in names)
    adapter = load_file(str(checkpoint / "adapter.safetensors"))
    assert all("lora_" in n or "classifier" in n or "pooler" in n for n in adapter), sorted(adapter)[:5]
    full = (tiny_bert / "model.safetensors").stat().st_size
    assert (checkpoint / "adapter.safetensors").stat().st_size < full / 5  # the frozen encoder is not in it
    resumed = train(tiny_bert, files, tmp_path / "cut", max_steps=8, lora=True, lora_r=4)
    assert resumed["resumed_from"].endswith("checkpoint-3")
    a = load_file(str(tmp_path / "plain" / "adapter.safetensors"))
    b = load_file(str(tmp_path / "cut" / "adapter.safetensors"))
    assert set(a) == set(b)
    for name in a:
        assert torch.allclose(a[name], b[name], atol=1e-6, rtol=0), name
