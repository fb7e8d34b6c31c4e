"""What identifies a training run (its fingerprint's parts) and how two fingerprints differ, in words."""
from __future__ import annotations

import json
from pathlib import Path

from .files import sha256
from .models import DEFAULT


def base_identity(model: str) -> str:
    """The base model's name, plus a digest of its config for a local folder (same name, other model)."""
    path = Path(model).expanduser()
    if model != DEFAULT and (path / "config.json").is_file():
        return f"{model} (config sha256 {sha256(path / 'config.json')[:12]})"
    return model


def describe_difference(old: dict, new: dict) -> str:
    """'task: mrpc there, sst2 now; data train.tsv: ...' — the first few fields that differ."""
    def flat(d, prefix=""):
        items = {}
        for k, v in (d or {}).items():
            if isinstance(v, dict) and k in ("recipe", "data"):
                items.update(flat(v, f"{prefix}{k} "))
            else:
                items[f"{prefix}{k}"] = v
        return items

    a, b = flat(old), flat(new)
    diffs = [f"{k}: {short(a.get(k))} there, {short(b.get(k))} now" for k in dict.fromkeys([*b, *a]) if a.get(k) != b.get(k)]
    return "; ".join(diffs[:4]) + (f"; and {len(diffs) - 4} more" if len(diffs) > 4 else "") if diffs else "same"


def short(value) -> str:
    text = json.dumps(value) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
