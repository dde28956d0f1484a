"""Both trainers run under torchrun with two CPU processes (gloo, DDP): they stop together, only
rank 0 writes, and what it writes loads."""
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import torch
import torch.distributed

MODELS = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(not torch.distributed.is_available(),
                                reason="torch.distributed is not available in this PyTorch build")


def torchrun(module: str, *args: str, timeout: float = 240) -> str:
    """`torchrun --standalone --nproc_per_node 2 -m module args` on CPU; returns its output."""
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2", "-m", module, *args]
    env = {**os.environ, "PYTHONPATH": str(MODELS), "CUDA_VISIBLE_DEVICES": ""}  # gloo on CPU even with GPUs
    proc = subprocess.Popen(cmd, cwd=MODELS, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # torchrun and both ranks: a rank left behind would hang
        out, _ = proc.communicate()
        pytest.fail(f"torchrun {module} did not finish in {timeout} s (ranks out of step?):\n{out[-3000:]}")
    assert proc.returncode == 0, f"torchrun {module} exited {proc.returncode}:\n{out[-3000:]}"
    return out


def done_steps(out: str) -> list[int]:
    return [int(line.rsplit(" ", 1)[1]) for line in out.splitlines() if line.startswith("done at step ")]


def test_train_vae_under_torchrun_stops_together_on_the_time_budget(tmp_path):
    from tessera.train_vae import load_weights

    run, weights = tmp_path / "run", tmp_path / "weights"
    # No --max-steps: rank 0's clock must stop both ranks on the same step, else DDP hangs.
    out = torchrun("tessera.train_vae", "--minutes", "0.1", "--batch", "2", "--frames", "5", "--crop", "32",
                   "--run-dir", str(run), "--weights", str(weights / "vae.pt"))
    steps = done_steps(out)
    assert len(steps) == 1, out  # only rank 0 prints
    assert "processes=2" in out
    assert sorted(p.name for p in weights.iterdir()) == ["vae.pt"]
    assert sorted(p.name for p in run.iterdir()) == ["ckpt.pt", "log.jsonl"]
    model, meta = load_weights(weights / "vae.pt")
    assert meta["step"] == steps[0] and meta["samples"] == steps[0] * 2 * 2  # 2 ranks x batch 2
    assert sum(p.numel() for p in model.parameters()) > 0


def test_train_dit_under_torchrun_writes_one_loadable_weights_file(tmp_path):
    from tessera.dit import DiTConfig, TextConfig
    from tessera.tokenizer import WordTokenizer
    from tessera.train_dit import TesseraModel, load_weights, save_weights
    from tessera.train_vae import make_vae, save_weights as save_vae

    # A tiny DiT to resume from (skips the latent statistics) and an untrained autoencoder: fast steps.
    torch.manual_seed(0)
    tok = WordTokenizer.for_world()
    start = TesseraModel(TextConfig(vocab_size=len(tok.vocab), dim=64, depth=1),
                         DiTConfig(dim=64, depth=1, heads=2, text_dim=64))
    meta0 = {"step": 0, "samples": 0, "latent_shift": 0.0, "latent_scale": 1.0}
    save_weights(start, start, tmp_path / "start.pt", meta0)
    save_vae(make_vae(), tmp_path / "vae.pt", {})
    run, weights = tmp_path / "run", tmp_path / "weights"
    out = torchrun("tessera.train_dit", "--from-weights", str(tmp_path / "start.pt"), "--vae", str(tmp_path / "vae.pt"),
                   "--minutes", "2", "--max-steps", "3", "--prefill", "2", "--batch-scale", "0.1",
                   "--run-dir", str(run), "--weights", str(weights / "dit.pt"))
    assert done_steps(out) == [3], out  # one line: only rank 0 prints
    assert "processes=2" in out
    assert sorted(p.name for p in weights.iterdir()) == ["dit.pt"]
    assert sorted(p.name for p in run.iterdir()) == ["ckpt.pt", "log.jsonl"]
    model, meta = load_weights(weights / "dit.pt")
    assert meta["step"] == 3 and meta["latent_scale"] == 1.0
    assert model.dit.cfg.dim == 64
    trained, _ = load_weights(weights / "dit.pt", "model")
    assert any(not torch.equal(a, b.half().float()) for a, b in zip(trained.parameters(), start.parameters()))
