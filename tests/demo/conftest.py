"""Fixtures for the app's tests: the tiny model as a string, no default heads, a results folder,
a launched app."""
import shutil
import socket
import warnings
from pathlib import Path

import pytest

SERVER_TIMEOUT = 60  # seconds for any single server test (pytest-timeout)
# A real `python -m evaluation run --model default --tasks glue` results file (STS-B scored with the
# trained head, the other GLUE tasks skipped for want of heads); its predictions are not needed here.
RESULTS_FILE = Path(__file__).parent / "data" / "20261130-135037-default.json"


def copy_results(folder: Path) -> Path:
    shutil.copy(RESULTS_FILE, folder / RESULTS_FILE.name)
    return folder


@pytest.fixture(scope="session")
def tiny(tiny_bert) -> str:
    return str(tiny_bert)


@pytest.fixture
def no_default_heads(tmp_path, monkeypatch):
    """The default model as it is before its heads are trained: every task raises MissingHeadError."""
    import bertkit.api
    import bertkit.models

    monkeypatch.setattr(bertkit.models, "HEADS_DIR", tmp_path / "no-heads")
    monkeypatch.setattr(bertkit.api, "_CACHE", {})


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def app_url(tiny, tmp_path_factory):
    """The whole app on 127.0.0.1 and a free port, every tab starting on the tiny model."""
    import os

    os.environ["GRADIO_EXAMPLES_CACHE"] = str(tmp_path_factory.mktemp("examples-cache"))
    results = copy_results(tmp_path_factory.mktemp("results"))
    from demo.app import build_demo, launch_options

    warnings.filterwarnings("ignore", message=".*no trained.*head")
    demo = build_demo(model=tiny, models=["default", tiny], results_dir=str(results), finetune_max_steps=20)
    port = free_port()
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True, mcp_server=True,
                **launch_options())
    yield f"http://127.0.0.1:{port}/"
    demo.close()


@pytest.fixture(scope="session")
def client(app_url):
    from gradio_client import Client

    return Client(app_url, verbose=False)


def shipped(task: str, metric: str, ci: bool = True, split: str | None = None) -> str:
    """A shipped head's held-out score as the app prints it ("88.3 [86.1, 90.4]"), read from
    evaluation/published/default.json, so the tests follow the heads rather than one snapshot of them.
    `split`: one of the task's extra held-out splits (translation's news_test) instead of its main one."""
    import json

    entry = json.loads((Path(__file__).parents[2] / "evaluation/published/default.json").read_text())["tasks"][task]
    if split is not None:
        entry = entry["extra_splits"][split]
    score = entry["scores"][metric]
    factor = entry.get("scale", 100.0)
    text = f"{score['value'] * factor:.1f}"
    return text + (f" [{score['ci'][0] * factor:.1f}, {score['ci'][1] * factor:.1f}]" if ci else "")
