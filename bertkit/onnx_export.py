"""ONNX export: a client of `bertkit.load` (the backend that serves exports is bertkit/onnx_backend.py).

    python -m bertkit export sst2 --format onnx --output exports/sst2 [--int8]
    bertkit.load("sst2", model="exports/sst2")      # served by onnxruntime, same inputs and outputs

`export` loads the model as `bertkit.load` does (a shipped head's LoRA merged into its encoder, fp32),
traces it with `torch.onnx.export` (TorchScript exporter, opset 17, dynamic batch and sequence axes)
and writes the folder atomically: `model.onnx`, the tokenizer, `config.json`, `bertkit.json`
(format "onnx", task, labels, precision, thresholds) and a model card. `--int8` quantizes the linear
weights with `onnxruntime.quantization.quantize_dynamic` (int8 weights, activations quantized per call).
Every task whose forward is one encoder pass exports; translation (beam search over an
encoder-decoder) does not.
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from pathlib import Path

import torch

from .api import load
from .errors import BertkitError
from .models import BERTKIT_FILE, DEFAULT
from .onnx_backend import GRAPH_FILE
from .predictor import MODEL_INPUTS

OPSET = 17


def exportable_families():
    from .families.classification import SequenceClassification
    from .families.fill_mask import FillMask
    from .families.qa import QuestionAnswering
    from .families.tagging import TokenTagging  # srl's RoleLabelling is a TokenTagging

    return (SequenceClassification, QuestionAnswering, TokenTagging, FillMask)


def output_names(family) -> tuple[str, ...]:
    from .families.qa import QuestionAnswering

    return ("start_logits", "end_logits") if isinstance(family, QuestionAnswering) else ("logits",)


def check_exportable(task) -> None:
    if not isinstance(task.family, exportable_families()):
        from .tasks.base import all_tasks

        ok = [t.name for t in all_tasks() if isinstance(t.family, exportable_families())]
        raise BertkitError(f"{task.name} cannot be exported to ONNX: its forward is a generation loop "
                           f"({type(task.family).__name__}), not one encoder pass. Exportable tasks: {', '.join(ok)}")


class _Graph(torch.nn.Module):
    """The model with positional inputs and a tuple of named outputs, as the exporter traces it."""

    def __init__(self, model, outputs):
        super().__init__()
        self.model, self.outputs = model, outputs

    def forward(self, input_ids, attention_mask, token_type_ids):
        from .families.pieces import takes_segments

        segments = {"token_type_ids": token_type_ids} if takes_segments(self.model) else {}  # DistilBERT has none
        out = self.model(input_ids=input_ids, attention_mask=attention_mask, **segments)
        return tuple(getattr(out, name) for name in self.outputs)


def export(task: str, model: str = DEFAULT, output: str | os.PathLike = None, int8: bool = False,
           allow_pickle: bool = False, label_map=None, force: bool = False) -> Path:
    """Write an ONNX export of `task` on `model` to `output`; returns the folder."""
    from .tasks.base import get_task

    task = get_task(task)
    check_exportable(task)
    if output is None:
        raise BertkitError("give an output folder: --output DIR")
    output = Path(output).expanduser()
    precision = "int8" if int8 else "fp32"
    meta = {"format": "onnx", "task": task.name, "precision": precision, "source_model": str(model),
            "opset": OPSET}
    check_target(output, meta)
    predictor = load(task.name, model, allow_pickle=allow_pickle, cache=False, precision="fp32", label_map=label_map)
    if predictor.backend != "torch":
        raise BertkitError(f"{model} is already an ONNX export: export the model it came from")
    if not predictor.head_trained and not force:
        raise BertkitError(f"{model!r} has no trained {task.name} head: exporting it would serve a random head. "
                           f"Fine-tune it first: python -m bertkit train {task.name} --model {model} "
                           "(or pass --force to export the untrained head anyway)")
    net, names = predictor.model, output_names(task.family)
    started = time.time()
    output.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{output.name}.", dir=output.parent))
    try:
        sample = predictor.collate(predictor.task.family.preprocess(predictor.context, [
            predictor.task.family.check_input(predictor.task, x) for x in sample_inputs(task, predictor.tokenizer)]))
        graph_path = staging / GRAPH_FILE
        trace(net, names, sample, graph_path)
        if int8:
            from onnxruntime.quantization import QuantType, quantize_dynamic

            fp32_path = staging / "model-fp32.onnx"
            graph_path.rename(fp32_path)
            quantize_dynamic(str(fp32_path), str(graph_path), weight_type=QuantType.QInt8)
            fp32_path.unlink()
        predictor.tokenizer.save_pretrained(str(staging))
        net.config.save_pretrained(str(staging))
        source_meta = predictor.source.meta or {}
        meta.update({"labels": list(predictor.task.labels), "outputs": list(names),
                     "inputs": list(MODEL_INPUTS), "max_length": predictor.max_length,
                     "head_trained": predictor.head_trained})
        if predictor.label_map is not None and not predictor.label_map.identity:
            # the graph outputs the head's own labels (config.json keeps them); serving maps them again
            meta["label_map"] = predictor.label_map.describe()
            meta["label_map_user"] = {h: predictor.task.labels[t] for h, t in
                                      zip(predictor.label_map.head, predictor.label_map.index)}
        for key in ("no_answer_threshold", "base_model"):
            if key in source_meta:
                meta[key] = source_meta[key]
        (staging / BERTKIT_FILE).write_text(json.dumps(meta, indent=2) + "\n")
        (staging / "README.md").write_text(card(task, model, meta, graph_path, time.time() - started))
        replace_folder(staging, output)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return output


def sample_inputs(task, tokenizer) -> list:
    """The task's first two examples as this tokenizer writes them (its own mask token, e.g. `<mask>`)."""
    mask = getattr(tokenizer, "mask_token", None)
    return [x.replace("[MASK]", mask) if isinstance(x, str) and mask else x for x in task.examples[:2]]


def trace(net, names, sample: dict, path: Path) -> None:
    inputs = tuple(sample.get(k, torch.zeros_like(sample["input_ids"])) for k in MODEL_INPUTS)
    axes = {name: {0: "batch", 1: "sequence"} for name in MODEL_INPUTS}
    axes.update({name: {0: "batch", 1: "sequence"} for name in names})
    import warnings

    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # TorchScript tracer warnings about Python control flow
        torch.onnx.export(_Graph(net, names), inputs, str(path), dynamo=False, opset_version=OPSET,
                          input_names=list(MODEL_INPUTS), output_names=list(names), dynamic_axes=axes)


def check_target(output: Path, meta: dict) -> None:
    """An existing folder is replaced only when it is an export of the same task, model and precision."""
    if not output.exists():
        return
    if not output.is_dir():
        raise BertkitError(f"{output} exists and is not a folder: choose another --output")
    if not any(output.iterdir()):
        return
    try:
        old = json.loads((output / BERTKIT_FILE).read_text())
    except (OSError, ValueError):
        old = {}
    same = {k: old.get(k) for k in ("format", "task", "precision", "source_model")} == \
           {k: meta[k] for k in ("format", "task", "precision", "source_model")}
    if not same:
        raise BertkitError(f"{output} already holds something else ({old.get('format', 'not a bertkit export')}"
                           f"{', ' + old['task'] if old.get('task') else ''}): refusing to overwrite it. "
                           "Choose another --output, or remove it yourself.")


def replace_folder(staging: Path, output: Path) -> None:
    """Move the finished staging folder into place; an older export of the same thing goes last."""
    if output.exists():
        old = output.with_name(f".{output.name}.old-{os.getpid()}")
        output.rename(old)
        staging.rename(output)
        shutil.rmtree(old, ignore_errors=True)
    else:
        staging.rename(output)


def card(task, model, meta, graph_path: Path, seconds: float) -> str:
    import onnxruntime

    size = graph_path.stat().st_size / 2**20
    return (f"# {task.name} — ONNX export ({meta['precision']})\n\n"
            f"Exported by bertkit from `{model}` with `python -m bertkit export {task.name} --model {model} "
            f"--format onnx{' --int8' if meta['precision'] == 'int8' else ''} --output DIR` "
            f"(torch {torch.__version__}, TorchScript exporter, opset {OPSET}, onnxruntime {onnxruntime.__version__}; "
            f"{seconds:.0f} s).\n\n"
            f"- `{GRAPH_FILE}` ({size:.1f} MB): inputs {', '.join(MODEL_INPUTS)} (int64, batch × sequence); "
            f"outputs {', '.join(meta['outputs'])}.\n"
            f"- Serve: `bertkit.load({task.name!r}, model=DIR)` or "
            f"`python -m bertkit predict {task.name} --model DIR ...`: the same pre/post-processing and "
            f"output keys as the torch model.\n"
            + ("- int8: `onnxruntime.quantization.quantize_dynamic` (QInt8 weights); scores may drop a little: "
               "measure on your split before serving.\n" if meta["precision"] == "int8" else "")
            + f"- Labels: {', '.join(meta['labels']) or '-'}\n")
