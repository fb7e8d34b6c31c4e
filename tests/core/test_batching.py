"""How the predictor forms batches on a CPU (a cap on padded tokens) and the vocabulary projection's
(W @ x^T)^T form: both change speed only, never which features are forwarded or what comes out."""
import numpy as np
import pytest
import torch

import bertkit
from bertkit import predictor as predictor_module
from bertkit.families import vocab
from bertkit.families.vocab import projection, wide_linear

pytestmark = [pytest.mark.filterwarnings("ignore:.*has no trained"), pytest.mark.usefixtures("one_thread")]


def test_cpu_batches_hold_at_most_the_token_budget(tiny_bert):
    p = bertkit.load("squad", str(tiny_bert), cache=False)
    budget = p.token_budget()
    assert budget == predictor_module.CPU_ACTIVATIONS // 64  # the tiny model's intermediate_size
    rng = np.random.default_rng(0)
    lengths = [int(n) for n in rng.integers(5, 500, size=300)] + [budget + 7]  # one alone is over it
    batches = p.batches(lengths, 64)
    assert sorted(i for b in batches for i in b) == list(range(len(lengths)))  # each feature once
    flat = [lengths[i] for b in batches for i in b]
    assert flat == sorted(flat)  # length-sorted, as before
    for b in batches:
        longest = max(lengths[i] for i in b)
        assert len(b) <= 64
        assert len(b) * longest <= budget or len(b) == 1
    assert [len(b) for b in p.batches([10] * 200, 64)] == [64, 64, 64, 8]  # short inputs: batch_size rules


def test_translation_and_other_devices_have_no_budget(tiny_bert, monkeypatch):
    assert bertkit.get_task("translation").family.cpu_token_budget is False
    p = bertkit.load("sst2", str(tiny_bert), cache=False)
    monkeypatch.setattr(p, "device", torch.device("meta"))  # any device but a CPU
    assert p.token_budget() == float("inf")
    assert [len(b) for b in p.batches([400] * 100, 64)] == [64, 36]


def test_answers_do_not_depend_on_the_budget(tiny_bert, monkeypatch):
    task = bertkit.get_task("squad")
    p = bertkit.load("squad", str(tiny_bert), cache=False)
    context = " ".join(f"Sentence {i} says the river {i} flows north into lake {i}." for i in range(60))
    items = [{"question": f"Where does river {i} flow?", "context": context[:200 * (i + 1)]} for i in range(12)]
    lengths = [len(f["input_ids"]) for f in task.family.preprocess(p.context, items)]
    monkeypatch.setattr(predictor_module, "CPU_ACTIVATIONS", 64 * 800)  # 800 tokens: batches of 2-10 windows
    assert len(p.batches(lengths, 64)) > 3
    capped = p(items)
    monkeypatch.setattr(predictor_module, "CPU_ACTIVATIONS", 10 ** 12)
    assert len(p.batches(lengths, 64)) == 1
    whole = p(items)
    assert [a["answer"] for a in capped] == [a["answer"] for a in whole]
    np.testing.assert_allclose([a["score"] for a in capped], [a["score"] for a in whole], rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("rows", [1, 4, 16, 100])
def test_wide_linear_equals_linear(rows):
    torch.manual_seed(rows)
    linear = torch.nn.Linear(48, 3000)
    x = torch.randn(rows, 2, 48)
    with torch.no_grad():
        out = wide_linear(linear, x)
        assert out.shape == (rows, 2, 3000) and out.is_contiguous()
        torch.testing.assert_close(out, linear(x), rtol=1e-5, atol=1e-5)
    no_bias = torch.nn.Linear(48, 3000, bias=False)
    with torch.no_grad():
        torch.testing.assert_close(wide_linear(no_bias, x), no_bias(x), rtol=1e-5, atol=1e-5)


def test_projection_is_scoped_and_leaves_training_to_linear(monkeypatch):
    from transformers import BertConfig, BertForMaskedLM

    torch.manual_seed(0)
    model = BertForMaskedLM(BertConfig(vocab_size=500, hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                                       intermediate_size=64)).eval()
    linear = model.get_output_embeddings()
    ids = torch.randint(5, 500, (3, 9))
    with torch.no_grad():
        full = model(input_ids=ids).logits
    pick = (torch.tensor([0, 2]), torch.tensor([1, 4]))
    calls = []
    monkeypatch.setattr(vocab, "wide_linear", lambda lin, x: calls.append(x.shape) or wide_linear(lin, x))
    with projection(model, pick=lambda x: x[pick]) as narrowed:
        assert narrowed and "forward" in vars(linear)
        with torch.no_grad():
            torch.testing.assert_close(model(input_ids=ids).logits, full[pick], rtol=1e-5, atol=1e-5)
        assert calls == [(2, 32)]  # the (W @ x^T)^T form, on the picked rows only
        trained = model(input_ids=ids).logits  # with gradients: nn.Linear's own path, which backpropagates
        trained.sum().backward()
        assert linear.weight.grad is not None and calls == [(2, 32)]
    assert "forward" not in vars(linear)  # the class's forward again
    with projection(torch.nn.Linear(3, 3)) as narrowed:  # no output embeddings: nothing changes
        assert narrowed is False


def test_projection_keeps_a_forward_set_on_the_module():
    """A wrapper already on the module (accelerate's hooks set one) is still called, and put back after."""
    from transformers import BertConfig, BertForMaskedLM

    torch.manual_seed(0)
    model = BertForMaskedLM(BertConfig(vocab_size=500, hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                                       intermediate_size=64)).eval()
    linear = model.get_output_embeddings()
    seen = []

    def wrapper(x):
        seen.append(x.shape)
        return torch.nn.Linear.forward(linear, x)

    linear.forward = wrapper
    ids = torch.randint(5, 500, (2, 7))
    with projection(model, pick=lambda x: x[:, :3]), torch.no_grad():
        assert model(input_ids=ids).logits.shape == (2, 3, 500)
    assert seen == [(2, 3, 32)] and vars(linear)["forward"] is wrapper


@pytest.mark.parametrize("config, width", [({"intermediate_size": 3072}, 3072), ({"hidden_dim": 3072}, 3072),
                                           ({"hidden_size": 768}, 3072)])
def test_the_budget_reads_the_ffn_width_of_any_config(tiny_bert, monkeypatch, config, width):
    import types

    p = bertkit.load("sst2", str(tiny_bert), cache=False)
    monkeypatch.setattr(p, "model", types.SimpleNamespace(config=types.SimpleNamespace(**config)))
    assert p.token_budget() == predictor_module.CPU_ACTIVATIONS // width
