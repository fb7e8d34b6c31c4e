"""`python -m bertkit predict TASK --file IN --output OUT.jsonl`: one line per input in input order,
resumed after a kill (a real process killed mid-run) and after a torn last line, refused into an OUT
that holds something else, and the same lines from two torchrun ranks as from one process."""
import contextlib
import io
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bertkit.cli import main

REPO = Path(__file__).resolve().parents[2]
ENV = dict(os.environ, PYTHONPATH=str(REPO), OMP_NUM_THREADS="1", TQDM_DISABLE="1")
pytestmark = pytest.mark.filterwarnings("ignore:.*has no trained")


@pytest.fixture(scope="module")
def classifier(tmp_path_factory) -> Path:
    """A tiny BERT with a (random but saved) sst2 head: every process loads the very same weights."""
    import torch
    from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification

    from bertkit.models import embedded_encoder_path

    folder = tmp_path_factory.mktemp("tiny-sst2")
    torch.manual_seed(0)
    config = BertConfig(vocab_size=30522, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=64, num_labels=2)
    BertForSequenceClassification(config).save_pretrained(str(folder))
    AutoTokenizer.from_pretrained(str(embedded_encoder_path())).save_pretrained(str(folder))
    return folder


def write_inputs(path: Path, n: int) -> Path:
    rng = random.Random(n)
    words = "a the film movie great dull boring wonderful plot actor long short moving".split()
    lines = [" ".join(rng.choice(words) for _ in range(rng.randint(1, 30))) for _ in range(n)]
    lines[3] = json.dumps({"text": "a JSON line " + lines[3]})
    lines.insert(5, "")  # blank lines are not inputs
    path.write_text("\n".join(lines) + "\n")
    return path


def command(model, inputs, output, *more):
    return ["sst2", "--model", str(model), "--file", str(inputs), "--output", str(output), "--batch-size", "4",
            "--no-progress", *more]


def cli(*args):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["predict", *args])
    return code, out.getvalue(), err.getvalue()


def subprocess_predict(args, ranks=None, **kw):
    launcher = ["-m", "torch.distributed.run", "--nproc_per_node", str(ranks)] if ranks else []
    return subprocess.Popen([sys.executable, *launcher, "-m", "bertkit", "predict", *args], env=ENV, cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


def labels(path: Path) -> list:
    return [json.loads(line)["label"] for line in path.read_text().splitlines()]


@pytest.fixture(scope="module")
def reference(classifier, tmp_path_factory):
    """An uninterrupted one-process run over 600 inputs."""
    folder = tmp_path_factory.mktemp("reference")
    inputs = write_inputs(folder / "in.txt", 600)
    code, stdout, stderr = cli(*command(classifier, inputs, folder / "out.jsonl"))
    assert code == 0, stderr
    assert json.loads(stdout)["written"] == 600
    return inputs, folder / "out.jsonl"


def test_one_line_per_input_in_order(classifier, reference, tmp_path):
    inputs, out = reference
    lines = out.read_text().splitlines()
    assert len(lines) == 600 and all(json.loads(line)["label"] in ("negative", "positive") for line in lines)
    # the same inputs printed one by one (no --output) give the same answers, line for line
    code, stdout, _ = cli("sst2", "--model", str(classifier), "--file", str(inputs), "--batch-size", "4")
    assert code == 0 and [json.loads(x)["label"] for x in stdout.splitlines()] == labels(out)


@pytest.mark.timeout(600)
def test_a_killed_run_resumes_after_its_last_complete_line(classifier, reference, tmp_path):
    inputs, full = reference
    out = tmp_path / "out.jsonl"
    proc = subprocess_predict(command(classifier, inputs, out))
    deadline = time.time() + 300
    while time.time() < deadline and (not out.exists() or out.read_text().count("\n") < 64):
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    written = out.read_text().count("\n")
    assert 64 <= written < 600, "kill it earlier: the run finished first"
    with open(out, "a") as f:
        f.write('{"label": "posi')  # a torn last line, as a kill in mid-write leaves
    code, stdout, stderr = cli(*command(classifier, inputs, out))
    assert code == 0, stderr
    summary = json.loads(stdout)
    assert summary["resumed_after"] == written and summary["written"] == 600 - written
    assert labels(out) == labels(full)
    for a, b in zip(out.read_text().splitlines(), full.read_text().splitlines()):
        assert json.loads(a)["score"] == pytest.approx(json.loads(b)["score"], abs=1e-5)


def test_a_different_run_into_the_same_output_is_refused(classifier, reference, tmp_path):
    inputs, full = reference
    out = tmp_path / "out.jsonl"
    out.write_text(full.read_text())
    (tmp_path / "out.jsonl.bertkit.json").write_text((full.parent / "out.jsonl.bertkit.json").read_text())
    before = out.read_text()
    other = write_inputs(tmp_path / "other.txt", 20)
    for args, names in ((command(classifier, other, out), "input"), (command(classifier, inputs, out, "--top-k", "1"), "options"),
                        (["mrpc", *command(classifier, inputs, out)[1:]], "task")):
        code, _, stderr = cli(*args)
        assert code == 2 and names in stderr and "Give another --output" in stderr, stderr
        assert out.read_text() == before
    foreign = tmp_path / "mine.jsonl"
    foreign.write_text('{"my": "notes"}\n')
    code, _, stderr = cli(*command(classifier, inputs, foreign))
    assert code == 2 and "not written by `bertkit predict --output`" in stderr
    assert foreign.read_text() == '{"my": "notes"}\n'


def test_a_bad_line_is_named_by_its_line_number(classifier, tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text('fine text\n{"text": "broken\n')
    code, _, stderr = cli(*command(classifier, bad, tmp_path / "out.jsonl"))
    assert code == 2 and f"{bad}:2" in stderr and "not valid JSON" in stderr


@pytest.mark.timeout(600)
def test_two_ranks_write_the_lines_of_one_process(classifier, reference, tmp_path):
    inputs, full = reference
    out = tmp_path / "ddp.jsonl"
    proc = subprocess_predict(command(classifier, inputs, out), ranks=2)
    stdout, stderr = proc.communicate(timeout=500)
    assert proc.returncode == 0, stderr[-3000:]
    summaries = [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]
    assert len(summaries) == 1 and summaries[0]["world_size"] == 2  # rank 0 alone writes and reports
    assert out.read_text().count("\n") == 600 and labels(out) == labels(full)
    for a, b in zip(out.read_text().splitlines(), full.read_text().splitlines()):
        assert json.loads(a)["score"] == pytest.approx(json.loads(b)["score"], abs=1e-5)
