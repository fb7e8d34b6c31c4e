"""User errors as the page shows them: worded for a web visitor, logged as one line, shown in the
output area of the tab as well as in a toast.

Every endpoint function is wrapped in `endpoint`: bertkit's deliberate errors become `gr.Error`
with the command-line advice rewritten for the web, and each user error is logged as one line
(no traceback; a traceback means a real bug). An API client gets the error (`AppError`); the
page's own events go through `shown_in_place`, which puts the message into the tab's note area
and raises a toast.
"""
from __future__ import annotations

import functools
import logging
import re

import gradio as gr

log = logging.getLogger("bertkit.demo")

# command-line advice in bertkit's messages -> what a web visitor can do instead
_WEB_WORDING = [
    (re.compile(r" ?Shorten it, or pass truncate=True to cut it\."), " Shorten the text and try again."),
    (re.compile(r" ?Use a local folder instead \(--model [^)]*\), or --model default\."),
     " Pick `default` in the model box, or a model this server already has."),
    (re.compile(r" ?Train one with `python -m bertkit train [^`]*` and load it with model='[^']*', or pass a "
                r"fine-tuned folder or hub id\."),
     " Pick another task, or type the hub id of a model fine-tuned for it into the model box."),
    (re.compile(r" ?Pass a model fine-tuned on \S+ elsewhere \(a local folder, or a hub id when online\)\."),
     " Type the hub id of a model fine-tuned for it into the model box."),
    (re.compile(r" ?Fine-tune it first: python -m bertkit train .*$"), " Fine-tune it in the Fine-tune tab."),
    (re.compile(r"; to train a head with your own label set, pass --labels (\S+) \(Python: labels=\[\.\.\.\]\)"),
     r"; to train a head with your own label set, type them into the Labels box (\1)"),
    (re.compile(r", or pass allow_pickle=True \(CLI: --allow-pickle\) if you trust it"), ""),
    (re.compile(r"; set --data-dir or BERTKIT_DATA_DIR to the folder that holds (\S+)"),
     r": whoever runs this server can set BERTKIT_DATA_DIR to the folder that holds \1"),
]


def web_message(message: str) -> str:
    """bertkit's message with command-line flags and Python arguments replaced by web advice."""
    for pattern, replacement in _WEB_WORDING:
        message = pattern.sub(replacement, message)
    return message.strip()


def UserError(message: str) -> gr.Error:  # noqa: N802  (reads like the exception it returns)
    """A `gr.Error` for bad input: the server log gets one line, not a traceback."""
    return gr.Error(web_message(str(message)), print_exception=False)


def endpoint(fn):
    """Wrap an endpoint: bertkit errors -> web-worded `gr.Error`; one log line per user error."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        from bertkit.errors import BertkitError

        try:
            return fn(*args, **kwargs)
        except gr.Error as e:
            error = e if not e.print_exception else UserError(e.message)
        except BertkitError as e:
            error = UserError(str(e))
        log.warning("user error in %s: %s", fn.__name__, error.message.replace("\n", " "))
        raise error from None
    return wrapper


def error_note(message: str, chinese: bool = False) -> str:
    """The Markdown the note area shows for an error."""
    return f"⚠️ **{'错误：' if chinese else 'Error:'}** {message}"


def shown_in_place(fn, n_outputs: int, note: int, raw: int | None = None):
    """The page's version of an endpoint: a user error fills the note area (and a toast) and
    clears the other outputs, instead of leaving them saying just "Error". The page's request comes
    last (gradio passes it, by the signature below): the error is worded in the browser's language."""
    import inspect

    from .i18n import error_message, wants_chinese

    @functools.wraps(fn)
    def ui(*args):
        request = args[-1] if args and isinstance(args[-1], gr.Request) else None
        args = args[:-1] if request is not None else args
        try:
            return fn(*args)
        except gr.Error as e:
            message = error_message(e.message, request)
            gr.Warning(message)
            out = [None] * n_outputs
            out[note] = error_note(message, request is not None and wants_chinese(request))
            if raw is not None:
                out[raw] = {"error": message}
            return tuple(out) if n_outputs > 1 else out[0]
    try:
        signature = inspect.signature(fn)
        request = inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD, default=None,
                                    annotation=gr.Request)
        ui.__signature__ = signature.replace(parameters=[*signature.parameters.values(), request])
        ui.__annotations__ = {**getattr(fn, "__annotations__", {}), "request": gr.Request}
    except ValueError:  # (*args): no room for the request; errors stay in English
        pass
    return ui
