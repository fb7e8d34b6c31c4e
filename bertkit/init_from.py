"""`--init-from`: start a LoRA adapter (and the head, where its shape fits) from an earlier bertkit LoRA
output on the same base (intermediate training, e.g. squad before squad_v2)."""
from __future__ import annotations

from pathlib import Path

from .errors import ModelError, RecipeError
from .files import read_json
from .models import BERTKIT_FILE


def check_init_from(r) -> Path:
    """The --init-from folder, checked before anything is written: a LoRA output, same base and rank."""
    folder = Path(r.init_from)
    if not r.lora:
        raise RecipeError("--init-from starts a LoRA adapter from an earlier one: add --lora")
    meta = read_json(folder / BERTKIT_FILE)
    if not (folder / "adapter.safetensors").is_file() or meta is None or meta.get("format") != "lora":
        raise RecipeError(f"--init-from {folder}: not a bertkit LoRA output (adapter.safetensors + bertkit.json)")
    if meta.get("base_model") != r.model:
        raise RecipeError(f"--init-from {folder}: its adapter is for base model {meta.get('base_model')!r}, "
                          f"this run trains on {r.model!r}")
    rank = (meta.get("lora") or {}).get("r")
    if rank != r.lora_r:
        raise RecipeError(f"--init-from {folder}: its LoRA rank is {rank}; pass --lora-r {rank}" if rank else
                          f"--init-from {folder}: its bertkit.json names no LoRA rank")
    return folder

def init_from_adapter(model, r, is_main: bool = True):
    """Copy an earlier LoRA output's matrices (and head parameters whose shapes fit) into `model`."""
    import torch
    from safetensors.torch import load_file

    from .lora import dequantize

    folder = check_init_from(r)
    try:
        state = dequantize(load_file(str(folder / "adapter.safetensors")))
    except Exception as e:
        raise ModelError(f"{folder / 'adapter.safetensors'}: cannot read it ({type(e).__name__}: {e})") from None
    own = dict(model.named_parameters())
    copied, skipped = 0, []
    with torch.no_grad():
        for name, tensor in state.items():
            if name in own and own[name].shape == tensor.shape:
                own[name].copy_(tensor.to(own[name].dtype))
                copied += 1
            elif "lora_" in name:
                raise RecipeError(f"--init-from {folder}: LoRA weight {name} does not fit this model")
            else:
                skipped.append(name)
    if is_main:
        print(f"--init-from {folder}: {copied} tensors copied" +
              (f"; head parameters of another shape start fresh: {', '.join(skipped)}" if skipped else ""))
