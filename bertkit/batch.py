"""Batch prediction over a large file: `python -m bertkit predict TASK --file IN --output OUT.jsonl`.

The input is read a chunk at a time (never whole), each chunk predicted in length-sorted batches
and its lines appended to OUT in input order, one JSON line per input line (blank lines skipped).
A rerun of the same command continues after the last complete line of OUT; a torn last line (a
killed write) is cut off and redone. `OUT.bertkit.json` records what OUT holds (task, input, model,
options): into the same OUT a different input, task, model or option is refused, not appended.

Under `torchrun` (several processes, one or many machines) every rank reads the same input, forwards
its share of each chunk's batches (bertkit/distributed.py) and rank 0 writes OUT: same lines, same
order as a one-process run. Chunks hold CHUNK_BATCHES batches (more when there are more ranks), so up
to that many ranks give the very batches, hence the very numbers, of a one-process run.
"""
from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

from .errors import BertkitError, InputError
from .files import write_json

CHUNK_BATCHES = 16
IDENTITY_SUFFIX = ".bertkit.json"


def read_line(text: str):
    """One input: a JSON value when the line starts like one, else the line's text."""
    return json.loads(text) if text.lstrip().startswith(("{", "[", '"')) else text.rstrip("\n")


def input_lines(path: Path):
    """(line number, input) for every non-blank line, streamed."""
    with open(path, encoding="utf-8") as f:
        for number, text in enumerate(f, 1):
            if not text.strip():
                continue
            try:
                yield number, read_line(text)
            except json.JSONDecodeError as e:
                raise InputError(f"{path}:{number}: not valid JSON ({e.msg} at column {e.colno}); give one "
                                 "input per line: plain text, or a JSON object such as "
                                 '{"text": "...", "text_pair": "..."}') from None


def scan_input(path: Path) -> tuple[int, str]:
    """The number of inputs (non-blank lines) and the file's sha256, in one streamed pass."""
    digest, count = hashlib.sha256(), 0
    with open(path, "rb") as f:
        for raw in f:
            digest.update(raw)
            count += bool(raw.strip())
    return count, digest.hexdigest()


def model_fingerprint(path: Path) -> list:
    """Name, size and modification time of each weights/config file: a retrained or replaced model
    in the same folder reads differently (without hashing gigabytes)."""
    files = sorted(p for p in Path(path).iterdir() if p.is_file() and p.suffix in (".safetensors", ".bin", ".json", ".onnx"))
    return [[p.name, p.stat().st_size, p.stat().st_mtime_ns] for p in files]


def identity(task, source, input_path: Path, sha: str, count: int, options: dict, precision: str) -> dict:
    return {"task": task.name, "input": str(input_path.resolve()), "input_sha256": sha, "inputs": count,
            "model": source.name, "model_path": str(source.path), "model_files": model_fingerprint(source.path),
            "options": options, "precision": precision}


def complete_lines(out: Path) -> int:
    """Complete lines in `out` (each a JSON value ending with a newline); a torn or unreadable tail
    is cut off so the rerun writes it again."""
    good = 0
    with open(out, "rb+") as f:
        keep = 0
        for raw in f:
            if not raw.endswith(b"\n"):
                break
            try:
                json.loads(raw)
            except ValueError:
                break
            keep += len(raw)
            good += 1
        f.truncate(keep)
    return good


def resume_point(out: Path, wanted: dict) -> int:
    """How many inputs OUT already answers for `wanted`; refuses an OUT holding anything else."""
    meta_path = out.with_name(out.name + IDENTITY_SUFFIX)
    if not out.exists() or out.stat().st_size == 0:
        return 0
    if not meta_path.exists():
        raise BertkitError(f"{out} already exists and was not written by `bertkit predict --output`: it is left "
                           "as it is. Give another --output, or move that file away.")
    found = json.loads(meta_path.read_text())
    differ = [f"{k}: {_short(found.get(k))} there, {_short(wanted[k])} now" for k in wanted
              if k not in ("model_files", "input_sha256") and found.get(k) != wanted[k]]
    if found.get("input_sha256") != wanted["input_sha256"]:
        differ.append("the input file's content changed")
    if found.get("model_files") != wanted["model_files"] and found.get("model_path") == wanted["model_path"]:
        differ.append("the model folder's files changed")
    if differ:
        raise BertkitError(f"{out} holds the predictions of another run ({'; '.join(differ)}): it is left "
                           f"as it is. Give another --output, or delete {out} and {meta_path.name} to start over.")
    done = complete_lines(out)
    if done > wanted["inputs"]:
        raise BertkitError(f"{out} has {done} lines for {wanted['inputs']} inputs: it is not this run's output. "
                           "Give another --output.")
    return done


def _short(value) -> str:
    text = json.dumps(value)
    return text if len(text) <= 60 else text[:57] + "..."


def write_identity(out: Path, wanted: dict) -> None:
    meta_path = out.with_name(out.name + IDENTITY_SUFFIX)
    write_json(meta_path, wanted)


def chunks(path: Path, skip: int, size: int):
    """Lists of (line number, input), `size` at a time, after the first `skip` inputs."""
    chunk = []
    for n, (number, item) in enumerate(input_lines(path)):
        if n < skip:
            continue
        chunk.append((number, item))
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def predict_file(task, predictor, input_path, out, batch_size: int | None = None, options: dict | None = None,
                 progress: bool = True, shard=None) -> dict:
    """Predict every line of `input_path` into `out` (JSONL), resuming what `out` already holds."""
    input_path, out, options = Path(input_path), Path(out), dict(options or {})
    if not input_path.is_file():
        raise BertkitError(f"--file {input_path}: no such file")
    main = shard is None or shard.is_main
    count, sha = scan_input(input_path)
    wanted = identity(task, predictor.source, input_path, sha, count, options, predictor.precision)
    decision = _decide(out, wanted) if main else None
    if shard is not None:
        decision = shard.broadcast(decision)
    if isinstance(decision, str):
        raise BertkitError(decision)
    done = decision
    if main:
        out.parent.mkdir(parents=True, exist_ok=True)
        write_identity(out, wanted)
    batch_size = batch_size or predictor.batch_size
    size = batch_size * max(CHUNK_BATCHES, shard.world if shard else 1)
    bar = _bar(count, done, out) if progress and main else None
    written = done
    with open(out, "a", encoding="utf-8") if main else _nowhere() as f:
        for chunk in chunks(input_path, done, size):
            items = []
            for number, item in chunk:
                try:  # named by its line here; the predictor checks it again
                    task.family.check_input(task, item)
                except InputError as e:
                    raise InputError(f"{input_path}:{number}: {e}") from None
                items.append(item)
            outputs = predictor(items, batch_size=batch_size, **options)
            if main:
                f.write("".join(json.dumps(o, ensure_ascii=False) + "\n" for o in outputs))
                f.flush()  # a kill loses at most the chunk being predicted
            written += len(outputs)
            if bar is not None:
                bar.update(len(outputs))
    if bar is not None:
        bar.close()
    return {"output": str(out), "inputs": count, "resumed_after": done, "written": written - done,
            "world_size": shard.world if shard else 1}


def _decide(out: Path, wanted: dict):
    """Rank 0's verdict: the resume point, or the error message every rank raises."""
    try:
        return resume_point(out, wanted)
    except BertkitError as e:
        return str(e)


def _bar(total: int, done: int, out: Path):
    from tqdm.auto import tqdm

    return tqdm(total=total, initial=done, unit="input", desc=out.name, file=sys.stderr)


class _nowhere:
    """The output of ranks other than 0 (rank 0 writes every line)."""
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False
