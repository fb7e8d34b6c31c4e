"""Bad input gets a clear error that names the problem; nothing hangs on the network."""
import time
import warnings

import pytest

import bertkit
from bertkit.errors import InputError, MissingHeadError, ModelError, UnknownTaskError

pytestmark = pytest.mark.filterwarnings("ignore:.*has no trained")


@pytest.fixture(scope="module")
def load(tiny_bert):
    return lambda name: bertkit.load(name, str(tiny_bert))


def test_unknown_task_lists_valid_ones():
    with pytest.raises(UnknownTaskError, match="valid tasks: fill-mask, sst2"):
        bertkit.get_task("sentiment")
    with pytest.raises(KeyError):  # also a KeyError, as registries usually raise
        bertkit.load("nope")


@pytest.mark.parametrize("task, bad, message", [
    ("sst2", "", "empty"),
    ("sst2", "   \n ", "empty"),
    ("sst2", 42, "must be a string"),
    ("fill-mask", "no mask here", r"no \[MASK\]"),
    ("mrpc", "only one text", "takes a pair"),
    ("squad", {"question": "Who?"}, "question.*context"),
    ("squad", {"question": "Who?", "context": ""}, "context is empty"),
    ("srl", {"text": "Mary sold it.", "predicate": 9}, "out of range"),
    ("srl", {"text": "Mary sold it.", "predicate": "sold"}, "word index"),
])
def test_bad_inputs(load, task, bad, message):
    with pytest.raises(InputError, match=message):
        load(task)(bad)


@pytest.mark.parametrize("task, options, message", [
    ("sst2", {"top_k": 3}, r"sst2 takes no option top_k; its options: truncate \(bool\)"),
    ("ner", {"truncate": True}, "ner takes no option truncate; its options: none"),
    ("translation", {"num_beams": 0}, r"num_beams=0 is out of range: int in \[1, 32\]"),
    ("squad_v2", {"threshold": 2}, r"threshold=2.0 is out of range: float in \[0.0, 1.0\]"),
    ("squad", {"top_k": "five"}, "top_k must be int"),
    ("fill-mask", {"top_k": 2.5}, "top_k must be int"),
    ("fill-mask", {"truncate": True}, r"fill-mask takes no option truncate; its options: top_k \(int in \[1, 1000\]\)"),
])
def test_unknown_or_out_of_range_options_name_the_valid_ones(load, task, options, message):
    example = bertkit.get_task(task).examples[0]
    with pytest.raises(InputError, match=message):
        load(task)(example, **options)


def test_declared_options_in_range_are_accepted(load):
    assert len(load("fill-mask")("Paris is the [MASK] of France.", top_k=2)["masks"][0]["candidates"]) == 2
    assert len(load("squad")(bertkit.get_task("squad").examples[0], top_k=1.0)["top_k"]) <= 1  # 1.0 is an int
    assert "text" in load("translation")("Ein Mann.", num_beams=1, max_new_tokens=3)


@pytest.mark.parametrize("task", ["sst2", "fill-mask", "translation"])
def test_text_longer_than_the_model_is_refused_not_truncated(load, task):
    text = "word " * 600 + ("[MASK]" if task == "fill-mask" else "")
    with pytest.raises(InputError, match="at most 512"):
        load(task)(text)


def test_truncation_only_when_asked(load):
    assert "label" in load("sst2")("word " * 600, truncate=True)


def test_control_characters_are_cleaned(load):
    assert "label" in load("sst2")("good\x00 film\x07")


def test_list_error_names_the_bad_item(load):
    with pytest.raises(InputError, match="input 1: text is empty"):
        load("sst2")(["fine", ""])


def test_missing_folder(tmp_path):
    with pytest.raises(ModelError, match="no model folder"):
        bertkit.load("sst2", str(tmp_path / "missing"))


def test_folder_without_model(tmp_path):
    with pytest.raises(ModelError, match="not a model folder"):
        bertkit.load("sst2", str(tmp_path))


def test_hub_id_offline_fails_fast(monkeypatch):
    from bertkit import models

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    start = time.time()
    with pytest.raises(ModelError, match="unreachable.*local folder"):
        bertkit.load("sst2", "bert-base-uncased", cache=False)
    assert time.time() - start < 2.0


def test_hub_probe_times_out(monkeypatch):
    """A connect that never answers (simulated: no traffic leaves the machine) gives up on time."""
    from bertkit import models

    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    def never_answers(*args, **kwargs):
        time.sleep(3)
        raise OSError("timed out")

    monkeypatch.setattr(models.socket, "create_connection", never_answers)
    models._hub_state.clear()
    start = time.time()
    assert models.hub_reachable(timeout=0.5) is False
    assert time.time() - start < 1.5
    models._hub_state.clear()


def test_pickle_weights_need_explicit_flag(tiny_bert, tmp_path):
    import shutil

    import torch
    from safetensors.torch import load_file

    folder = tmp_path / "pickled"
    shutil.copytree(tiny_bert, folder)
    state = load_file(str(folder / "model.safetensors"))
    (folder / "model.safetensors").unlink()
    torch.save(state, folder / "pytorch_model.bin")
    with pytest.raises(ModelError, match="pickle"):
        bertkit.load("sst2", str(folder), cache=False)


def test_default_without_head_says_how_to_train(monkeypatch, tmp_path):
    from bertkit import models

    monkeypatch.setattr(models, "HEADS_DIR", tmp_path)
    with pytest.raises(MissingHeadError, match="python -m bertkit train wnli"):
        bertkit.load("wnli", cache=False)


def test_adapter_for_another_task_is_refused(tmp_path):
    (tmp_path / "bertkit.json").write_text('{"task": "ner", "format": "lora"}')
    with pytest.raises(ModelError, match="trained for 'ner'"):
        bertkit.load("sst2", str(tmp_path), cache=False)


def test_org_slash_name_is_a_hub_id_not_a_path(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(ModelError, match="Hub is unreachable"):
        bertkit.load("sst2", "textattack/bert-base-uncased-SST-2", cache=False)
