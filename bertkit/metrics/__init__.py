"""The metrics, each a local `evaluate` module (used by training and by the evaluation suite).

Every metric lives in a folder ``bertkit/metrics/<name>/`` holding ``<name>.py`` (a subclass of
``evaluate.Metric``) and a ``README.md`` card. They are drop-in replacements for the Hugging Face hub
modules of the same name (same inputs, output keys and scales), which ``evaluate`` 0.4.6 no longer
ships and which cannot be fetched offline.

    >>> from bertkit.metrics import load_metric
    >>> glue = load_metric("glue", "mrpc")
    >>> glue.compute(predictions=[0, 1], references=[0, 1])
    {'accuracy': 1.0, 'f1': 1.0}

``evaluate`` is imported lazily (it takes ~8 s), inside :func:`load_metric`.
"""
import os
from pathlib import Path

from bertkit.errors import UnknownNameError

# Must be in place before `evaluate` is imported: it reads them once, at import time.
for _name, _value in {
    "HF_EVALUATE_OFFLINE": "1",  # our modules are local; otherwise evaluate looks up the hub first
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "TRANSFORMERS_NO_ADVISORY_WARNINGS": "1",
}.items():
    os.environ.setdefault(_name, _value)

METRICS_DIR = Path(__file__).resolve().parent

__all__ = ["METRICS_DIR", "available_metrics", "metric_path", "load_metric"]


def available_metrics() -> list:
    """Names of the metric modules in :data:`METRICS_DIR`, sorted."""
    return sorted(
        p.name for p in METRICS_DIR.iterdir() if p.is_dir() and (p / f"{p.name}.py").is_file()
    )


def metric_path(name: str) -> Path:
    """Absolute folder of metric ``name``; KeyError naming the valid metrics for an unknown one."""
    names = available_metrics()
    if name not in names:
        raise UnknownNameError(f"unknown metric {name!r}; valid metrics: {', '.join(names)}")
    return METRICS_DIR / name


def load_metric(name: str, config_name=None, **kwargs):
    """``evaluate.load`` on the absolute folder of metric ``name``.

    ``config_name`` selects e.g. the GLUE task (``load_metric("glue", "stsb")``); other keyword
    arguments (``experiment_id``, ``keep_in_memory``, ``cache_dir``, ...) go to ``evaluate.load``.
    """
    path = metric_path(name)
    import evaluate

    return evaluate.load(str(path), config_name, **kwargs)
