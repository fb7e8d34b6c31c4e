"""What a visitor may send: text checks, and which model values a server takes (local folders are
refused on public servers; folders the operator configured or the Fine-tune tab made stay allowed)."""
from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path

from .errors import UserError

MAX_CHARS = 10_000  # per text box, except a QA context: 100k-character pastes are refused
MAX_CONTEXT_CHARS = 60_000  # a QA context: read in overlapping windows (about 50 windows at 60k)
# C0 controls except tab/newline/carriage return, DEL, and C1 controls
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
ALLOW_LOCAL_ENV = "BERTKIT_ALLOW_LOCAL_MODELS"  # "1": allow local folders, "0": refuse them; unset: refuse on Spaces
FINETUNE_PREFIX = "bertkit-finetune-"  # the Fine-tune tab's work folders (tempfile.mkdtemp in finetune.py)
_TRUSTED_FOLDERS: set[Path] = set()  # local folders the server's operator configured (DemoConfig.model/models)


def check_text(value, what: str = "text", max_chars: int = MAX_CHARS) -> str:
    """The text a user typed, or `gr.Error` naming what is wrong with it."""
    if value is None or not str(value).strip():
        raise UserError(f"{what} is empty: type some text")
    value = str(value)
    if len(value) > max_chars:
        raise UserError(f"{what} is {len(value):,} characters long; this demo takes at most {max_chars:,}. "
                        "Shorten it.")
    bad = _CONTROL.search(value)
    if bad:
        raise UserError(f"{what} contains a control character (U+{ord(bad.group()):04X} at position "
                        f"{bad.start()}); remove it and try again")
    return unicodedata.normalize("NFC", value)


def option(value, default):
    """An optional API argument: None or "" (what a client sends for "not given") means `default`."""
    return default if value is None or (isinstance(value, str) and not value.strip()) else value


def number(value, what: str, low: float, high: float, integer: bool = False, default=None):
    """A numeric argument as the API page documents it: a number or its digits as text, finite and
    within [low, high]; None or "" means `default`. Anything else is a `gr.Error` naming the value."""
    import math

    value = option(value, default)
    kind = "a whole number" if integer else "a number"
    try:
        if isinstance(value, bool):
            raise ValueError
        parsed = float(value.strip() if isinstance(value, str) else value)
    except (TypeError, ValueError):
        raise UserError(f"{what} must be {kind} from {low:g} to {high:g}; got {value!r}") from None
    if not math.isfinite(parsed) or not low <= parsed <= high or (integer and parsed != int(parsed)):
        raise UserError(f"{what} must be {kind} from {low:g} to {high:g}; got {value!r}")
    return int(parsed) if integer else parsed


def trust(value: str) -> None:
    """A model value chosen by whoever started the server (not typed by a visitor)."""
    if value and value != "default" and Path(value).expanduser().is_dir():
        _TRUSTED_FOLDERS.add(Path(value).expanduser().resolve())


def model_name(value) -> str:
    """The model value a selector holds (`default` when empty), after the local-folder policy."""
    value = (str(value) if value is not None else "").strip() or "default"
    check_local_allowed(value)
    return value


def local_models_allowed() -> bool:
    """Whether a visitor may name a server folder as a model: yes locally; no on a Hugging Face Space
    (SPACE_ID set) or with BERTKIT_ALLOW_LOCAL_MODELS=0; BERTKIT_ALLOW_LOCAL_MODELS=1 overrides both."""
    flag = os.environ.get(ALLOW_LOCAL_ENV, "").strip().lower()
    if flag in ("1", "true", "yes"):
        return True
    if flag in ("0", "false", "no"):
        return False
    return not os.environ.get("SPACE_ID")


def _restriction_reason() -> str:
    if os.environ.get(ALLOW_LOCAL_ENV, "").strip().lower() in ("0", "false", "no"):
        return f"{ALLOW_LOCAL_ENV}=0"
    return "this app runs on a Hugging Face Space (SPACE_ID is set)"


def looks_local(value: str) -> bool:
    """Whether bertkit would read `value` from the server's disk (or try to): anything but a hub id."""
    if value.startswith((".", "/", "~")) or "\\" in value or value.count("/") > 1:
        return True
    try:
        return Path(value).expanduser().exists()
    except OSError:
        return True


def app_created(path: Path) -> bool:
    """A folder this app made (a Fine-tune run of this process: its registry, not a folder's name, so a
    `bertkit-finetune-*` folder planted in the temp dir is not trusted) or one the operator configured."""
    from .workfolders import created_by_app

    try:
        resolved = path.expanduser().resolve()
    except (OSError, RuntimeError):  # RuntimeError: '~user' of an unknown user
        return False
    return created_by_app(resolved) or resolved in _TRUSTED_FOLDERS


def check_local_allowed(value: str) -> None:
    """`gr.Error` when `value` names a server folder and this server does not take them."""
    if value == "default" or local_models_allowed() or not looks_local(value) or app_created(Path(value)):
        return
    raise UserError(f"local model folders are turned off on this server ({_restriction_reason()}): a visitor may not "
                    f"load files from the server's disk. Use `default` or a hub id (e.g. 'org/bert-finetuned'); a "
                    f"head trained in the Fine-tune tab can be tried there. Whoever runs the server can allow local "
                    f"folders with {ALLOW_LOCAL_ENV}=1.")
