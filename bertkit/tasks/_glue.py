"""What the GLUE task files share: the GLUE TSV reader, the glue metric, the hub id, and the tune split.

GLUE dev is the reported score, so it must not pick checkpoints or recipes. Every task with a train
file holds out a deterministic slice of it as `tune` (every STEP-th row, about 10 %, at most ~2,000
rows) and trains on the rest; `dev` stays untouched until the evaluation suite reports it.
"""
from ..data import read_glue
from ..families.classification import SequenceClassification
from .base import Task, carve_tune, register


def glue_task(name: str, folder: str, *, labels=(), pair=False, regression=False, splits=("train", "dev", "test"),
              label_names=None, **declared) -> Task:
    """Register GLUE task `name` whose files are glue/FOLDER/{train,dev,test}.tsv."""
    files = {split: f"glue/{folder}/{split}.tsv" for split in splits}
    if "train" in files:
        files["tune"] = files["train"]
        declared.setdefault("tune_split", "tune")
    return register(Task(
        name=name,
        family=SequenceClassification(pair=pair, regression=regression),
        labels=tuple(labels),
        files=files,
        read=lambda path, split: carve_tune(read_glue(path, name, label_names), split),
        metric="glue",
        metric_config=name,
        hub_dataset=("nyu-mll/glue", name),
        benchmark="glue",
        references="glue",
        title=folder,
        **declared,
    ))
