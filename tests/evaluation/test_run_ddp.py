"""`torchrun --nproc_per_node 2 -m evaluation run` (two real processes, gloo on CPU) writes the file a
one-process run writes: the same scores and the same per-example predictions, for a classification,
a tagging and a QA task; the manifest says how many processes scored it; a rerun reuses it."""
import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
TASKS = "sst2,ner,squad"  # classification, tagging, QA (squad: the group, squad and squad_v2)
pytestmark = pytest.mark.filterwarnings("ignore:.*has no trained")


def evaluate(tiny_bert, data_dir, output, ranks=None):
    launcher = ["-m", "torch.distributed.run", "--nproc_per_node", str(ranks)] if ranks else []
    # one thread each: the one-process run does the same sums in the same order as every rank
    env = dict(os.environ, PYTHONPATH=str(REPO), OMP_NUM_THREADS="1", TQDM_DISABLE="1", BERTKIT_DATA_DIR=str(data_dir))
    done = subprocess.run([sys.executable, *launcher, "-m", "evaluation", "run", "--model", str(tiny_bert),
                           "--tasks", TASKS, "--limit", "12", "--batch-size", "4", "--output", str(output),
                           "--no-progress"], env=env, capture_output=True, text=True, timeout=500, cwd=REPO)
    assert done.returncode == 0, done.stderr[-3000:]
    return done


def results(folder: Path) -> dict:
    files = list(folder.glob("*.json"))
    assert len(files) == 1, files
    return json.loads(files[0].read_text())


@pytest.mark.timeout(900)
def test_two_ranks_score_what_one_process_scores(tiny_bert, data_dir, tmp_path):
    evaluate(tiny_bert, data_dir, tmp_path / "one")
    ddp = evaluate(tiny_bert, data_dir, tmp_path / "two", ranks=2)
    one, two = results(tmp_path / "one"), results(tmp_path / "two")
    assert one["manifest"]["world_size"] == 1 and two["manifest"]["world_size"] == 2
    assert list(two["tasks"]) == ["sst2", "ner", "squad", "squad_v2"]
    for name, entry in one["tasks"].items():
        other = two["tasks"][name]
        assert entry["status"] == other["status"] == "scored", (name, other.get("reason"))
        assert other["n_examples"] == entry["n_examples"] == 12
        assert other["scores"] == entry["scores"], name  # values and bootstrap intervals, exactly
        assert other["counts"] == entry["counts"]
        lines = [gzip.open(folder / e["predictions"], "rt").read()
                 for folder, e in ((tmp_path / "one", entry), (tmp_path / "two", other))]
        assert lines[0] == lines[1], name  # every example's prediction and statistics, in the same order
    assert ddp.stdout.count("results: ") == 1  # rank 0 alone prints (and writes)

    again = evaluate(tiny_bert, data_dir, tmp_path / "two", ranks=2)  # resumable as a one-process run is
    assert "nothing new" in again.stdout and len(list((tmp_path / "two").glob("*.json"))) == 1
