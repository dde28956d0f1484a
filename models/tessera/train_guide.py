"""Trains the attribute guide (tessera/guide.py): a noise-aware classifier of a single object's
shape and motion on the autoencoder's normalised latents, used by noise search at sampling.

    python -m tessera.train_guide                  # about 10 min encoding + 25 min training, 2 cores

Clips are single-object scenes of every attribute at 128x128x17, encoded once into a pool
(cached under runs/, regenerated when missing); each step noises a batch to t ~ U(0, 1) as the
rectified flow does, x_t = (1 - t) x0 + t eps. Prints held-out accuracy by t and saves
weights/guide.pt (float16 values, no optimizer state).
"""
from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path

import torch
import torch.nn.functional as F

from . import data, runtime, world
from .guide import HEADS, GuideConfig, LatentGuide, save_guide
from .train_vae import load_weights as load_vae

ROOT = Path(__file__).resolve().parent.parent
HELD_OUT = 256
EVAL_T = (0.0, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95, 1.0)


def encode_pool(vae, shift: float, scale: float, clips: int, seed: int, frames: int = 17) -> dict:
    rng = random.Random(seed)
    xs, labels = [], {g: [] for g in HEADS}
    with torch.no_grad():
        for _ in range(clips // 32):
            video, _, caps = data.render_batch(rng, 32, 128, 128, frames, two_object_p=0.0)
            xs.append(((vae.encoder(video)[0] - shift) * scale).half())
            for c in caps:
                o = world.parse_caption(c).objects[0]
                labels["shape"].append(HEADS["shape"].index(o.shape))
                labels["motion"].append(HEADS["motion"].index(o.motion))
    return {"x": torch.cat(xs), **{g: torch.tensor(v) for g, v in labels.items()}}


def noised(x: torch.Tensor, t: torch.Tensor, gen: torch.Generator | None = None) -> torch.Tensor:
    eps = torch.randn(x.shape, generator=gen)
    tt = t[:, None, None, None, None]
    return (1 - tt) * x + tt * eps


def accuracy_by_t(net: LatentGuide, x: torch.Tensor, labels: dict) -> dict:
    net.eval()
    gen, out = torch.Generator().manual_seed(1), {}
    with torch.no_grad():
        for tv in EVAL_T:
            t = torch.full((len(x),), tv)
            logits = net(noised(x, t, gen), t)
            out[str(tv)] = {g: round((logits[g].argmax(1) == labels[g]).float().mean().item(), 3) for g in HEADS}
    net.train()
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--vae", default=str(ROOT / "weights" / "vae8.pt"))
    ap.add_argument("--pack", default=str(ROOT / "packs" / "tessera-tiny"), help="for the latent normalisation")
    ap.add_argument("--pool", default=str(ROOT / "runs" / "guide_pool.pt"))
    ap.add_argument("--clips", type=int, default=2560)
    ap.add_argument("--steps", type=int, default=1500)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--width", type=int, default=64)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--out", default=str(ROOT / "weights" / "guide.pt"))
    args = ap.parse_args()
    runtime.setup_threads()
    torch.manual_seed(0)
    t0 = time.time()
    pool_path = Path(args.pool)
    if pool_path.exists():
        pool = torch.load(pool_path)
    else:
        index = json.loads((Path(args.pack) / "model_index.json").read_text())
        vae = load_vae(Path(args.vae))[0].eval()
        pool = encode_pool(vae, index["vae"]["shift_factor"], index["vae"]["scaling_factor"], args.clips, seed=1)
        pool_path.parent.mkdir(parents=True, exist_ok=True)
        torch.save(pool, pool_path)
        print(f"encoded {len(pool['x'])} clips in {time.time() - t0:.0f} s", flush=True)
    x = pool["x"].float()
    train_x, test_x = x[:-HELD_OUT], x[-HELD_OUT:]
    train_y = {g: pool[g][:-HELD_OUT] for g in HEADS}
    test_y = {g: pool[g][-HELD_OUT:] for g in HEADS}
    net = LatentGuide(GuideConfig(latent_channels=x.shape[1], width=args.width))
    opt = torch.optim.AdamW(net.parameters(), args.lr, weight_decay=0.01)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, args.lr, total_steps=args.steps, pct_start=0.05)
    for step in range(args.steps):
        i = torch.randint(0, len(train_x), (args.batch,))
        t = torch.rand(args.batch)
        logits = net(noised(train_x[i], t), t)
        loss = sum(F.cross_entropy(logits[g], train_y[g][i]) for g in HEADS)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        if step % 100 == 0:
            print(f"step {step} loss {loss.item():.3f} {time.time() - t0:.0f} s", flush=True)
    acc = accuracy_by_t(net, test_x, test_y)
    print(json.dumps({"held_out_accuracy_by_t": acc}), flush=True)
    save_guide(args.out, net, {"step": args.steps, "clips": len(x), "accuracy": acc,
                               "minutes": round((time.time() - t0) / 60, 1)})
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
