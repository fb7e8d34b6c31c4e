"""What a visitor may send: text checks, and which model values a server takes (local folders are
refused on public servers; folders the operator configured or the Fine-tune tab made stay allowed)."""
from __future__ import annotations

import os
import re
import tempfile
import unicodedata
from pathlib import Path

from .errors import UserError

MAX_CHARS = 10_000  # per text box: long QA contexts fit (windows), 100k-character pastes do not
# C0 controls except tab/newline/carriage return, DEL, and C1 controls
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
ALLOW_LOCAL_ENV = "BERTKIT_ALLOW_LOCAL_MODELS"  # "1": allow local folders, "0": refuse them; unset: refuse on Spaces
FINETUNE_PREFIX = "bertkit-finetune-"  # the Fine-tune tab's work folders (tempfile.mkdtemp in finetune.py)
_TRUSTED_FOLDERS: set[Path] = set()  # local folders the server's operator configured (DemoConfig.model/models)


def check_text(value, what: str = "text") -> str:
    """The text a user typed, or `gr.Error` naming what is wrong with it."""
    if value is None or not str(value).strip():
        raise UserError(f"{what} is empty: type some text")
    value = str(value)
    if len(value) > MAX_CHARS:
        raise UserError(f"{what} is {len(value):,} characters long; this demo takes at most {MAX_CHARS:,}. "
                        "Shorten it.")
    bad = _CONTROL.search(value)
    if bad:
        raise UserError(f"{what} contains a control character (U+{ord(bad.group()):04X} at position "
                        f"{bad.start()}); remove it and try again")
    return unicodedata.normalize("NFC", value)


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
    """A folder this app made: a Fine-tune tab output (in the temp folder) or one the operator configured."""
    try:
        path = path.expanduser().resolve()
        inside = path.relative_to(Path(tempfile.gettempdir()).resolve())
    except (OSError, RuntimeError, ValueError):  # RuntimeError: '~user' of an unknown user
        inside = None
    if inside is not None and inside.parts and inside.parts[0].startswith(FINETUNE_PREFIX):
        return True
    return path in _TRUSTED_FOLDERS


def check_local_allowed(value: str) -> None:
    """`gr.Error` when `value` names a server folder and this server does not take them."""
    if value == "default" or local_models_allowed() or not looks_local(value) or app_created(Path(value)):
        return
    raise UserError(f"local model folders are turned off on this server ({_restriction_reason()}): a visitor may not "
                    f"load files from the server's disk. Use `default` or a hub id (e.g. 'org/bert-finetuned'); a "
                    f"head trained in the Fine-tune tab can be tried there. Whoever runs the server can allow local "
                    f"folders with {ALLOW_LOCAL_ENV}=1.")
