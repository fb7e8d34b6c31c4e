"""The file-opening helpers every reader uses; they raise `DataError` (bertkit/errors.py).

A `DataError` names the file, the 1-based line when one is known, and the problem:
`"dev.tsv, line 12: label 'maybe' not in ['entailment', 'not_entailment']"`.
"""
import gzip
import os

from bertkit.errors import DataError  # noqa: F401  (defined with every other error)


def check_file(path):
    """Raise `DataError` unless `path` is an existing file; return it as a str."""
    path = os.fspath(path)
    if not os.path.exists(path):
        raise DataError(path, "file not found")
    if not os.path.isfile(path):
        raise DataError(path, "not a file")
    return path


def decode(path, data):
    """Decode UTF-8 bytes (a leading BOM is dropped); bad bytes give a `DataError` with their line."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise DataError(path, f"not valid UTF-8 text ({err.reason} at byte {err.start})", line) from None


def read_text_file(path):
    """The whole text of a UTF-8 file, plain or `.gz`, with `\\r\\n` turned into `\\n`."""
    path = check_file(path)
    opener = gzip.open if path.endswith(".gz") else open
    try:
        with opener(path, "rb") as f:
            data = f.read()
    except (OSError, EOFError) as err:  # unreadable, or a corrupt .gz
        raise DataError(path, f"cannot read the file ({err})") from None
    return decode(path, data).replace("\r\n", "\n")


def read_lines(path):
    """The lines of a UTF-8 file (plain or `.gz`), without their line ends; no trailing empty line."""
    text = read_text_file(path)
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def archive_files(path, suffix: str, what: str, recursive: bool = False):
    """(name, bytes) of every `suffix` file of a folder, a single file, or a (compressed) tar, sorted.

    A tar is read in one pass in archive order (seeking back in an xz stream decompresses it again).
    """
    import os
    import tarfile

    path = str(path)
    if os.path.isdir(path):
        walk = sorted(os.walk(path)) if recursive else [(path, None, os.listdir(path))]
        for root, _, names in walk:
            for n in sorted(n for n in names if n.endswith(suffix)):
                with open(os.path.join(root, n), "rb") as f:
                    yield os.path.join(root, n), f.read()
        return
    if path.endswith(suffix):
        with open(check_file(path), "rb") as f:
            yield path, f.read()
        return
    check_file(path)
    try:
        with tarfile.open(path, "r|*") as tar:
            files = [(f"{path}:{m.name}", tar.extractfile(m).read()) for m in tar
                     if m.isfile() and m.name.endswith(suffix)]
    except (tarfile.TarError, EOFError, OSError) as err:
        raise DataError(path, f"not a readable tar of {what} ({err})") from None
    yield from sorted(files)
