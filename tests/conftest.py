"""Shared fixtures: a tiny random BERT built here (no network, no download) and the data dir."""
import os
import sys
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
# Caches and evaluate's module copies go to a temp folder, never into the user's home.
_CACHE = Path(tempfile.mkdtemp(prefix="bertkit-test-cache-"))
os.environ.setdefault("HF_HOME", str(_CACHE / "hf"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("HF_EVALUATE_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")


def build_tiny_bert(folder: Path) -> Path:
    """A 2-layer, hidden-32 BERT with the embedded model's real WordPiece tokenizer."""
    import torch
    from transformers import AutoTokenizer, BertConfig, BertModel

    from bertkit.models import embedded_encoder_path

    torch.manual_seed(0)
    config = BertConfig(vocab_size=30522, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=512)
    BertModel(config).save_pretrained(str(folder))
    AutoTokenizer.from_pretrained(str(embedded_encoder_path())).save_pretrained(str(folder))
    return folder


@pytest.fixture(scope="session")
def tiny_bert(tmp_path_factory) -> Path:
    return build_tiny_bert(tmp_path_factory.mktemp("tiny-bert"))


@pytest.fixture(scope="session")
def data_dir() -> Path:
    from bertkit.data_dir import data_dir as find

    path = find()
    if not path.is_dir():
        pytest.skip(f"benchmark data not found at {path} (set BERTKIT_DATA_DIR to run these tests)")
    return path


@pytest.fixture(scope="module")
def one_thread():
    """Hidden-32 models: one torch thread computes them faster than two that wait on each other (on a
    shared 2-core machine each op paid ~35 ms of OpenMP synchronisation). Use with usefixtures."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
