"""ONNX export and the onnxruntime backend: round trip against torch on the tiny model, clear errors."""
import json

import pytest
import torch

import bertkit
from bertkit.errors import BertkitError, ModelError
from bertkit.onnx_export import export

pytestmark = pytest.mark.filterwarnings("ignore:.*has no trained")
EXPORTED = ["sst2", "mrpc", "stsb", "squad", "ner", "srl", "fill-mask"]


@pytest.fixture(scope="module")
def trained(tiny_bert, tmp_path_factory):
    """Per task, a folder holding the tiny model with a (random, now saved) head: a 'trained' model."""
    root = tmp_path_factory.mktemp("tiny-heads")

    def make(task):
        folder = root / task
        if not folder.exists():
            torch.manual_seed(0)
            p = bertkit.load(task, str(tiny_bert), cache=False, precision="fp32")
            p.model.save_pretrained(str(folder))
            p.tokenizer.save_pretrained(str(folder))
        return folder

    return make


def close(a, b, tol=1e-4):
    """Same JSON structure and strings; numbers within `tol`."""
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(close(a[k], b[k], tol) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(close(x, y, tol) for x, y in zip(a, b))
    if isinstance(a, float):
        return abs(a - b) <= tol
    return a == b


@pytest.mark.parametrize("task", EXPORTED)
def test_onnx_round_trip_matches_torch(trained, tmp_path, task):
    folder = trained(task)
    out = export(task, str(folder), output=tmp_path / "onnx")
    meta = json.loads((out / "bertkit.json").read_text())
    assert meta["format"] == "onnx" and meta["task"] == task and meta["precision"] == "fp32"
    assert {"model.onnx", "config.json", "tokenizer.json", "README.md"} <= {p.name for p in out.iterdir()}
    onnx = bertkit.load(task, str(out), cache=False)
    torch_p = bertkit.load(task, str(folder), cache=False, precision="fp32")
    assert onnx.backend == "onnxruntime" and "backend='onnxruntime'" in repr(onnx)
    examples = list(bertkit.get_task(task).examples)
    got, want = onnx(examples, batch_size=2), torch_p(examples, batch_size=2)
    assert close(got, want), (got, want)


def test_int8_export_serves_the_same_keys(trained, tmp_path):
    out = export("sst2", str(trained("sst2")), output=tmp_path / "int8", int8=True)
    p = bertkit.load("sst2", str(out), cache=False)
    assert p.precision == "int8"
    result = p("a charming film")
    assert set(result) == {"label", "score", "scores"} and abs(sum(result["scores"].values()) - 1) < 1e-4
    with pytest.raises(ModelError, match="fixed at export"):
        bertkit.load("sst2", str(out), cache=False, precision="bf16")


def test_generation_tasks_refuse_export_clearly(tmp_path, capsys):
    with pytest.raises(BertkitError, match="translation cannot be exported to ONNX.*Exportable tasks: .*sst2"):
        export("translation", output=tmp_path / "t")
    assert not (tmp_path / "t").exists()
    from bertkit.cli import main

    assert main(["export", "translation", "--output", str(tmp_path / "t")]) == 2
    assert "cannot be exported" in capsys.readouterr().err


def test_export_never_overwrites_a_different_folder(trained, tmp_path):
    folder = trained("sst2")
    target = tmp_path / "mine"
    target.mkdir()
    (target / "notes.txt").write_text("my work")
    with pytest.raises(BertkitError, match="refusing to overwrite"):
        export("sst2", str(folder), output=target)
    assert (target / "notes.txt").read_text() == "my work" and len(list(target.iterdir())) == 1
    out = export("sst2", str(folder), output=tmp_path / "onnx")
    again = export("sst2", str(folder), output=tmp_path / "onnx")  # the same export: replaced
    assert again == out and (out / "model.onnx").exists()
    with pytest.raises(BertkitError, match="refusing to overwrite"):
        export("cola", str(folder), output=out)  # another task's export
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging folders left


def test_export_refuses_an_untrained_head(tiny_bert, tmp_path):
    with pytest.raises(BertkitError, match="no trained sst2 head"):
        export("sst2", str(tiny_bert), output=tmp_path / "x")
