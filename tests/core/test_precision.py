"""Serving precision: how `auto` is chosen and reported, and bf16 agreeing with fp32 for every family.

The bf16 agreement tests run on every CPU: torch computes bf16 correctly without AMX/AVX-512-bf16,
only slower, and the tiny model keeps them short."""
import json

import numpy as np
import pytest
import torch

import bertkit
from bertkit.api import choose_precision
from bertkit.errors import BertkitError
from bertkit.precision import cpu_features, cpu_precision_for_flags, resolve_precision

pytestmark = pytest.mark.filterwarnings("ignore:.*has no trained")


@pytest.mark.parametrize("flags, train, serve", [
    (["avx2"], "fp32", "fp32"),
    (["avx2", "avx512f", "avx512_vnni"], "fp32", "fp32"),
    (["avx2", "avx512f", "avx512_bf16"], "bf16", "fp32"),  # bf16 serving of short inputs was slower there
    (["avx2", "amx_bf16", "amx_int8"], "bf16", "bf16"),
    ([], "fp32", "fp32"),
])
def test_auto_follows_the_cpu_flags(flags, train, serve):
    assert cpu_precision_for_flags(flags) == train
    assert cpu_precision_for_flags(flags, "serve") == serve


def test_auto_on_this_cpu_is_what_its_flags_say():
    flags = cpu_features()["flags"]
    assert resolve_precision("auto", "cpu") == cpu_precision_for_flags(flags)
    assert resolve_precision("auto", "cpu", use="serve") == cpu_precision_for_flags(flags, "serve")


def test_explicit_precisions_are_kept_and_bad_ones_named():
    assert resolve_precision("fp32") == "fp32" and resolve_precision("BF16") == "bf16"
    with pytest.raises(BertkitError, match="fp16 runs only on a GPU"):
        resolve_precision("fp16", "cpu")
    with pytest.raises(BertkitError, match="auto, fp32, bf16, fp16"):
        resolve_precision("int4")


def test_auto_uses_bf16_only_for_models_measured_safe(monkeypatch):
    """The verdict logic on any CPU: resolve as on an AMX machine, where `auto` serves bf16."""
    import bertkit.api

    monkeypatch.setattr(bertkit.api, "resolve_precision", lambda value, device="cpu", use="train":
                        "bf16" if value in ("auto", "bf16") else value)
    assert choose_precision("auto", {"bf16_ok": True}) == "bf16"
    assert choose_precision("auto", {"bf16_ok": False}) == "fp32"
    assert choose_precision("auto", {}) == "fp32"  # no verdict (a hub checkpoint): fp32
    assert choose_precision("auto", None) == "fp32"
    assert choose_precision("auto", {"bf16_ok": "yes"}) == "fp32"  # only a real true counts
    assert choose_precision("bf16", {"bf16_ok": False}) == "bf16"  # asked for explicitly: honoured
    assert choose_precision("fp32", {"bf16_ok": True}) == "fp32"


def test_every_shipped_head_carries_its_measured_bf16_verdict():
    """scripts/bf16_verdicts.py wrote each verdict from its own numbers: ok iff |bf16 - fp32| <= tolerance."""
    from bertkit.models import HEADS_DIR

    heads = sorted(p for p in HEADS_DIR.iterdir() if (p / "bertkit.json").is_file())
    assert len(heads) >= 12
    for head in heads:
        meta = json.loads((head / "bertkit.json").read_text())
        check = meta["bf16_check"]
        assert isinstance(meta["bf16_ok"], bool), head.name
        assert meta["bf16_ok"] == (abs(check["bf16"] - check["fp32"]) <= check["tolerance"] + 1e-9), head.name
        assert check["examples"] > 0 and 0.0 <= check["same_predictions"] <= 1.0, head.name
        low, high = check["delta_ci"]  # evaluation compare's paired interval holds the difference
        assert low - 0.01 <= check["bf16"] - check["fp32"] <= high + 0.01, head.name


def test_environment_variable_is_the_default(tiny_bert, monkeypatch):
    monkeypatch.setenv("BERTKIT_PRECISION", "fp32")
    p = bertkit.load("sst2", str(tiny_bert), cache=False)
    assert p.precision == "fp32" and "precision='fp32'" in repr(p)
    monkeypatch.setenv("BERTKIT_PRECISION", "double")
    with pytest.raises(BertkitError, match="precision 'double'"):
        bertkit.load("sst2", str(tiny_bert), cache=False)


def test_cli_rejects_fp16_on_cpu_clearly(capsys):
    from bertkit.cli import main

    if torch.cuda.is_available():
        pytest.skip("a GPU runs fp16")
    assert main(["predict", "sst2", "a film", "--precision", "fp16"]) == 2
    assert "fp16 runs only on a GPU" in capsys.readouterr().err


def pair(tiny_bert, task):
    """The same randomly initialised head loaded twice: fp32 and bf16."""
    torch.manual_seed(0)
    p32 = bertkit.load(task, str(tiny_bert), cache=False, precision="fp32")
    torch.manual_seed(0)
    p16 = bertkit.load(task, str(tiny_bert), cache=False, precision="bf16")
    return p32, p16


def forward_outputs(p, task):
    """The family's per-feature forward outputs on the task's examples, as flat float arrays."""
    t = bertkit.get_task(task)
    items = [t.family.check_input(t, x) for x in t.examples]
    features = t.family.preprocess(p.context, items)
    outs = p.run(features, 8)
    if task == "fill-mask":  # top-k probabilities (ids may swap places between near-equal scores)
        return [np.asarray(scores, dtype=np.float64) for _, scores in outs]
    if task in ("squad", "squad_v2"):
        return [np.concatenate([s, e]).astype(np.float64) for s, e in outs]
    return [np.asarray(o, dtype=np.float64).ravel() for o in outs]


@pytest.mark.parametrize("task", [t for t in bertkit.task_names() if t != "translation"])
def test_bf16_agrees_with_fp32(tiny_bert, task):
    p32, p16 = pair(tiny_bert, task)
    assert (p32.precision, p16.precision) == ("fp32", "bf16")
    for a, b in zip(forward_outputs(p32, task), forward_outputs(p16, task)):
        assert a.dtype == b.dtype == np.float64 and a.shape == b.shape
        np.testing.assert_allclose(b, a, atol=0.02, rtol=0.05)
    outputs = p16(list(bertkit.get_task(task).examples))
    json.dumps(outputs)  # plain fp32 numbers: JSON-able
    assert set(bertkit.get_task(task).outputs) <= set(outputs[0])


def test_translation_bf16_agrees_with_fp32_and_beam_search_runs(tiny_bert):
    p32, p16 = pair(tiny_bert, "translation")
    batch = p32.tokenizer(["ein Mann fährt Rad."], return_tensors="pt")
    labels = p32.tokenizer(["a man rides a bike."], return_tensors="pt")["input_ids"]
    with torch.inference_mode():
        ref = p32.model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"], labels=labels).logits
        with p16.autocast():
            low = p16.model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"], labels=labels).logits
    np.testing.assert_allclose(low.float().softmax(-1).numpy(), ref.softmax(-1).numpy(), atol=0.02)
    out = p16(["ein Mann fährt Rad."], num_beams=2, max_new_tokens=5)
    assert isinstance(out[0]["text"], str)


def test_bf16_keeps_weights_fp32_outside_linear_layers_and_the_shared_base_intact():
    bf16 = bertkit.load("sst2", precision="bf16")
    fp32 = bertkit.load("cola", precision="fp32")
    layer = bf16.model.bert.encoder.layer[0]
    assert layer.attention.self.query.weight.dtype == torch.bfloat16  # merged LoRA, stored in bf16
    assert not any("lora" in n for n, _ in bf16.model.named_parameters())
    assert fp32.model.bert.encoder.layer[0].attention.self.query.weight.dtype == torch.float32
    embeddings = bf16.model.bert.embeddings.word_embeddings.weight
    assert embeddings.dtype == torch.float32
    assert embeddings is fp32.model.bert.embeddings.word_embeddings.weight  # heads share the base
    # outside autocast (the demo's saliency takes gradients through the model) fp32 stays fp32
    ids = bf16.tokenizer("a fine film", return_tensors="pt")
    assert bf16.model(**ids).logits.dtype == torch.float32
