"""Numeric precision for training and serving: `auto` | `fp32` | `bf16` | `fp16`.

`auto` is bf16 where the hardware runs it natively fast (a CUDA GPU with bf16, or a CPU with AMX-bf16
or AVX-512-bf16, read from /proc/cpuinfo at run time), else fp32. Callers wrap their forward pass
in `autocast(device, precision)`; outputs are cast back to fp32 by the caller before they leave.

    from bertkit.precision import resolve_precision, autocast, cpu_features
    chosen = resolve_precision("auto")          # "bf16" on a Xeon with AMX, "fp32" on AVX2-only EPYC
    with autocast("cpu", chosen): ...
"""
from __future__ import annotations

import contextlib
import os
import platform
from functools import lru_cache

from .errors import BertkitError

PRECISIONS = ("auto", "fp32", "bf16", "fp16")
ENV_VAR = "BERTKIT_PRECISION"
BF16_CPU_FLAGS = ("amx_bf16", "avx512_bf16")  # training: bf16 measured 2.1x fp32 on AVX-512-bf16 alone
# Serving short inputs gains from bf16 only with AMX: on an AVX-512-bf16 CPU without it (AMD Zen 5)
# `python -m bench serve` measured SST-2 at 0.74x fp32 under bf16 (SQuAD windows 1.96x), so `auto`
# serves fp32 there and `precision="bf16"` is the opt-in for long inputs.
SERVE_BF16_CPU_FLAGS = ("amx_bf16",)


@lru_cache(maxsize=1)
def cpu_features() -> dict:
    """The CPU's model name and the flags that matter for matmul speed (empty on non-Linux)."""
    model, flags = platform.processor() or platform.machine(), set()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                key, _, value = line.partition(":")
                key = key.strip()
                if key == "model name" and model in ("", platform.machine(), platform.processor()):
                    model = value.strip()
                elif key == "flags":
                    flags = set(value.split())
                    break
    except OSError:
        pass
    wanted = ("avx2", "avx512f", "avx512_vnni", "avx512_bf16", "amx_bf16", "amx_int8", "avx_vnni")
    return {"model": model, "flags": [f for f in wanted if f in flags]}


def cpu_has_fast_bf16() -> bool:
    return any(f in cpu_features()["flags"] for f in BF16_CPU_FLAGS)


def check_precision(value: str | None) -> str:
    """`value` (None: $BERTKIT_PRECISION, else 'auto') validated; BertkitError naming the choices."""
    if value is None:
        value = os.environ.get(ENV_VAR) or "auto"
    value = str(value).lower()
    if value not in PRECISIONS:
        raise BertkitError(f"precision {value!r} is not one of {', '.join(PRECISIONS)}")
    return value


def resolve_precision(value: str | None = "auto", device: str = "cpu", use: str = "train") -> str:
    """The concrete precision ('fp32' | 'bf16' | 'fp16') that `value` means on `device` for `use`
    ('train' or 'serve': serving needs AMX on a CPU, see SERVE_BF16_CPU_FLAGS)."""
    value = check_precision(value)
    kind = str(device).split(":")[0]
    if value == "auto":
        if kind == "cuda":
            import torch

            return "bf16" if torch.cuda.is_bf16_supported() else "fp16"
        return cpu_precision_for_flags(cpu_features()["flags"], use) if kind == "cpu" else "fp32"
    if value == "fp16" and kind == "cpu":
        raise BertkitError("fp16 runs only on a GPU; on a CPU use bf16 (fast where the CPU has AMX or "
                           "AVX-512-bf16) or fp32")
    return value


def torch_dtype(precision: str):
    import torch

    return {"fp32": torch.float32, "bf16": torch.bfloat16, "fp16": torch.float16}[precision]


def autocast(device: str, precision: str):
    """A context manager: torch autocast for bf16/fp16, nothing for fp32."""
    if precision == "fp32":
        return contextlib.nullcontext()
    import torch

    return torch.autocast(str(device).split(":")[0], dtype=torch_dtype(precision))


def describe() -> str:
    """One line for logs, cards and bench output: CPU model, relevant flags, what auto picks."""
    info = cpu_features()
    return (f"{info['model']} [{' '.join(info['flags']) or 'no AVX2'}]; auto -> "
            f"{resolve_precision('auto')} training, {resolve_precision('auto', use='serve')} serving")


def matmul_peak_gflops(dtype: str = "fp32", size: int = 1024, seconds: float = 1.0) -> float:
    """Measured GFLOP/s of a square matmul in `dtype` on this CPU with torch's threads (best of runs)."""
    import time

    import torch

    a = torch.randn(size, size, dtype=torch_dtype(dtype))
    b = torch.randn(size, size, dtype=torch_dtype(dtype))
    for _ in range(3):
        a @ b
    best, end = 0.0, time.perf_counter() + seconds
    while time.perf_counter() < end:
        start = time.perf_counter()
        for _ in range(4):
            a @ b
        best = max(best, 4 * 2 * size ** 3 / (time.perf_counter() - start) / 1e9)
    return best


def cpu_precision_for_flags(flags, use: str = "train") -> str:
    """What `auto` means on a CPU with these /proc/cpuinfo flags for `use` ('train' | 'serve'); pure."""
    wanted = SERVE_BF16_CPU_FLAGS if use == "serve" else BF16_CPU_FLAGS
    return "bf16" if any(f in set(flags) for f in wanted) else "fp32"
