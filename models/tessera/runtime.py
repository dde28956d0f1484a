"""Device, threads and precision choices shared by training, evaluation and export, and the
run setup both trainers share (flags, run directory, log, time budget; rank-aware under torchrun)."""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import time
from pathlib import Path
from typing import Callable

import torch
import torch.nn as nn

from . import distributed

ROOT = Path(__file__).resolve().parent.parent


def setup_threads() -> None:
    """Two cores here; respect an explicit TESSERA_THREADS. Under torchrun the machine's cores are
    shared among its processes."""
    default = 2
    if distributed.world().distributed:
        default = max(1, (os.cpu_count() or 2) // distributed.local_size())
    torch.set_num_threads(int(os.environ.get("TESSERA_THREADS", default)))


def device() -> torch.device:
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def cpu_has_bf16(flags: str | None = None) -> bool:
    """True where bfloat16 autocast beats fp32 on this CPU: with AMX tiles (`amx_bf16`) only.
    AVX512-BF16 alone is slower than fp32, measured on a 2-core Xeon with avx512_bf16 and no AMX
    (torch 2.15, two threads): a 2048x1024x1024 matmul at 142 GFLOP/s in bf16 against 267 in fp32,
    a DiT-width MLP forward+backward in 56 ms against 36. `flags`: /proc/cpuinfo's text (tests)."""
    if flags is None:
        try:
            flags = Path("/proc/cpuinfo").read_text()
        except OSError:
            return False
    return "amx_bf16" in flags.split()


def autocast(dev: torch.device, enabled: bool = True):
    """bfloat16 autocast where the hardware has it (CUDA or a bf16-capable CPU), else a no-op."""
    if not enabled:
        return contextlib.nullcontext()
    if dev.type == "cuda":
        return torch.autocast("cuda", dtype=torch.bfloat16)
    if cpu_has_bf16():
        return torch.autocast("cpu", dtype=torch.bfloat16)
    return contextlib.nullcontext()


def attention_kernels(dev: torch.device, bf16: bool):
    """The SDPA backends a training step may use. On CPU under bf16 autocast, only the math one: the
    fused CPU flash-attention kernel's backward does not use AMX, and measured at 80 tokens (DiT tiny,
    B = 16, one thread, torch 2.15) it took 35% of the step; with plain matmuls the step went from
    1.31 s to 1.00 s."""
    from torch.nn.attention import SDPBackend, sdpa_kernel

    if dev.type == "cpu" and bf16 and cpu_has_bf16():
        return sdpa_kernel(SDPBackend.MATH)
    return contextlib.nullcontext()


def run_parser(name: str, minutes: float, save_every: float, from_weights_help: str) -> argparse.ArgumentParser:
    """The flags every trainer takes; --run defaults to runs/<name>, --weights to weights/<name>.pt."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--preset", default="tiny")
    ap.add_argument("--minutes", type=float, default=minutes)
    ap.add_argument("--max-steps", type=int, default=0,
                    help="also stop after this many steps of this run (0: no limit)")
    ap.add_argument("--lr-end", type=float, default=1.0, help="final learning rate as a fraction of --lr")
    # --run-dir: the same flag, spelled so that torchrun's own parser (which reads --run as an
    # abbreviation of its --run-path and stops) lets it through to the trainer.
    ap.add_argument("--run", "--run-dir", dest="run", default=str(ROOT / "runs" / name),
                    help="run directory: checkpoint with optimizer state, log.jsonl (--run-dir under torchrun)")
    ap.add_argument("--weights", default=str(ROOT / "weights" / f"{name}.pt"))
    ap.add_argument("--from-weights", default=None, help=from_weights_help)
    ap.add_argument("--save-every", type=float, default=save_every, help="minutes between checkpoints")
    ap.add_argument("--no-bf16", action="store_true")
    ap.add_argument("--compile", action="store_true",
                    help="torch.compile the trained module (minutes of compiling per new shape, then about 2x faster "
                         "steps on CPU: it fuses the elementwise work that dominates at 80 tokens)")
    return ap


class Run:
    """One training run as one process sees it: device, run directory, checkpoint and weights
    paths, log and time budget. Under torchrun every rank holds one; only rank 0 logs and writes
    files, and all ranks stop on the same step (rank 0's clock decides)."""

    def __init__(self, args: argparse.Namespace):
        self.args = args
        self.world = distributed.init()
        self.main = self.world.main
        setup_threads()
        self.dev = distributed.device()
        self.dir = Path(args.run)
        self.ckpt = self.dir / "ckpt.pt"
        self.weights = Path(args.weights)
        self.bf16 = not args.no_bf16
        if self.main:
            self.dir.mkdir(parents=True, exist_ok=True)
        self._log = None
        self._steps = 0  # steps of this run
        self._elapsed = 0.0  # seconds, as rank 0 measured them at the last keep_going()
        self.t_start = self._t_save = time.time()

    def rng(self, base: int) -> random.Random:
        """random.Random(base) in one process; per-rank streams (python and torch) under DDP."""
        return distributed.seeded_rng(base)

    def wrap(self, module: nn.Module) -> nn.Module:
        """DDP under torchrun, then torch.compile with --compile (compile outside DDP, as PyTorch advises)."""
        module = distributed.wrap(module)
        return torch.compile(module) if self.args.compile else module

    def print(self, *a, **kw) -> None:
        if self.main:
            print(*a, **kw)

    def start(self) -> None:
        """Opens <run>/log.jsonl (rank 0) and starts the clock of the time budget and of --save-every."""
        if self.main and self._log is None:
            self._log = open(self.dir / "log.jsonl", "a")
        self.t_start = self._t_save = time.time()

    def keep_going(self) -> bool:
        """Called once before each step: within --minutes and --max-steps? Same answer on every rank."""
        self._elapsed = distributed.broadcast(time.time() - self.t_start)[0]
        go = self._elapsed < self.args.minutes * 60 and not (self.args.max_steps and self._steps >= self.args.max_steps)
        self._steps += go
        return go

    def lr_decay(self) -> float:
        """Linear from 1 to --lr-end over the time budget (rank 0's clock under DDP, so all ranks agree)."""
        elapsed = self._elapsed if self.world.distributed else time.time() - self.t_start
        return 1 - (1 - self.args.lr_end) * elapsed / (self.args.minutes * 60)

    def log(self, rec: dict) -> None:
        """Prints a record and appends it to <run>/log.jsonl (rank 0 only)."""
        if not self.main:
            return
        print(json.dumps(rec), flush=True)
        self._log.write(json.dumps(rec) + "\n")
        self._log.flush()

    def checkpoint(self, save: Callable[[], None], final: bool = False) -> None:
        """Calls save() on rank 0 every --save-every minutes, and at the end (final)."""
        if final or time.time() - self._t_save > self.args.save_every * 60:
            if self.main:
                save()
            self._t_save = time.time()

    def finish(self, model: nn.Module | None = None) -> None:
        """Checks the ranks ended with the same parameters, closes the log, leaves the process group."""
        if model is not None:
            distributed.check_in_sync(model)
        if self._log is not None:
            self._log.close()
        distributed.cleanup()


def prepare_run(args: argparse.Namespace) -> Run:
    """Joins torchrun's process group if there is one, sets threads and device, makes the run directory."""
    return Run(args)
