"""The training speed-ups change how fast, never what is computed: the fast dropout draws the same
distribution and is the identity outside training, the attention math equals SDPA, and the fast
LoRA forward equals peft's (exactly in fp32, to bf16 rounding under autocast); the [CLS]-only last
layer gives a sentence classifier the same logits and gradients; the allocator setting is undone."""
import copy

import pytest
import torch
from transformers import BertConfig, BertModel

from bertkit import speed
from bertkit.lora import TARGET_MODULES, use_fast_forward


def tiny_bert(seed=0):
    torch.manual_seed(seed)
    config = BertConfig(hidden_size=64, num_hidden_layers=2, num_attention_heads=4, intermediate_size=128,
                        vocab_size=100)
    return BertModel(config)


def test_fast_dropout_keeps_the_rate_and_the_expected_value():
    torch.manual_seed(0)
    x = torch.ones(1000, 1000, requires_grad=True)
    y = speed.fast_dropout(x, 0.1)
    kept = (y != 0).float().mean().item()
    assert abs(kept - 0.9) < 0.002 and abs(y.mean().item() - 1.0) < 0.003
    assert torch.allclose(y[y != 0], torch.full_like(y[y != 0], 1 / (1 - round(0.1 * 65536) / 65536)), rtol=1e-7)
    for p in (0.1, 0.5, 1e-3):  # the drop rate is p to 1/131072
        mask, rate = speed.keep_mask((4000, 1000), p)
        assert abs(rate - p) <= 1 / 131072 and abs((~mask).float().mean().item() - p) < 5 * (p / 4e6) ** 0.5 + 1e-5
    y.sum().backward()  # the gradient flows through the kept units only, scaled the same way
    assert torch.equal(x.grad != 0, y != 0) and torch.allclose(x.grad[y != 0], y[y != 0])
    assert torch.equal(speed.fast_dropout(x, 0.1, training=False), x)
    torch.manual_seed(3)
    a = speed.fast_dropout(torch.ones(50), 0.5)
    torch.manual_seed(3)
    assert torch.equal(a, speed.fast_dropout(torch.ones(50), 0.5))  # seeded like everything else


def test_speed_up_changes_dropout_layers_but_not_the_model():
    model, ref = tiny_bert(), tiny_bert()
    assert speed.speed_up(model) == sum(type(m) is torch.nn.Dropout for m in ref.modules()) > 0
    assert model.state_dict().keys() == ref.state_dict().keys()
    ids = torch.randint(0, 100, (3, 7))
    mask = torch.ones(3, 7, dtype=torch.long)
    mask[0, 4:] = 0
    model.eval(), ref.eval()
    assert torch.equal(model(ids, attention_mask=mask).last_hidden_state,
                       ref(ids, attention_mask=mask).last_hidden_state)
    model.train()
    out = model(ids, attention_mask=mask).last_hidden_state
    assert out.shape == (3, 7, 64) and torch.isfinite(out).all()


@pytest.mark.parametrize("boolean", [True, False])
def test_attention_math_path_equals_sdpa(boolean):
    speed.speed_up(tiny_bert())

    class Layer(torch.nn.Module):
        is_causal = False
        bertkit_fast_dropout = True

    torch.manual_seed(1)
    q, k, v = torch.randn(3, 3, 2, 7, 8).unbind(0)
    keep = torch.ones(3, 1, 1, 7, dtype=torch.bool)
    keep[0, ..., 5:] = False
    mask = keep.expand(3, 1, 7, 7)
    if not boolean:
        mask = torch.zeros(mask.shape).masked_fill(~mask, torch.finfo(torch.float32).min)
    fast, _ = speed._attention(Layer(), q, k, v, mask, dropout=1e-12, scaling=0.3)
    stock, _ = speed._STOCK(Layer(), q, k, v, mask, dropout=0.0, scaling=0.3)
    assert fast.shape == stock.shape == (3, 7, 2, 8)
    assert torch.allclose(fast, stock, atol=1e-6)


def tiny_classifier(seed=0, **config):
    from transformers import BertForSequenceClassification

    torch.manual_seed(seed)
    return BertForSequenceClassification(BertConfig(
        hidden_size=64, num_hidden_layers=2, num_attention_heads=4, intermediate_size=128, vocab_size=100,
        num_labels=3, hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0, **config))


@pytest.mark.parametrize("attention", ["sdpa", "eager"])
@pytest.mark.parametrize("lora", [False, True])
def test_cls_only_last_layer_gives_the_same_logits_and_gradients(attention, lora):
    ref = tiny_classifier(attn_implementation=attention)
    if lora:
        from bertkit.lora import add_lora

        add_lora(ref, ("classifier", "pooler"), r=4, alpha=8, dropout=0.0)
    fast = copy.deepcopy(ref)
    speed.speed_up(fast, cls_only=True)
    layers = [type(m).__name__ for m in fast.modules() if type(m).__name__.endswith("BertLayer")]
    assert layers == ["BertLayer", "ClsOnlyBertLayer"]  # only the last layer
    ids = torch.randint(0, 100, (4, 9))
    mask = torch.ones(4, 9, dtype=torch.long)
    mask[1:, 5:] = 0  # padding, so the [CLS] query must still see only the real keys
    labels = torch.tensor([0, 1, 2, 1])
    outs = [m(input_ids=ids, attention_mask=mask, labels=labels) for m in (ref, fast)]
    assert torch.allclose(outs[0].logits, outs[1].logits, atol=1e-6)
    for out in outs:
        out.loss.backward()
    pairs = [(a.grad, b.grad) for a, b in zip(ref.parameters(), fast.parameters()) if a.grad is not None]
    assert len(pairs) > 4 and all(torch.allclose(a, b, atol=1e-6) for a, b in pairs)
    assert ref.state_dict().keys() == fast.state_dict().keys()


def test_cls_only_leaves_models_that_read_every_token_alone():
    model = tiny_bert()  # a bare encoder (token outputs are the result): no pooler-only head to speed up
    speed.speed_up(model, cls_only=True)
    assert {type(m).__name__ for m in model.encoder.layer} == {"BertLayer"}
    assert model(torch.randint(0, 100, (2, 5))).last_hidden_state.shape == (2, 5, 64)


RETAINED_MEMORY_CHECK = """
import torch
from bertkit import speed

def resident_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096 / 2**20

def freed_mb():  # how much resident memory 200 MB of touched-then-freed tensor leaves behind
    before = resident_mb()
    block = torch.ones(50_000_000)
    del block
    return resident_mb() - before

assert freed_mb() < 50  # stock glibc: a block this large is unmapped when freed
with speed.retained_memory() as active:
    with speed.retained_memory():  # nested: the outer one still holds the setting
        pass
    assert active and speed._retained == 1
    inside = resident_mb()
    kept = freed_mb()
    assert kept > 150, kept  # kept in the heap for the next step
assert speed._retained == 0
assert resident_mb() < inside + kept - 150  # returned on leaving (malloc_trim)
assert freed_mb() < 50  # and the defaults are back
print("ok")
"""


@pytest.mark.skipif(speed._libc() is None, reason="glibc only")
def test_retained_memory_keeps_freed_memory_inside_and_returns_it_after():
    """In a fresh process: in one that has run other tests, a 200 MB request can be served from a free
    chunk earlier work left in the heap (its pages returned, its address range kept), and then it is
    not unmapped when freed whatever the setting, so the stock behaviour this compares with is not there."""
    import subprocess
    import sys
    from pathlib import Path

    repo = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", RETAINED_MEMORY_CHECK], cwd=repo, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-2000:]


def test_fast_lora_forward_equals_peft():
    from peft import LoraConfig, inject_adapter_in_model

    ref = tiny_bert()
    inject_adapter_in_model(LoraConfig(r=4, lora_alpha=8, target_modules=TARGET_MODULES), ref)
    for name, param in ref.named_parameters():
        if "lora_B" in name:
            torch.nn.init.normal_(param, std=0.1)
    fast = copy.deepcopy(ref)
    assert use_fast_forward(fast) == 12 and use_fast_forward(fast) == 0  # 6 linears x 2 layers, once
    ref.eval(), fast.eval()
    ids, weights = torch.randint(0, 100, (3, 7)), torch.randn(3, 7, 64)
    for autocast, atol, grad_tol in ((False, 1e-5, 1e-6), (True, 0.02, 0.05)):  # fp32: W + sBA merged, sums in another order
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=autocast):
            a, b = ref(ids).last_hidden_state, fast(ids).last_hidden_state
        assert (a.float() - b.float()).abs().max().item() <= atol
        grads = [torch.autograd.grad((out.float() * weights).sum(),
                                     [p for n, p in model.named_parameters() if "lora_" in n])
                 for out, model in ((a, ref), (b, fast))]
        scale = max(g.abs().max().item() for g in grads[0])
        assert max((x - y).abs().max().item() for x, y in zip(*grads)) <= grad_tol * scale


def test_cpu_training_runs_with_the_fast_dropout(tiny_bert, tmp_path):
    import bertkit
    from train_data import REVIEWS, write_csv
    from transformers import TrainerCallback

    seen = {}

    class Look(TrainerCallback):
        def on_train_begin(self, args, state, control, model=None, **kwargs):
            seen["dropout"] = {type(m).__name__ for m in model.modules() if isinstance(m, torch.nn.Dropout)}
            seen["attention"] = any(getattr(m, "bertkit_fast_dropout", False) for m in model.modules())
            seen["last_layer"] = type(model.bert.encoder.layer[-1]).__name__
            seen["retained"] = speed._retained

    write_csv(tmp_path / "train.csv", REVIEWS * 4)
    bertkit.train("sst2", model=str(tiny_bert), train_file=str(tmp_path / "train.csv"),
                  validation_file=str(tmp_path / "train.csv"), columns={"text": "review", "label": "sentiment"},
                  output=str(tmp_path / "out"), batch_size=8, max_steps=1, progress=False, callbacks=[Look()])
    assert seen["dropout"] == {"FastDropout"} and seen["attention"]
    assert seen["last_layer"] == "ClsOnlyBertLayer" and seen["retained"] == 1 and speed._retained == 0


def test_lora_linear_gradients_and_merged_evaluation_equal_peft():
    """The training path (LoraLinear) gives peft's output and gradients, the input's included; without
    gradients the cached merged weight gives the same output and follows every optimiser step."""
    from peft import LoraConfig, inject_adapter_in_model

    ref = tiny_bert()
    inject_adapter_in_model(LoraConfig(r=4, lora_alpha=8, target_modules=TARGET_MODULES), ref)
    for name, param in ref.named_parameters():
        param.requires_grad = "lora_" in name
        if "lora_B" in name:
            torch.nn.init.normal_(param, std=0.1)
    fast = copy.deepcopy(ref)
    use_fast_forward(fast)
    ref.eval(), fast.eval()
    embeds, weights = torch.randn(3, 7, 64), torch.randn(3, 7, 64)
    outs, grads = [], []
    for model in (ref, fast):
        x = embeds.clone().requires_grad_(True)
        out = model(inputs_embeds=x).last_hidden_state
        params = [p for n, p in model.named_parameters() if "lora_" in n]
        grads.append(torch.autograd.grad((out * weights).sum(), [x] + params))
        outs.append(out.detach())
    assert (outs[0] - outs[1]).abs().max().item() < 1e-5
    assert max((g - h).abs().max().item() for g, h in zip(*grads)) < 1e-4
    optimiser = torch.optim.SGD([p for p in fast.parameters() if p.requires_grad], lr=0.5)
    for step in range(2):
        with torch.inference_mode():
            merged, unmerged = fast(inputs_embeds=embeds).last_hidden_state, ref(inputs_embeds=embeds).last_hidden_state
        assert (merged - unmerged).abs().max().item() < 1e-5, step
        cached = [m._bertkit_merged for m in fast.modules() if getattr(m, "_bertkit_merged", None) is not None]
        assert len(cached) == 12
        (fast(inputs_embeds=embeds).last_hidden_state * weights).sum().backward()
        optimiser.step(), optimiser.zero_grad()
        assert all(getattr(m, "_bertkit_merged", None) is None for m in fast.modules())  # freed while training
        ref.load_state_dict(fast.state_dict())  # the reference follows the step
