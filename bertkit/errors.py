"""Every error bertkit raises on purpose, in one place. Each message names the bad value and what would work.

The CLIs catch `BertkitError` (and `OSError`: a full disk, a read-only or missing path the user named);
anything else (a KeyError, a ValueError, ...) is a bug and keeps its traceback. Errors that were a
KeyError/ValueError/FileNotFoundError before stay one too (`UnknownNameError` is a KeyError, ...).
"""


class BertkitError(Exception):
    """Base class: every error bertkit raises on purpose."""


class UnknownNameError(BertkitError, KeyError):
    """A name that is not one of the valid choices (a split, a metric, a reference, a task group): lists them.
    Also a KeyError, as registries usually raise."""

    def __str__(self):  # KeyError would print the repr of the message
        return self.args[0] if self.args else ""


class UnknownTaskError(UnknownNameError):
    def __init__(self, name, valid):
        self.name, self.valid = name, list(valid)
        super().__init__(f"unknown task {name!r}; valid tasks: {', '.join(self.valid)}")


class OptionError(BertkitError, ValueError):
    """An option value out of its range or choices; the message names it and what is valid."""


class RecipeError(OptionError):
    """A training option out of its range, or unknown (bertkit/recipe.py)."""


class TrainingInterrupted(BertkitError):
    """SIGINT/SIGTERM stopped the run after a checkpoint; the same command resumes it."""

    def __init__(self, message: str, signum: int):
        super().__init__(message)
        self.signum = signum


class InputError(BertkitError, ValueError):
    """An input a predictor cannot answer (empty text, no [MASK], too long, wrong shape)."""


class ModelError(BertkitError, OSError):
    """A model that cannot be loaded: missing folder, unreachable hub, pickle weights, wrong kind."""


class MissingHeadError(ModelError):
    """The model has no trained head for this task."""


class LabelMapError(ModelError):
    """A trained head whose labels cannot be mapped to the task's (bertkit/labels.py)."""


class DataError(BertkitError, ValueError):
    """A data file (or hub dataset) that cannot be read into the canonical schema: names the file, the
    1-based line when one is known, and the problem (`"dev.tsv, line 12: label 'maybe' not in [...]"`)."""

    def __init__(self, path, problem, line=None):
        self.path = str(path)
        self.line = line
        self.problem = problem
        where = self.path if line is None else f"{self.path}, line {line}"
        super().__init__(f"{where}: {problem}")


class MissingDataError(DataError, FileNotFoundError):
    """A task's data file is not in the data dir (also a FileNotFoundError, which callers caught before)."""
