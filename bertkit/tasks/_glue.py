"""What the GLUE task files share: the GLUE TSV reader, the glue metric, the hub id, and the tune split.

GLUE dev is the reported score, so it must not pick checkpoints or recipes. Every task with a train
file holds out a deterministic slice of it as `tune` (every STEP-th row, about 10 %, at most ~2,000
rows) and trains on the rest; `dev` stays untouched until the evaluation suite reports it.
"""
from ..data import GlueFormat, read_glue
from ..families.classification import SequenceClassification
from .base import Task, carve_tune, register


def glue_task(name: str, folder: str, *, labels=(), pair=False, regression=False, splits=("train", "dev", "test"),
              label_names=None, columns=None, headerless=(), string_labels=False, **declared) -> Task:
    """Register GLUE task `name` whose files are glue/FOLDER/{train,dev,test}.tsv. `label_names`: the
    order numeric files store ids in (default `labels`); `columns`: {"text": (...), "text_pair": (...)}
    header names tried first; `headerless`: the columns of header-less files; `string_labels`: the
    submission names the class."""
    columns = columns or {}
    fmt = GlueFormat(task=name, labels=tuple(label_names or labels), pair=pair, regression=regression,
                     text=tuple(columns.get("text", ())) + GlueFormat.text,
                     text_pair=tuple(columns.get("text_pair", ())) + GlueFormat.text_pair,
                     headerless=tuple(headerless), string_labels=string_labels)
    files = {split: f"glue/{folder}/{split}.tsv" for split in splits}
    if "train" in files:
        files["tune"] = files["train"]
        declared.setdefault("tune_split", "tune")
    return register(Task(
        name=name,
        family=SequenceClassification(pair=pair, regression=regression),
        labels=tuple(labels),
        files=files,
        read=lambda path, split: carve_tune(read_glue(path, fmt), split),
        glue=fmt,
        metric="glue",
        metric_config=declared.pop("metric_config", name),
        hub_dataset=("nyu-mll/glue", name),
        benchmark="glue",
        references="glue",
        title=folder,
        **declared,
    ))
