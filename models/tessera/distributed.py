"""torchrun / DistributedDataParallel plumbing shared by the trainers.

    torchrun --nproc_per_node 8 -m tessera.train_dit ...     # 8 ranks, DDP
    python -m tessera.train_dit ...                          # one process: nothing here does anything

torchrun sets WORLD_SIZE, RANK and LOCAL_RANK. With a world size above 1 the process group is
NCCL on CUDA (one GPU per local rank) and gloo on CPU; with a world size of 1 (plain python, or
torchrun with one process) there is no process group, no DDP wrapper and no torch seeding, so a
single process behaves exactly as before this module existed. Every rank reads the run's
checkpoint at start, so across machines the run directory must be on shared storage.
"""
from __future__ import annotations

import os
import random
from dataclasses import dataclass

import torch
import torch.distributed as dist
import torch.nn as nn


@dataclass(frozen=True)
class World:
    """Where this process sits among torchrun's processes."""

    rank: int = 0  # global rank, 0..size-1
    local_rank: int = 0  # rank on this machine: the GPU it uses
    size: int = 1  # number of processes

    @property
    def distributed(self) -> bool:
        return self.size > 1

    @property
    def main(self) -> bool:
        """Rank 0: the only process that logs and writes files."""
        return self.rank == 0


def world() -> World:
    """Read from torchrun's environment (a plain launch is rank 0 of 1)."""
    env = os.environ
    return World(int(env.get("RANK", 0)), int(env.get("LOCAL_RANK", 0)), int(env.get("WORLD_SIZE", 1)))


def is_main() -> bool:
    return world().main


def init() -> World:
    """Joins torchrun's process group when there is more than one process (idempotent)."""
    w = world()
    if w.distributed and not dist.is_initialized():
        if torch.cuda.is_available():
            torch.cuda.set_device(w.local_rank)
            dist.init_process_group("nccl", device_id=torch.device("cuda", w.local_rank))
        else:
            dist.init_process_group("gloo")
    return w


def device() -> torch.device:
    """cuda:LOCAL_RANK under torchrun with GPUs; otherwise the single-process choice (cuda or cpu)."""
    w = world()
    if not torch.cuda.is_available():
        return torch.device("cpu")
    return torch.device("cuda", w.local_rank) if w.distributed else torch.device("cuda")


def local_size() -> int:
    """Processes on this machine (torchrun's LOCAL_WORLD_SIZE)."""
    return int(os.environ.get("LOCAL_WORLD_SIZE", world().size))


def seeded_rng(base: int) -> random.Random:
    """random.Random(base + rank); under DDP torch is also seeded with base + rank, so every rank
    renders different clips and draws different noise. A single process only gets Random(base),
    as before (torch is left unseeded there)."""
    w = world()
    if w.distributed:
        torch.manual_seed(base + w.rank)
    return random.Random(base + w.rank)


def wrap(module: nn.Module) -> nn.Module:
    """DistributedDataParallel around `module` (already on its device); the module itself for one process.

    Gradients are averaged across ranks during backward, so the wrapper's forward must be the one
    called. Rank 0's parameters and buffers are broadcast to every rank here."""
    if not world().distributed:
        return module
    dev = next(module.parameters()).device
    return nn.parallel.DistributedDataParallel(module, device_ids=[dev.index] if dev.type == "cuda" else None)


def unwrap(module: nn.Module) -> nn.Module:
    """The plain module under a DDP wrapper (for EMA, state dicts and saving)."""
    return module.module if isinstance(module, nn.parallel.DistributedDataParallel) else module


def _active() -> bool:
    return world().distributed and dist.is_available() and dist.is_initialized()


def _collective_device() -> torch.device:
    return torch.device("cuda", torch.cuda.current_device()) if dist.get_backend() == "nccl" else torch.device("cpu")


def broadcast(*values: float) -> list[float]:
    """Rank 0's values on every rank (the values themselves for one process)."""
    if not _active():
        return list(values)
    t = torch.tensor(values, dtype=torch.float64, device=_collective_device())
    dist.broadcast(t, src=0)
    return t.tolist()


def mean(*values: float) -> list[float]:
    """The mean of each value over ranks (the values themselves for one process)."""
    if not _active():
        return list(values)
    t = torch.tensor(values, dtype=torch.float64, device=_collective_device())
    dist.all_reduce(t)
    return (t / dist.get_world_size()).tolist()


@torch.no_grad()
def check_in_sync(module: nn.Module, rtol: float = 1e-5) -> None:
    """Raises if the ranks' copies of `module` have drifted apart (gradients not averaged)."""
    if not _active():
        return
    params = [p.detach().double() for p in unwrap(module).parameters()]
    local = [float(sum(p.sum() for p in params)), float(sum(p.abs().sum() for p in params))]
    ref = broadcast(*local)
    bad = [(a, b) for a, b in zip(local, ref) if abs(a - b) > rtol * max(abs(b), 1.0)]
    flags = mean(1.0 if bad else 0.0)
    if flags[0] > 0:
        raise RuntimeError(f"parameters differ across ranks (gradients not averaged?): rank {world().rank} "
                           f"checksums {local}, rank 0 {ref}")


def cleanup() -> None:
    """Leaves the process group, if one was joined. All ranks meet first: a rank that tears its
    gloo connections down while another is still in its last collective makes that one abort
    ("terminate called without an active exception", seen once in CI on a busy machine)."""
    if dist.is_available() and dist.is_initialized():
        dist.barrier()
        dist.destroy_process_group()
