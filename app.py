"""bertkit's Gradio app (also a Hugging Face Space): `python app.py`, then open http://127.0.0.1:7860.

With `gradio[mcp]` installed it is also an MCP server (http://127.0.0.1:7860/gradio_api/mcp/);
GRADIO_MCP_SERVER=False turns that off."""
import importlib.util
import logging
import os
import tempfile

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("GRADIO_EXAMPLES_CACHE", tempfile.mkdtemp(prefix="bertkit-examples-"))
if importlib.util.find_spec("mcp") is not None:
    os.environ.setdefault("GRADIO_MCP_SERVER", "True")
logging.basicConfig(format="%(asctime)s %(name)s %(levelname)s %(message)s")  # one line per user error

try:  # a ZeroGPU Space: every forward pass (Predictor.run, the one forward path) holds the GPU slot it needs
    import spaces  # noqa: E402  (before gradio and torch, as ZeroGPU asks)
except ImportError:  # everywhere else: nothing changes (spaces.GPU is a no-op off ZeroGPU too)
    spaces = None
from demo.app import build_demo, launch_options  # noqa: E402  (after the environment)

if spaces is not None:
    from bertkit.predictor import Predictor

    Predictor.run = spaces.GPU(Predictor.run)

demo = build_demo(model=os.environ.get("BERTKIT_DEMO_MODEL", "default"))  # e.g. a hub id on a Space

if __name__ == "__main__":
    demo.launch(**launch_options())
