"""Loading a checkpoint with a family's head, for any architecture, as what it is.

`from_pretrained` is called with the checkpoint's own config, so a trained head keeps its labels
(mapped to the task's by name in `bertkit.labels`, never renamed by position). Whether the head is
trained comes from the load itself: the missing or mismatched keys that `from_pretrained` reports
outside the encoder (`model.base_model_prefix`), for every architecture. A head of another kind (a
sequence classifier loaded for tagging or QA, whose weights could fit by name) counts as missing.
A missing head is rebuilt with the task's label config and freshly initialised: serving warns and
marks it `head_trained=False`, training trains it. Every failure is a `ModelError` naming the folder.
"""
from __future__ import annotations

import re
from pathlib import Path

from .errors import ModelError

TASK_HEADS = ("ForSequenceClassification", "ForTokenClassification", "ForQuestionAnswering", "ForMultipleChoice")


def load_config(path: Path):
    from transformers import AutoConfig

    file = Path(path) / "config.json"
    if not file.is_file():
        raise ModelError(f"{path} has no config.json: not a model folder written by save_pretrained")
    try:
        return AutoConfig.from_pretrained(str(path), trust_remote_code=False)
    except Exception as e:  # bad JSON, an unknown model_type (needs remote code or a newer transformers)
        raise ModelError(f"{file}: cannot read the model config ({type(e).__name__}: {_short(e)})") from None


def other_head_kind(config, auto_class: str) -> str | None:
    """The checkpoint's head class when it is a task head of another kind than `auto_class` loads."""
    wanted = auto_class.replace("AutoModel", "")
    for arch in getattr(config, "architectures", None) or []:
        kind = next((k for k in TASK_HEADS if arch.endswith(k)), None)
        if kind and kind != wanted:
            return arch
    return None


def load_pretrained(family, task, path, allow_pickle: bool = False):
    """(model, head_missing) for `family` on the checkpoint in `path` (see the module docstring)."""
    import transformers

    path = Path(path)
    config = load_config(path)
    cls = getattr(transformers, family.auto_class)
    other = other_head_kind(config, family.auto_class)
    model, info = _from_pretrained(cls, path, task, family, allow_pickle)
    missing = head_keys(model, info, family)
    if not missing and not other:
        return model, False
    model, _ = _from_pretrained(cls, path, task, family, allow_pickle, **family.model_kwargs(task),
                                ignore_mismatched_sizes=True)
    if other:  # its head weights may have loaded by name: they mean something else here
        reinit_head(model)
    return model, True


def new_head(family, task, path, allow_pickle: bool = False):
    """The checkpoint's encoder with a fresh head in the task's label config (training from a head whose
    labels mean something else)."""
    import transformers

    model, _ = _from_pretrained(getattr(transformers, family.auto_class), Path(path), task, family, allow_pickle,
                                **family.model_kwargs(task), ignore_mismatched_sizes=True)
    reinit_head(model)
    return model


def _from_pretrained(cls, path, task, family, allow_pickle, **kwargs):
    try:
        return cls.from_pretrained(str(path), use_safetensors=None if allow_pickle else True,
                                   trust_remote_code=False, output_loading_info=True, **kwargs)
    except ValueError as e:
        if "Unrecognized configuration class" in str(e) or "not supported" in str(e):
            raise ModelError(f"{path}: its architecture cannot serve {task.name} ({family.auto_class} does not "
                             f"support it: {_short(e)})") from None
        raise ModelError(f"cannot load {path} for {task.name}: {type(e).__name__}: {_short(e)}") from None
    except Exception as e:  # corrupt/truncated safetensors, shape errors, missing files: never a raw traceback
        kind = "a corrupt or truncated weights file" if "safetensor" in repr(type(e)).lower() else type(e).__name__
        raise ModelError(f"cannot load {path} for {task.name}: {kind}: {_short(e)}. Re-download or re-save "
                         "the model folder, or choose another --model.") from None


def head_keys(model, info: dict, family) -> list[str]:
    """Missing or mismatched weights of the task head: outside the encoder, or in the family's head modules."""
    prefix = getattr(model, "base_model_prefix", "") + "."
    mismatched = [k[0] if isinstance(k, tuple) else k for k in info.get("mismatched_keys", [])]
    keys = list(info.get("missing_keys", [])) + mismatched
    return [k for k in keys if not k.startswith(prefix) or any(h in k for h in family.head_modules)]


def reinit_head(model) -> None:
    """Initialise every module outside the encoder afresh (the model's own `_init_weights`)."""
    import torch

    prefix = getattr(model, "base_model_prefix", "")
    with torch.no_grad():
        for name, module in model.named_modules():
            if name and not name.startswith(prefix) and not list(module.children()):
                model._init_weights(module)


def output_layer(model, n_labels: int):
    """The head's last linear layer (n_labels outputs), outside the encoder."""
    import torch

    prefix = getattr(model, "base_model_prefix", "")
    found = [m for name, m in model.named_modules()
             if isinstance(m, torch.nn.Linear) and m.out_features == n_labels and not name.startswith(prefix)]
    if not found:
        raise ModelError(f"cannot find the {n_labels}-label output layer of this {type(model).__name__}")
    return found[-1]


def head_in_task_order(model, label_map) -> None:
    """Rewrite a trained head so that its outputs are the task's labels in the task's order (training
    from a hub head): each task row is the mean of the rows of the head labels that map to it (a
    permutation is exact; CONTRADICTION+NEUTRAL -> not_entailment starts from their mean)."""
    import torch

    layer = output_layer(model, len(label_map.head))
    rows = []
    with torch.no_grad():
        weight, bias = layer.weight.detach(), None if layer.bias is None else layer.bias.detach()
        new_w = torch.stack([weight[[h for h, t in enumerate(label_map.index) if t == k]].mean(0)
                             for k in range(len(label_map.task))])
        layer.weight = torch.nn.Parameter(new_w.contiguous())
        if bias is not None:
            rows = [bias[[h for h, t in enumerate(label_map.index) if t == k]].mean() for k in range(len(label_map.task))]
            layer.bias = torch.nn.Parameter(torch.stack(rows).contiguous())
    layer.out_features = len(label_map.task)
    config = model.config
    config.num_labels = len(label_map.task)
    config.id2label = dict(enumerate(label_map.task))
    config.label2id = {name: i for i, name in enumerate(label_map.task)}


def _short(error, limit: int = 300) -> str:
    text = re.sub(r"\s+", " ", str(error)).strip()
    return text if len(text) <= limit else text[:limit - 3] + "..."
