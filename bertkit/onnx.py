"""Old import path, kept for bench/serve.py (edited in parallel): use bertkit.onnx_export / bertkit.onnx_backend."""
from .onnx_backend import GRAPH_FILE, OnnxModel, load_onnx_predictor  # noqa: F401
from .onnx_export import export  # noqa: F401
