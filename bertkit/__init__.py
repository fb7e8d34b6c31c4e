"""bertkit: fine-tune and serve BERT task heads.

    import bertkit
    predictor = bertkit.load("sst2")              # the embedded default model
    predictor("a charming and affecting film")    # {"label": "positive", "score": …, "scores": {…}}

See README.md for every task's input and output keys, and `python -m bertkit --help` for the CLI.
"""
from . import _env  # noqa: F401  (sets offline-safe environment before HF imports)
from .errors import BertkitError, InputError, MissingHeadError, ModelError, UnknownTaskError
from .tasks.base import Task, all_tasks, get_task, task_names

__version__ = "0.1.0"
__all__ = ["load", "train", "get_task", "all_tasks", "task_names", "Task", "BertkitError", "InputError",
           "ModelError", "MissingHeadError", "UnknownTaskError"]


def load(task, model="default", **kwargs):
    """A predictor for `task` (see `bertkit.api.load`)."""
    from .api import load as _load

    return _load(task, model, **kwargs)


def train(task, **kwargs):
    """Fine-tune `task` (see `bertkit.training.train`)."""
    from .training import train as _train

    return _train(task, **kwargs)
