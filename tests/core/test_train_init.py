"""--init-from: a LoRA run starts from an earlier LoRA output (intermediate training), checked first."""
import pytest
import torch
from safetensors.torch import load_file

import bertkit
from train_data import write_csv
from bertkit.lora import dequantize
from bertkit.recipe import RecipeError


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("init-data")
    rows = [("a wonderful film", "positive"), ("a boring mess", "negative")] * 8
    for name in ("train.csv", "dev.csv"):
        write_csv(folder / name, rows, header=("text", "label"))
    return folder


def train(tiny_bert, files, out, **kw):
    args = dict(model=str(tiny_bert), train_file=str(files / "train.csv"), validation_file=str(files / "dev.csv"),
                output=str(out), batch_size=8, lr=1e-2, progress=False, lora=True, lora_r=4, max_steps=4)
    args.update(kw)
    return bertkit.train("sst2", **args)


def test_init_from_starts_where_the_earlier_adapter_ended(tiny_bert, files, tmp_path):
    first = tmp_path / "first"
    train(tiny_bert, files, first)
    second = tmp_path / "second"
    result = train(tiny_bert, files, second, init_from=str(first), lr=1e-12, max_steps=1)
    a = dequantize(load_file(str(first / "adapter.safetensors")))
    b = dequantize(load_file(str(second / "adapter.safetensors")))
    assert a.keys() == b.keys() and any("lora_B" in k for k in a)
    for name in a:  # lr 1e-12: one step leaves the copied weights where they were
        assert torch.allclose(a[name], b[name], atol=1e-6), name
    assert result["already_trained"] is False
    card = (second / "README.md").read_text()
    assert f"--init-from {first}" in card  # the card's Recreate line names the starting adapter


def test_init_from_is_checked_before_training(tiny_bert, files, tmp_path):
    first = tmp_path / "first"
    train(tiny_bert, files, first)
    with pytest.raises(RecipeError, match="add --lora"):
        train(tiny_bert, files, tmp_path / "x", init_from=str(first), lora=False)
    with pytest.raises(RecipeError, match="pass --lora-r 4"):
        train(tiny_bert, files, tmp_path / "x", init_from=str(first), lora_r=8)
    with pytest.raises(RecipeError, match="not a bertkit LoRA output"):
        train(tiny_bert, files, tmp_path / "x", init_from=str(tmp_path))
    assert not (tmp_path / "x").exists() and not (tmp_path / "x.partial").exists()
