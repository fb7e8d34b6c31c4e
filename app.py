"""bertkit's Gradio app (also a Hugging Face Space): `python app.py`, then open http://127.0.0.1:7860."""
import os
import tempfile

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("GRADIO_EXAMPLES_CACHE", tempfile.mkdtemp(prefix="bertkit-examples-"))

from demo.app import build_demo, launch_options  # noqa: E402  (after the environment)

demo = build_demo(model=os.environ.get("BERTKIT_DEMO_MODEL", "default"))  # e.g. a hub id on a Space

if __name__ == "__main__":
    demo.launch(**launch_options())
