"""Device, threads and precision choices shared by training, evaluation and export."""
from __future__ import annotations

import contextlib
import os
from pathlib import Path

import torch


def setup_threads() -> None:
    """Two cores here; respect an explicit TESSERA_THREADS."""
    torch.set_num_threads(int(os.environ.get("TESSERA_THREADS", "2")))


def device() -> torch.device:
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def cpu_has_bf16() -> bool:
    """AMX / AVX512-BF16 make bfloat16 autocast several times faster than fp32 on CPU."""
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    return "amx_bf16" in flags or "avx512_bf16" in flags


def autocast(dev: torch.device, enabled: bool = True):
    """bfloat16 autocast where the hardware has it (CUDA or a bf16-capable CPU), else a no-op."""
    if not enabled:
        return contextlib.nullcontext()
    if dev.type == "cuda":
        return torch.autocast("cuda", dtype=torch.bfloat16)
    if cpu_has_bf16():
        return torch.autocast("cpu", dtype=torch.bfloat16)
    return contextlib.nullcontext()
