"""LoRA adapters in bertkit's own small format: `adapter.safetensors` holds the LoRA matrices plus
the task head's parameters, `bertkit.json` holds the LoRA settings. The adapter is injected into a
plain transformers model (no wrapper class), so the Trainer saves, resumes and reloads checkpoints
as for any model; only the final artifact is cut down to the trained parameters.
"""
from __future__ import annotations

import re

import torch

from .errors import ModelError

# The encoder's (and bert2bert decoder's) own linear layers; cross-attention is new and trained in full.
# BERT, RoBERTa and ELECTRA name their layers so; shipped adapters store this exact string.
TARGET_MODULES = r".*\.layer\.\d+\.(attention\.self\.(query|key|value)|attention\.output\.dense|intermediate\.dense|output\.dense)"
BERT_LAYER_LINEARS = frozenset({"attention.self.query", "attention.self.key", "attention.self.value",
                                "attention.output.dense", "intermediate.dense", "output.dense"})
# One block of an encoder's layer stack: BERT/RoBERTa/ELECTRA/DeBERTa/MPNet `layer.N`, DistilBERT
# `transformer.layer.N`, ModernBERT `layers.N`, ALBERT `albert_layers.N` (one layer shared by every pass).
_LAYER = re.compile(r"^(?P<stack>.*\.(?:layer|layers|albert_layers))\.(?P<index>\d+)\.(?P<rest>.+)$")


def layer_linears(model) -> dict[str, list[str]]:
    """{linear name inside a layer: [full module names]} for every nn.Linear of the encoder's layer
    stacks (not the cross-attention bert2bert adds: that one is new and trained in full)."""
    found: dict[str, list[str]] = {}
    for name, module in model.named_modules():
        match = _LAYER.match(name)
        if isinstance(module, torch.nn.Linear) and match and "crossattention" not in name:
            found.setdefault(match["rest"], []).append(name)
    return found


def target_modules(model) -> str:
    """The LoRA target regex for `model`: every linear layer of its encoder layers (attention
    projections, attention output, feed-forward), the same coverage BERT's TARGET_MODULES has, and
    a superset of peft's per-model-type defaults (query/value). BERT-style names keep TARGET_MODULES
    itself, so adapters trained before this rule load unchanged."""
    linears = layer_linears(model)
    if not linears:
        kind = getattr(getattr(model, "config", None), "model_type", type(model).__name__)
        raise ModelError(f"LoRA found no encoder layers in this {kind} model ({type(model).__name__}): "
                         "train it without --lora (full fine-tuning)")
    if set(linears) == BERT_LAYER_LINEARS:
        return TARGET_MODULES
    stacks = sorted({_LAYER.match(n)["stack"].rsplit(".", 1)[-1] for names in linears.values() for n in names})
    inner = "|".join(re.escape(rest) for rest in sorted(linears))
    return rf".*\.({'|'.join(stacks)})\.\d+\.({inner})"


def head_modules(model, declared=()) -> list[str]:
    """Modules trained in full under LoRA: the family's `declared` ones the model has (BERT's pooler for
    classification, bert2bert's cross-attention), plus every module with weights outside the encoder
    (`model.base_model_prefix`): `classifier`, DistilBERT's `pre_classifier`, ModernBERT's `head`,
    RoBERTa's `lm_head`, ELECTRA's `generator_*`, DeBERTa's `pooler`, ..."""
    names = dict(model.named_modules())
    own = [d for d in declared if d in names or any(n.endswith("." + d) for n in names)]
    # bert2bert: the decoder's own output head (BERT `cls`, RoBERTa `lm_head`) beside its encoder
    parts = [("", model)] + ([("decoder.", model.decoder)] if hasattr(model, "decoder") and hasattr(model, "encoder") else [])
    for path, part in parts:
        prefix = getattr(part, "base_model_prefix", "")
        if not (prefix and hasattr(part, prefix)):
            continue
        for child, module in part.named_children():
            related = any(d.split(".")[0] == child or child.startswith(d + ".") for d in own)
            if child != prefix and not related and any(True for _ in module.parameters()):
                own.append(path + child)
    return own


def count_lora_layers(model) -> dict[str, int]:
    """{encoder layer (stack.index): LoRA layers in it}, to check that LoRA reached every layer."""
    from peft.tuners.lora import LoraLayer

    counts: dict[str, int] = {}
    for name, module in model.named_modules():
        match = _LAYER.match(name)
        if match and isinstance(module, LoraLayer):
            key = f"{match['stack']}.{match['index']}"
            counts[key] = counts.get(key, 0) + 1
    return counts


def add_lora(model, head_modules_=(), r=16, alpha=32, dropout=0.0) -> dict:
    """Inject LoRA layers, freeze everything but LoRA and the head; returns the settings to store.

    `head_modules_`: the family's declared head modules; `head_modules` adds what this architecture
    keeps outside its encoder. The targets are `target_modules(model)`; a ModelError if LoRA would not
    reach every encoder layer.

    `dropout` 0 (the default) lets peft skip the dropout layer on each LoRA branch: with 0.1, the
    36 dropout masks over full-size activations per step made CPU LoRA training slower than full
    fine-tuning. The heads shipped before this default were trained with 0.1 (see their cards).
    """
    from peft import LoraConfig, inject_adapter_in_model

    targets = target_modules(model)
    settings = {"r": r, "alpha": alpha, "dropout": dropout, "target_modules": targets,
                "trainable": head_modules(model, head_modules_)}
    config = LoraConfig(r=r, lora_alpha=alpha, lora_dropout=dropout, target_modules=targets)
    layers = {f"{m['stack']}.{m['index']}" for n in sum(layer_linears(model).values(), []) if (m := _LAYER.match(n))}
    inject_adapter_in_model(config, model)
    missed = sorted(layers - set(count_lora_layers(model)))
    if missed:
        raise ModelError(f"LoRA reached no linear layer in {', '.join(missed[:3])} of this "
                         f"{type(model).__name__}: train it without --lora")
    for name, param in model.named_parameters():
        param.requires_grad = is_trained(name, settings)
    use_fast_forward(model)
    return settings


def use_fast_forward(model) -> int:
    """Give every peft LoRA linear the training forward `fast_lora_forward` (returns how many).

    peft's forward casts the input to the LoRA weights' dtype (fp32) and autocast casts it back to
    bf16, then scales and adds the LoRA branch in two more passes over the output: under bf16 those
    copies of full-size activations cancelled what LoRA saves (no weight gradients for the encoder).
    """
    import types

    from peft.tuners.lora import Linear

    count = 0
    for module in model.modules():
        if isinstance(module, Linear) and not hasattr(module, "_peft_forward"):
            module._peft_forward = module.forward
            module.forward = types.MethodType(fast_lora_forward, module)
            count += 1
    return count


def fast_lora_forward(self, x, *args, **kwargs):
    """y = x W^T + b + s (x A^T) B^T, the same function as peft's vanilla LoRA forward, in fewer ops.

    Without gradients (evaluation during training) it is one linear layer with the merged weight
    W + s B A, cached until an optimiser step changes A or B: evaluation costs what full fine-tuning's
    does, and it computes what the merged model `bertkit.load` serves. With gradients and a frozen base
    layer, `LoraLinear` does the forward and backward without the copies and extra adds autograd makes.
    Any other case (merged, disabled, several adapters, a LoRA variant, dropout, extra arguments) goes
    to peft's own forward.
    """
    adapters = self.active_adapters
    if (args or kwargs or self.disable_adapters or self.merged or len(adapters) != 1
            or adapters[0] not in self.lora_A or adapters[0] in self.lora_variant):
        return self._peft_forward(x, *args, **kwargs)
    name = adapters[0]
    base, lora_a, lora_b, scale = self.base_layer, self.lora_A[name], self.lora_B[name], self.scaling[name]
    plain = isinstance(self.lora_dropout[name], torch.nn.Identity)  # no dropout on the LoRA branch
    if not torch.is_grad_enabled() and (plain or not self.training):
        return torch.nn.functional.linear(x, merged_weight(self, base, lora_a, lora_b, scale), base.bias)
    self._bertkit_merged = None  # training again: the cached weight is stale and would hold memory
    if not plain or base.weight.requires_grad or (base.bias is not None and base.bias.requires_grad):
        return self._peft_forward(x, *args, **kwargs)
    device = x.device.type
    if torch.is_autocast_enabled(device):  # computes in autocast's dtype; W + sBA is summed in fp32 first
        with torch.autocast(device, enabled=False):
            x = x.to(torch.get_autocast_dtype(device))
            return LoraLinear.apply(x, base.weight, base.bias, lora_a.weight, lora_b.weight, scale)
    return LoraLinear.apply(x, base.weight, base.bias, lora_a.weight, lora_b.weight, scale)


def merged_weight(self, base, lora_a, lora_b, scale) -> torch.Tensor:
    """W + s B A, computed once per version of A, B and W (an optimiser step bumps their versions)."""
    key = (base.weight._version, lora_a.weight._version, lora_b.weight._version, scale, base.weight.data_ptr())
    cached = getattr(self, "_bertkit_merged", None)
    if cached is None or cached[0] != key:
        with torch.no_grad():
            merged = torch.addmm(base.weight, lora_b.weight, lora_a.weight, alpha=scale)
        self._bertkit_merged = cached = (key, merged)
    return cached[1]


class LoraLinear(torch.autograd.Function):
    """y = x (W + s B A)^T + b for a frozen W, b: one matmul with the merged weight, computed per call
    (out x in x r multiply-adds, far less than the activations' N x in x out), so the LoRA branch costs
    no pass over the full-size output, forward or backward; the input's gradient is g (W + s B A), again
    one matmul. The rank-sized x A^T is kept for B's gradient. No gradient for W or b. The numbers are
    those evaluation uses (`merged_weight`), so a training step and an evaluation agree exactly."""

    @staticmethod
    def forward(ctx, x, weight, bias, a, b, scale):
        dtype, flat = x.dtype, x.reshape(-1, x.shape[-1])  # x in the compute dtype; the parameters fp32
        merged = torch.addmm(weight, b, a, alpha=scale).to(dtype)
        out = torch.nn.functional.linear(flat, merged, None if bias is None else bias.to(dtype))
        hidden = flat.mm(a.to(dtype).t())
        ctx.save_for_backward(flat, merged, b, hidden)
        ctx.scale, ctx.shape = scale, x.shape
        return out.view(*x.shape[:-1], out.shape[-1])

    @staticmethod
    def backward(ctx, grad):
        flat, merged, b, hidden = ctx.saved_tensors
        grad = grad.reshape(-1, grad.shape[-1])
        grad_x = grad_a = grad_b = None
        if ctx.needs_input_grad[0]:
            grad_x = grad.mm(merged).view(ctx.shape)
        if ctx.needs_input_grad[3]:
            grad_a = grad.mm((b * ctx.scale).to(grad.dtype)).t().mm(flat).to(b.dtype)
        if ctx.needs_input_grad[4]:
            grad_b = grad.t().mm(hidden).mul_(ctx.scale).to(b.dtype)
        return grad_x, None, None, grad_a, grad_b, None


def is_trained(name: str, settings: dict) -> bool:
    """LoRA matrices and the head's parameters (a head name matches whole dotted parts of `name`)."""
    if "lora_" in name:
        return True
    dotted = f".{name}."
    return any(f".{h}." in dotted for h in settings["trainable"]) and not name.endswith("decoder.weight")


SCALE = ".__int8_scale__"  # suffix of the per-row scales of an int8-stored weight
INT8_MIN_SIZE = 4096  # 2-D weights this large (LoRA factors, pooler, new cross-attention) may be stored in int8


def adapter_state(model, settings: dict, half: bool = False, int8: bool = False) -> dict[str, torch.Tensor]:
    """The parameters an adapter file needs: LoRA matrices and the trained head.

    `half` stores fp16; `int8` also stores every 2-D weight of INT8_MIN_SIZE or more (the LoRA
    factors, the pooler, a new cross-attention) as int8 with one fp16 scale per row (absmax),
    halving the file again; `dequantize` undoes it at load time.
    """
    state = {n: p.detach().clone().float() for n, p in model.named_parameters() if is_trained(n, settings)}
    return quantize(state, half=half, int8=int8)


def quantize(state: dict[str, torch.Tensor], half: bool = False, int8: bool = False) -> dict[str, torch.Tensor]:
    out = {}
    for name, tensor in state.items():
        tensor = tensor.float()
        if int8 and tensor.ndim == 2 and tensor.numel() >= INT8_MIN_SIZE:
            scale = tensor.abs().amax(dim=1, keepdim=True).clamp_min(1e-8) / 127.0
            out[name] = torch.round(tensor / scale).to(torch.int8)
            out[name + SCALE] = scale.half()
        else:
            out[name] = tensor.half() if half or int8 else tensor
    return {n: t.contiguous() for n, t in out.items()}


def requantize_file(path) -> None:
    """Rewrite an adapter file with its large weights in int8 (e.g. to fit a size budget when shipping)."""
    from safetensors.torch import load_file, save_file

    state = quantize(dequantize(load_file(str(path))), half=True, int8=True)
    save_file(state, str(path), metadata={"format": "pt"})


def dequantize(state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Float tensors from an adapter file, int8-stored weights multiplied back by their row scales."""
    result = {}
    for name, tensor in state.items():
        if name.endswith(SCALE):
            continue
        scale = state.get(name + SCALE)
        result[name] = tensor.float() * scale.float() if scale is not None else tensor
    return result


def copy_into(model, state: dict[str, torch.Tensor], what: str) -> None:
    """Copy `state` into the model's parameters of the same names (an adapter, a LoRA checkpoint);
    a ValueError naming `what` when the model lacks one of them."""
    own = dict(model.named_parameters())
    unknown = [n for n in state if n not in own]
    if unknown:
        raise ValueError(f"{what} has parameters the model lacks, e.g. {unknown[:3]}")
    with torch.no_grad():
        for name, tensor in state.items():
            own[name].copy_(tensor.to(own[name].dtype))


def apply_adapter(model, settings: dict, state: dict[str, torch.Tensor], merge: bool = True):
    """Inject LoRA into a freshly built base model, load the adapter, merge it into the weights."""
    from peft import LoraConfig, inject_adapter_in_model

    config = LoraConfig(r=settings["r"], lora_alpha=settings["alpha"], lora_dropout=0.0,
                        target_modules=settings["target_modules"])
    inject_adapter_in_model(config, model)
    copy_into(model, dequantize(state), "adapter")
    if merge:
        from peft.tuners.lora import LoraLayer

        for module in model.modules():
            if isinstance(module, LoraLayer):
                module.merge()
    return model.eval()
