"""Training smoke tests on the tiny BERT: loss goes down, artifacts load back, label sets, budgets.

Resume and run identity: test_train_resume.py; inputs: test_train_inputs.py; DDP: test_train_ddp.py."""
import json
from pathlib import Path

import pytest

import bertkit
from train_data import REVIEWS, write_csv

pytestmark = pytest.mark.filterwarnings("ignore:.*has no trained")
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def sentiment_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("user-data")
    rows = REVIEWS * 16
    for name, part in (("train.csv", rows), ("dev.csv", rows[:8])):
        write_csv(folder / name, part)
    return folder


def run_train(tiny_bert, files, output, **kw):
    args = dict(model=str(tiny_bert), train_file=str(files / "train.csv"), validation_file=str(files / "dev.csv"),
                columns={"text": "review", "label": "sentiment"}, output=str(output), batch_size=8, lr=3e-3,
                progress=False, seed=1)
    args.update(kw)
    return bertkit.train("sst2", **args)


def losses(result):
    return [entry["loss"] for entry in result["log_history"] if "loss" in entry]


def test_full_fine_tuning_learns_and_reloads(tiny_bert, sentiment_files, tmp_path):
    result = run_train(tiny_bert, sentiment_files, tmp_path / "full", max_steps=40)
    curve = losses(result)
    assert curve[-1] < curve[0]
    assert result["metrics"]["eval_accuracy"] == 1.0
    out = tmp_path / "full"
    assert (out / "model.safetensors").exists() and not list(out.glob("*.bin"))
    meta = json.loads((out / "bertkit.json").read_text())
    assert meta["task"] == "sst2" and meta["format"] == "full"
    assert meta["world_size"] == 1 and meta["precision"] in ("fp32", "bf16") and meta["fingerprint"]["task"] == "sst2"
    assert not (out / "checkpoints").exists() and not (tmp_path / "full.partial").exists()  # the artifact only
    card = (out / "README.md").read_text()
    assert "train.csv" in card and "sha256" in card and "eval_accuracy" in card and "--seed 1" in card
    predictor = bertkit.load("sst2", str(out), cache=False)
    assert predictor("a wonderful, moving film")["label"] == "positive"  # the reloaded model is the trained one
    assert predictor("a boring mess")["label"] == "negative"
    assert predictor.head_trained


def test_lora_adapter_is_small_and_reloads(tiny_bert, sentiment_files, tmp_path):
    from safetensors.torch import load_file

    out = tmp_path / "lora"
    run_train(tiny_bert, sentiment_files, out, max_steps=16, lora=True, lora_r=4, half=True, lr=1e-2)
    adapter = out / "adapter.safetensors"
    assert adapter.exists() and not (out / "model.safetensors").exists()
    assert adapter.stat().st_size < (Path(tiny_bert) / "model.safetensors").stat().st_size / 4
    state = load_file(str(adapter))
    lora_b = [t for n, t in state.items() if "lora_B" in n]
    assert lora_b and any(t.abs().sum() > 0 for t in lora_b)  # B starts at zero: non-zero means it trained
    assert {"classifier.weight", "classifier.bias"} <= set(state) and all(t.dtype.is_floating_point for t in state.values())
    assert {t.dtype for t in state.values()} == {__import__("torch").float16}
    out_scores = bertkit.load("sst2", str(out), cache=False)("a boring mess")["scores"]
    assert abs(sum(out_scores.values()) - 1) < 1e-4


def test_bad_user_label_is_named(tiny_bert, sentiment_files, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("review,sentiment\ngood film,maybe\n")
    with pytest.raises(bertkit.BertkitError, match=r"only \['maybe'\]; a classifier needs at least two labels"):
        run_train(tiny_bert, sentiment_files, tmp_path / "x", train_file=str(bad), max_steps=1)


def test_evaluation_only_task_refuses_training():
    with pytest.raises(bertkit.BertkitError, match="no training data"):
        bertkit.train("qnli")


def test_users_own_label_set_trains_a_matching_head(tiny_bert, tmp_path):
    rows = "review,mood\n" + "".join(f"{t},{m}\n" for t, m in [("great", "happy"), ("awful", "sad"), ("fine", "meh")] * 8)
    (tmp_path / "three.csv").write_text(rows)
    out = tmp_path / "three"
    bertkit.train("sst2", model=str(tiny_bert), train_file=str(tmp_path / "three.csv"),
                  validation_file=str(tmp_path / "three.csv"), columns={"text": "review", "label": "mood"},
                  labels=["happy", "meh", "sad"], output=str(out), max_steps=2, batch_size=8, lora=True, progress=False)
    assert json.loads((out / "bertkit.json").read_text())["labels"] == ["happy", "meh", "sad"]
    scores = bertkit.load("sst2", str(out), cache=False)("great")["scores"]
    assert set(scores) == {"happy", "meh", "sad"}


def test_callbacks_see_every_step(tiny_bert, sentiment_files, tmp_path):
    from transformers import TrainerCallback

    steps = []

    class Spy(TrainerCallback):
        def on_step_end(self, args, state, control, **kwargs):
            steps.append(state.global_step)

    run_train(tiny_bert, sentiment_files, tmp_path / "cb", max_steps=3, callbacks=[Spy()])
    assert steps == [1, 2, 3]


def test_hub_dataset_offline_fails_fast(tiny_bert, tmp_path, monkeypatch):
    import time

    from bertkit.data import DataError

    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    start = time.time()
    with pytest.raises(DataError, match="unreachable"):
        bertkit.train("sst2", model=str(tiny_bert), hub_data=True, output=str(tmp_path / "hub"), progress=False)
    assert time.time() - start < 5


def test_int8_adapter_storage_round_trips(tiny_bert, monkeypatch):
    import torch

    from bertkit import lora
    from bertkit.lora import SCALE, adapter_state, add_lora, dequantize

    monkeypatch.setattr(lora, "INT8_MIN_SIZE", 512)  # the tiny model's 32x32 cross-attention counts as large
    INT8_MIN_SIZE = 512
    task = bertkit.get_task("translation")
    model, _ = task.family.build_model(task, tiny_bert)
    settings = add_lora(model, task.family.head_modules, r=4)
    full = adapter_state(model, settings)
    packed = adapter_state(model, settings, int8=True)
    big = [n for n, t in full.items() if t.ndim == 2 and t.numel() >= INT8_MIN_SIZE]
    assert big and all(packed[n].dtype == torch.int8 and n + SCALE in packed for n in big)
    restored = dequantize(packed)
    assert set(restored) == set(full)
    for name in big:  # per-row absmax int8: about half a step of the row scale (+ the fp16 scale rounding)
        step = full[name].abs().amax(dim=1, keepdim=True) / 127
        assert ((restored[name] - full[name]).abs() <= 0.6 * step + 1e-6).all()


def test_requantize_file_shrinks_an_fp16_adapter_and_keeps_its_values(tmp_path):
    import torch
    from safetensors.torch import load_file, save_file

    from bertkit.lora import SCALE, dequantize, requantize_file

    torch.manual_seed(0)
    state = {"lora_A.weight": torch.randn(16, 384).half(), "lora_B.weight": torch.randn(384, 16).half(),
             "classifier.weight": torch.randn(2, 384).half(), "classifier.bias": torch.zeros(2).half()}
    path = tmp_path / "adapter.safetensors"
    save_file(state, str(path))
    before = path.stat().st_size
    requantize_file(path)
    packed = load_file(str(path))
    assert packed["lora_A.weight"].dtype == torch.int8 and "lora_A.weight" + SCALE in packed
    assert packed["classifier.weight"].dtype == torch.float16  # small weights stay fp16
    assert path.stat().st_size < 0.6 * before
    restored = dequantize(packed)
    for name in ("lora_A.weight", "lora_B.weight"):
        step = state[name].float().abs().amax(dim=1, keepdim=True) / 127
        assert ((restored[name] - state[name].float()).abs() <= 0.6 * step + 1e-3).all()


@pytest.mark.parametrize("task_name", ["sst2", "squad", "ner", "srl", "fill-mask", "translation"])
def test_every_newly_initialised_weight_is_saved_in_the_adapter(tiny_bert, task_name):
    """A weight the base checkpoint lacks is random at load time: the adapter must carry it."""
    import torch

    from bertkit.lora import add_lora, is_trained

    task = bertkit.get_task(task_name)
    builds = []
    for seed in (1, 2):
        torch.manual_seed(seed)
        model, _ = task.family.build_model(task, tiny_bert)
        builds.append(dict(model.named_parameters()))
    random = [n for n, p in builds[0].items() if not torch.equal(p, builds[1][n])]
    assert random, "every family adds at least one new weight"
    settings = add_lora(model, task.family.head_modules, r=2)
    assert [n for n in random if not is_trained(n, settings)] == []


def test_time_budget_stops_early_with_a_last_evaluation(tiny_bert, sentiment_files, tmp_path):
    out = tmp_path / "budget"
    result = run_train(tiny_bert, sentiment_files, out, epochs=50, max_minutes=1e-4, lora=True)  # 6 ms
    steps = [e["step"] for e in result["log_history"] if "loss" in e or "eval_accuracy" in e]
    last_step = max(e.get("step", 0) for e in result["log_history"])
    assert last_step < 8 * 50  # 50 epochs of 8 steps were asked for; the budget stopped it at once
    evaluated = [e for e in result["log_history"] if "eval_accuracy" in e and e["step"] == last_step]
    assert evaluated, f"no evaluation at the stopping step {last_step}: {steps}"
    assert (out / "adapter.safetensors").exists()
    assert not (out / "checkpoints").exists() and not (tmp_path / "budget.partial").exists()  # artifact only
    assert "--max-minutes 0.0001" in (out / "README.md").read_text()
