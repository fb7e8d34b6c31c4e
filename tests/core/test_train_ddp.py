"""Two real processes under torchrun (DDP, gloo on CPU): both ranks train, rank 0 writes, and the
logged loss is the single-process loss for the same global batch (not the world size times it)."""
import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.filterwarnings("ignore:.*has no trained")


@pytest.mark.timeout(600)
def test_torchrun_two_ranks_train_with_the_single_process_loss(tiny_bert, tmp_path):
    rows = [("a wonderful, moving film", "positive"), ("dull and far too long", "negative")] * 16
    with open(tmp_path / "train.csv", "w", newline="") as f:
        csv.writer(f).writerows([("review", "sentiment"), *rows])
    common = ["sst2", "--model", str(tiny_bert), "--train-file", str(tmp_path / "train.csv"),
              "--column", "text=review", "--column", "label=sentiment", "--max-steps", "3", "--batch-size", "8",
              "--lora", "--precision", "fp32", "--seed", "5"]
    env = dict(os.environ, PYTHONPATH=str(REPO), OMP_NUM_THREADS="1", TQDM_DISABLE="1")
    ddp = subprocess.run([sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2", "-m", "bertkit", "train",
                          *common, "--output", str(tmp_path / "ddp")], env=env, capture_output=True, text=True,
                         timeout=540, cwd=REPO)
    assert ddp.returncode == 0, ddp.stderr[-3000:]
    meta = json.loads((tmp_path / "ddp" / "bertkit.json").read_text())
    assert meta["world_size"] == 2
    assert len(meta["rows_per_rank"]) == 2 and all(n == 3 * 4 for n in meta["rows_per_rank"])  # 3 steps x 8 / 2
    assert "2 processes" in (tmp_path / "ddp" / "README.md").read_text()
    assert ddp.stdout.count('"output"') == 1  # only rank 0 prints the result

    from bertkit.training import train

    single = train(common[0], model=str(tiny_bert), train_file=str(tmp_path / "train.csv"),
                   columns={"text": "review", "label": "sentiment"}, max_steps=3, batch_size=8, lora=True,
                   precision="fp32", seed=5, output=str(tmp_path / "one"), progress=False)
    first = lambda history: next(e["loss"] for e in history if "loss" in e)  # noqa: E731
    ddp_state = meta["metrics"]  # the logged losses are in the trainer's log, printed as JSON lines
    ddp_losses = [float(line.split("'loss': '")[1].split("'")[0]) for line in ddp.stdout.splitlines() if "'loss': '" in line]
    assert ddp_losses, ddp.stdout[-2000:]
    assert ddp_state and 0.8 < ddp_losses[0] / first(single["log_history"]) < 1.25  # ~1, not ~2
