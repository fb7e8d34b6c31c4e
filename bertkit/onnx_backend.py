"""The ONNX Runtime backend of the predictor: `bertkit.load` serves an export folder (bertkit.json format
"onnx") through `load_onnx_predictor`.

`OnnxModel` wraps the session so the families call it like the torch model: the same keyword
inputs, an output object with `.logits` (or `.start_logits` / `.end_logits`). Exports are written by
`bertkit/onnx_export.py`.
"""
from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import torch

from .errors import ModelError
from .predictor import Predictor

GRAPH_FILE = "model.onnx"


class OnnxModel:
    """An onnxruntime session that the families call like the torch model."""

    backend = "onnxruntime"

    def __init__(self, folder: Path, threads: int | None = None):
        import onnxruntime as ort
        from transformers import AutoConfig

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or torch.get_num_threads()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        try:
            self.session = ort.InferenceSession(str(folder / GRAPH_FILE), options, providers=["CPUExecutionProvider"])
            self.config = AutoConfig.from_pretrained(str(folder))
        except Exception as e:
            raise ModelError(f"cannot load the ONNX export in {folder}: {e}") from e
        self.input_names = [i.name for i in self.session.get_inputs()]
        self.output_names = [o.name for o in self.session.get_outputs()]
        self.device = torch.device("cpu")

    def eval(self):
        return self

    def __call__(self, **batch):
        ids = batch["input_ids"]
        feed = {name: (batch[name] if name in batch else torch.zeros_like(ids)).cpu().numpy()
                for name in self.input_names}
        values = self.session.run(self.output_names, feed)
        return SimpleNamespace(**{n: torch.from_numpy(np.asarray(v)) for n, v in zip(self.output_names, values)})


def load_onnx_predictor(task, source, requested: str, user_map=None) -> Predictor:
    from .models import load_tokenizer

    precision = source.meta.get("precision", "fp32")
    if requested not in ("auto", precision):
        raise ModelError(f"{source.path} is an ONNX export in {precision}: its precision was fixed at export "
                         f"(bertkit export --int8 or not); load it with precision='auto' or {precision!r}")
    if not (source.path / GRAPH_FILE).exists():
        raise ModelError(f"{source.path} says it is an ONNX export but has no {GRAPH_FILE}")
    user_map = user_map or source.meta.get("label_map_user") or None  # the map given at export time
    return Predictor(task, OnnxModel(source.path), load_tokenizer(source.path), source, precision=precision,
                     user_map=user_map)
