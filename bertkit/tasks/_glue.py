"""What the GLUE task files share: the GLUE TSV reader, the glue metric, the hub id."""
from ..data import read_glue
from ..families.classification import SequenceClassification
from .base import Task, register


def glue_task(name: str, folder: str, *, labels=(), pair=False, regression=False, splits=("train", "dev", "test"),
              label_names=None, **declared) -> Task:
    """Register GLUE task `name` whose files are glue/FOLDER/{train,dev,test}.tsv."""
    return register(Task(
        name=name,
        family=SequenceClassification(pair=pair, regression=regression),
        labels=tuple(labels),
        files={split: f"glue/{folder}/{split}.tsv" for split in splits},
        read=lambda path, split: read_glue(path, name, label_names),
        metric="glue",
        metric_config=name,
        hub_dataset=("nyu-mll/glue", name),
        **declared,
    ))
