"""Every error bertkit raises on purpose, in one place. Each message names the bad value and what would work.

The CLIs catch `BertkitError` only: anything else is a bug and keeps its traceback.
"""


class BertkitError(Exception):
    """Base class: every error bertkit raises on purpose."""


class UnknownTaskError(BertkitError, KeyError):
    def __init__(self, name, valid):
        self.name, self.valid = name, list(valid)
        super().__init__(f"unknown task {name!r}; valid tasks: {', '.join(self.valid)}")

    def __str__(self):  # KeyError would print the repr of the message
        return self.args[0]


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
