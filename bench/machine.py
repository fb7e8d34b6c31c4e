"""What every bench prints first: the CPU it ran on, the flags that decide matmul speed, torch's
threads, and the fp32 matmul peak measured now (the same machine can be busy: the peak says so)."""
from __future__ import annotations


def banner() -> dict:
    import torch

    from bertkit.precision import cpu_features, describe, matmul_peak_gflops

    info = cpu_features()
    peak = matmul_peak_gflops("fp32")
    gpu = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "none"
    print(f"CPU: {describe()}")
    print(f"flags: avx2={'avx2' in info['flags']} avx512f={'avx512f' in info['flags']} "
          f"avx512_bf16={'avx512_bf16' in info['flags']} amx={'amx_bf16' in info['flags']}; "
          f"torch {torch.__version__}, {torch.get_num_threads()} threads; GPU: {gpu}")
    print(f"fp32 matmul peak (1024², measured now): {peak:.0f} GFLOP/s")
    return {"cpu": info, "fp32_peak_gflops": peak}
