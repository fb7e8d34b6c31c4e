"""The errors bertkit raises on bad input. Each message names the bad value and what would work."""


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
