"""Local folders on a public server: refused on a Space (or with BERTKIT_ALLOW_LOCAL_MODELS=0), except
the folders the operator configured and the Fine-tune tab's own runs of this process."""
import os
from pathlib import Path

import gradio as gr
import pytest

pytestmark = [pytest.mark.filterwarnings("ignore:.*has no trained"), pytest.mark.timeout(300)]


# ---- local folders on a public server ---------------------------------------------------------
@pytest.fixture
def visitor_folder(tiny, tmp_path, monkeypatch):
    """A model folder on the server's disk that the app did not make, with nothing trusted yet."""
    import shutil

    from demo import policy

    monkeypatch.setattr(policy, "_TRUSTED_FOLDERS", set())
    monkeypatch.delenv("BERTKIT_ALLOW_LOCAL_MODELS", raising=False)
    monkeypatch.delenv("SPACE_ID", raising=False)
    return str(shutil.copytree(tiny, tmp_path / "visitor-model"))


def test_local_folders_are_refused_on_a_space(visitor_folder, tiny, monkeypatch):
    import shutil
    import tempfile

    from demo import classify, model, pair, tokenizer
    from demo import policy as common

    assert common.model_name(visitor_folder) == visitor_folder  # a local run takes any folder
    monkeypatch.setenv("SPACE_ID", "someone/bertkit")
    refused = [lambda m: classify.classify("fine", "sst2", m), lambda m: tokenizer.tokenize("fine", "", m),
               lambda m: model.model_info("sst2", m)]
    for value in (visitor_folder, "/etc", "./no/such", "~/models", "bertkit/heads/stsb"):
        for call in refused:
            with pytest.raises(gr.Error) as info:
                call(value)
            assert "local model folders are turned off on this server (this app runs on a Hugging Face Space" \
                   in info.value.message and "BERTKIT_ALLOW_LOCAL_MODELS=1" in info.value.message
    assert common.model_name(" default ") == "default" and common.model_name("") == "default"
    assert common.model_name("bert-base-uncased") == "bert-base-uncased"  # hub ids still go through
    with pytest.raises(gr.Error, match="unreachable \\(offline\\)"):
        classify.classify("fine", "sst2", "org/not-a-cached-model")
    from demo.finetune_files import new_work_folder, release

    planted = Path(tempfile.mkdtemp(prefix=common.FINETUNE_PREFIX))  # named like the tab's, made by someone else
    try:
        shutil.copytree(tiny, planted / "bertkit-mrpc-lora")
        with pytest.raises(gr.Error, match="turned off"):
            pair.pair("A man sings.", "A man is singing.", "mrpc", str(planted / "bertkit-mrpc-lora"))
    finally:
        shutil.rmtree(planted)
    folder = new_work_folder()  # what the Fine-tune tab makes (registered in this process)
    release(folder)
    work = folder.path
    try:
        trained = str(shutil.copytree(tiny, work / "bertkit-mrpc-lora"))
        label, _, raw = pair.pair("A man sings.", "A man is singing.", "mrpc", trained)
        assert raw["label"] in label
        sneaky = str(work / os.path.relpath(visitor_folder, work))  # /tmp/bertkit-finetune-x/../…/visitor-model
        with pytest.raises(gr.Error, match="turned off"):
            pair.pair("A man sings.", "A man is singing.", "mrpc", sneaky)
        [results] = pair.pair_batch(["A man sings."] * 2, ["A man is singing."] * 2, ["mrpc"] * 2,
                                    [trained, visitor_folder])
        assert "label" in results[0] and "turned off" in results[1]["error"]  # one bad model, one answer
    finally:
        shutil.rmtree(work)


def test_local_folder_switches(visitor_folder, monkeypatch):
    from demo import policy as common
    from demo.common import DemoConfig
    from demo.policy import model_name

    monkeypatch.setenv("BERTKIT_ALLOW_LOCAL_MODELS", "0")  # off without a Space
    with pytest.raises(gr.Error, match=r"turned off on this server \(BERTKIT_ALLOW_LOCAL_MODELS=0\)"):
        model_name(visitor_folder)
    DemoConfig(model="default", models=[visitor_folder])  # a folder the server's operator offers
    assert model_name(visitor_folder) == visitor_folder
    common._TRUSTED_FOLDERS.clear()
    monkeypatch.setenv("SPACE_ID", "someone/bertkit")
    monkeypatch.setenv("BERTKIT_ALLOW_LOCAL_MODELS", "1")  # the operator's override
    assert model_name(visitor_folder) == visitor_folder
