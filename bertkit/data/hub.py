"""Hub datasets, offline-first: fail fast with a clear `DataError` when the Hub cannot be reached.

`datasets.load_dataset` on a machine without network retries for a long time before failing, so
`load_hub_dataset` checks first: in offline mode (HF_DATASETS_OFFLINE / HF_HUB_OFFLINE = 1) the
dataset must be in the local cache; otherwise a TCP connect to the Hub must succeed within 2 s.
"""
import os
import socket
import threading
from pathlib import Path
from urllib.parse import urlparse

import datasets

from bertkit import _env  # noqa: F401  (telemetry off before any hub call)
from bertkit.data.errors import DataError
from bertkit.errors import BertkitError

HUB_IDS = {
    "glue": "nyu-mll/glue",
    "squad": "rajpurkar/squad",
    "squad_v2": "rajpurkar/squad_v2",
    "conll2003": "eriktks/conll2003",
    "multi30k": "bentrevett/multi30k",
}
OFFLINE_PROBLEM = ("the Hugging Face Hub is unreachable (offline); download the data and pass "
                   "--data-dir or --train-file/--validation-file")
# Hub column names → canonical text columns, per GLUE task (nyu-mll/glue schema).
_GLUE_TEXT_COLUMNS = {
    "qnli": ("question", "sentence"), "qqp": ("question1", "question2"), "mnli": ("premise", "hypothesis"),
    "cola": ("sentence", None), "sst2": ("sentence", None),
}


def _offline_env():
    return any(os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")
               for name in ("HF_DATASETS_OFFLINE", "HF_HUB_OFFLINE"))


def is_cached(dataset_id):
    """Whether `dataset_id` has files in the local hub cache or the `datasets` cache."""
    from huggingface_hub import constants

    hub_dir = Path(constants.HF_HUB_CACHE) / f"datasets--{dataset_id.replace('/', '--')}"
    arrow_dir = Path(datasets.config.HF_DATASETS_CACHE) / dataset_id.replace("/", "___")
    return (hub_dir / "snapshots").is_dir() or arrow_dir.is_dir()


def hub_reachable(timeout=2.0):
    """Whether a TCP connection to the Hub endpoint succeeds within `timeout` seconds (DNS included)."""
    from huggingface_hub import constants

    url = urlparse(constants.ENDPOINT)
    port = url.port or (443 if url.scheme == "https" else 80)
    result = []

    def probe():
        try:
            socket.create_connection((url.hostname, port), timeout=timeout).close()
            result.append(True)
        except OSError:
            pass

    thread = threading.Thread(target=probe, daemon=True)  # a hanging DNS lookup must not block us
    thread.start()
    thread.join(timeout)
    return bool(result)


def load_hub_dataset(dataset_id, config=None, split="validation"):
    """`datasets.load_dataset(dataset_id, config, split=split)`, failing fast when offline.

    `dataset_id` may be a short name of `HUB_IDS` ("glue", "squad", ...). Returns the hub's own
    schema (see `glue_to_canonical` / `conll2003_to_canonical`). Raises `DataError(dataset_id,
    OFFLINE_PROBLEM)` within about 2 s when offline mode is set and the dataset is not cached, or
    when the Hub cannot be reached.
    """
    dataset_id = HUB_IDS.get(dataset_id, dataset_id)
    if _offline_env():
        if not is_cached(dataset_id):
            raise DataError(dataset_id, OFFLINE_PROBLEM)
    elif not hub_reachable():
        raise DataError(dataset_id, OFFLINE_PROBLEM)
    return datasets.load_dataset(dataset_id, config, split=split)


def glue_to_canonical(ds, task):
    """nyu-mll/glue columns → `idx`, `text`, `text_pair` (pair tasks), `label` (int64; float32 for stsb)."""
    text, pair = _GLUE_TEXT_COLUMNS.get(task, ("sentence1", "sentence2"))
    ds = ds.rename_column(text, "text")
    if pair:
        ds = ds.rename_column(pair, "text_pair")
    return ds.cast_column("label", datasets.Value("float32" if task == "stsb" else "int64"))


def conll2003_to_canonical(ds):
    """eriktks/conll2003 (`ner_tags` as class ids) → `id`, `tokens`, `tags` (IOB2 strings)."""
    names = ds.features["ner_tags"].feature.names
    ds = ds.map(lambda ex: {"tags": [names[i] for i in ex["ner_tags"]]})
    return ds.select_columns(["id", "tokens", "tags"])


def load_hub_split(task, split: str):
    """The task's hub dataset in bertkit's columns; fails fast (DataError) when the hub is unreachable."""
    if not task.hub_dataset:
        raise BertkitError(f"{task.name} has no hub dataset; use --data-dir or --train-file")
    dataset_id, config = task.hub_dataset
    ds = load_hub_dataset(dataset_id, config, split=split)
    if dataset_id == HUB_IDS["glue"]:
        return glue_to_canonical(ds, task.name)
    if dataset_id == HUB_IDS["conll2003"]:
        return conll2003_to_canonical(ds)
    if dataset_id == HUB_IDS["multi30k"]:
        return datasets.Dataset.from_dict({"source": ds["de"], "target": ds["en"]})
    return ds  # rajpurkar/squad(_v2) already has bertkit's QA columns
