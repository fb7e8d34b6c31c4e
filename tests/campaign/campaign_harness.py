"""The campaign's harness (a plain module: `conftest` names are taken by other test folders): run one row (a kind of bad input or fault) and classify what happened.

Every failure message starts with its class, so a run on old code can be counted:
LOST (a protected file changed or vanished), TRACEBACK (an exception that is not a bertkit error, or
"Traceback" on a CLI's stderr), SILENT (an error was expected, the call succeeded), HANG (over the
row's time limit), WRONG (a bertkit error with the wrong message, or a wrong value).
"""
from __future__ import annotations

import contextlib
import hashlib
import io
import os
import re
import subprocess
import sys
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import pytest

REPO = Path(__file__).resolve().parents[2]


@dataclass
class Cli:
    """What a command line did: exit code, stdout, stderr, and the traceback of an escaped exception."""

    rc: int
    out: str
    err: str
    escaped: str = ""


def run_main(main, argv: list[str]) -> Cli:
    """`main(argv)` in this process (a subprocess costs ~8 s of imports per row), output captured."""
    out, err = io.StringIO(), io.StringIO()
    escaped = ""
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            rc = main(argv)
        except SystemExit as e:  # argparse
            rc = e.code if isinstance(e.code, int) else 1
        except BaseException:  # would have been a traceback on the terminal
            escaped, rc = traceback.format_exc(), 1
    return Cli(rc, out.getvalue(), err.getvalue() + escaped, escaped)


def run_subprocess(args: list[str], timeout: float = 240, **kw) -> Cli:
    env = dict(os.environ, PYTHONPATH=str(REPO), OMP_NUM_THREADS="1", **kw.pop("env", {}))
    proc = subprocess.run([sys.executable, *args], cwd=kw.pop("cwd", REPO), env=env, capture_output=True,
                          text=True, errors="replace", timeout=timeout, **kw)
    return Cli(proc.returncode, proc.stdout, proc.stderr)


def digest(path: Path):
    """A path's content as one comparable value: bytes of a file, the tree of a folder, None if absent."""
    path = Path(path)
    if path.is_symlink():
        return ("link", os.readlink(path))
    if path.is_file():
        return hashlib.sha256(path.read_bytes()).hexdigest()
    if path.is_dir():
        return {p.name: digest(p) for p in sorted(path.iterdir())}
    return None


class Ctx:
    """Handed to each row's `provoke`: the tiny model, a fresh folder, and `protect` for things to keep."""

    def __init__(self, tiny_bert: Path, tmp: Path, shared: dict):
        self.tiny_bert, self.tmp, self.shared = tiny_bert, tmp, shared
        self.protected: dict[Path, Any] = {}

    def protect(self, *paths) -> None:
        for p in paths:
            self.protected[Path(p)] = digest(p)

    def write(self, name: str, content: str | bytes) -> Path:
        path = self.tmp / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode() if isinstance(content, str) else content)
        return path

    def lost(self) -> list[str]:
        return [f"{p} {'vanished' if digest(p) is None else 'changed'}" for p, d in self.protected.items()
                if digest(p) != d]


# ---- what a row expects ---------------------------------------------------------------------------
@dataclass
class Error:
    """A bertkit error (API: an exception of `cls`; CLI: rc != 0) whose message matches `match`."""

    match: str
    cls: type | None = None


@dataclass
class Works:
    """No error; `check(value)` is true (value: the API's result, or the Cli of a command line)."""

    check: Callable[[Any], Any] = lambda value: True
    what: str = ""


@dataclass
class Row:
    surface: str  # api | cli | train | eval | export
    kind: str
    provoke: Callable[[Ctx], Any]
    expect: Any  # Error | Works
    slow: bool = False
    marks: list = field(default_factory=list)

    def param(self):
        limit = pytest.mark.timeout(600 if self.slow else 180)  # a row over it counts as HANG
        return pytest.param(self, id=f"{self.surface}:{self.kind}", marks=[limit, *self.marks])


def judge(row: Row, ctx: Ctx) -> None:
    """Run the row and raise AssertionError tagged LOST/TRACEBACK/SILENT/WRONG when it misbehaves."""
    from bertkit.errors import BertkitError

    value, error, tb = None, None, ""
    try:
        value = row.provoke(ctx)
    except Exception as e:
        error, tb = e, traceback.format_exc()
    lost = ctx.lost()
    if lost:
        raise AssertionError(f"LOST: {'; '.join(lost)}")
    if isinstance(value, Cli):
        assert "Traceback" not in value.err and not value.escaped, f"TRACEBACK: {value.err[-1500:]}"
        if isinstance(row.expect, Error):
            assert value.rc != 0, f"SILENT: rc 0; stdout {value.out[-300:]!r} stderr {value.err[-300:]!r}"
            last = [line for line in value.err.splitlines() if line.strip()][-1:] or [""]
            assert re.search(row.expect.match, value.err), f"WRONG: stderr {value.err[-600:]!r}"
            assert "error" in last[0], f"WRONG: the last line is not the error: {last[0]!r}"
        else:
            assert value.rc == 0, f"WRONG: rc {value.rc}: {value.err[-600:]!r}"
            assert row.expect.check(value), f"WRONG: {row.expect.what}: {value.out[-600:]!r}"
        return
    if error is not None:
        if isinstance(error, AssertionError):  # the row's own check of a side effect
            raise error
        expected = row.expect.cls or BertkitError if isinstance(row.expect, Error) else BertkitError
        assert isinstance(error, BertkitError), f"TRACEBACK: {tb[-1500:]}"
        assert isinstance(row.expect, Error), f"WRONG: expected it to work, got {type(error).__name__}: {error}"
        assert isinstance(error, expected), f"WRONG: {type(error).__name__} is not a {expected.__name__}: {error}"
        assert re.search(row.expect.match, str(error)), f"WRONG: message {str(error)!r} lacks {row.expect.match!r}"
        return
    assert not isinstance(row.expect, Error), f"SILENT: accepted, returned {str(value)[:300]!r}"
    assert row.expect.check(value), f"WRONG: {row.expect.what}: {str(value)[:400]!r}"
