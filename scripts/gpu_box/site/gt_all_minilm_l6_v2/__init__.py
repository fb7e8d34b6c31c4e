"""Stand-in for the PyPI package on the GPU box: the same encoder, upcast from the fp16 copy we carry."""
import os
from pathlib import Path


def get_model_path() -> Path:
    return Path(os.environ["MINILM_DIR"])
