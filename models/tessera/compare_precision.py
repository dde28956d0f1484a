"""Do bfloat16 autocast and float32 train the DiT alike? Two runs from the same initial weights on
the same batches (clips, captions, masks, timesteps, noise), one per precision, loss curves side
by side.

    python -m tessera.compare_precision --steps 400 --vae weights/vae8.pt

The batches come from one pre-encoded pool (128x128x17, the default bucket), so the runs differ
only in the arithmetic. Writes <out>/precision.json: both curves (means over windows of --window
steps) and the largest relative gap between them.
"""
from __future__ import annotations

import argparse
import copy
import json
import random
import time
from pathlib import Path

import torch

from . import data, runtime
from .dit import DIT_PRESETS, TextConfig
from .tokenizer import WordTokenizer
from .train_dit import MODES, TesseraModel, context_mask_for, dit_config_for, flow_loss, latent_stats
from .train_vae import load_weights as load_vae

ROOT = Path(__file__).resolve().parent.parent


@torch.no_grad()
def encode_pool(vae, n: int, batch: int, rng: random.Random) -> tuple[torch.Tensor, list[str]]:
    shift, scale = latent_stats(vae, rng, torch.device("cpu"))
    zs, caps = [], []
    for i in range(0, n, batch):
        video, _, c = data.render_batch(rng, min(batch, n - i), 128, 128, 17)
        zs.append((vae.encoder(video)[0] - shift) * scale)
        caps += c
    return torch.cat(zs), caps


def batches(pool: torch.Tensor, caps: list[str], tok: WordTokenizer, steps: int, size: int, seed: int):
    """The same list of (z0, ids, mask, cmask, t, noise seed) for both runs."""
    rng = random.Random(seed)
    out = []
    for step in range(steps):
        idx = [rng.randrange(len(pool)) for _ in range(size)]
        ids, mask = tok.batch(["" if rng.random() < 0.1 else caps[i] for i in idx])
        T = pool.shape[2]
        cmask = torch.stack([context_mask_for(rng.choices(list(MODES), weights=list(MODES.values()))[0], T, rng)
                             for _ in idx])
        t = torch.sigmoid(torch.tensor([rng.gauss(0, 1) for _ in idx]))
        t = 4 * t / (1 + 3 * t)  # the t shift the runs use
        out.append((pool[idx], ids, mask, cmask, t, seed * 100_000 + step))
    return out


def train(model: TesseraModel, plan, bf16: bool, lr: float) -> list[float]:
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.0, betas=(0.9, 0.99))
    dev, losses = torch.device("cpu"), []
    for i, (z0, ids, mask, cmask, t, noise_seed) in enumerate(plan):
        for g in opt.param_groups:
            g["lr"] = lr * min(1.0, (i + 1) / 100)
        torch.manual_seed(noise_seed)  # flow_loss draws eps with torch.randn_like
        with runtime.autocast(dev, bf16), runtime.attention_kernels(dev, bf16):
            loss = flow_loss(model, z0, ids, mask, cmask, t)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        losses.append(loss.item())
    return losses


def windows(xs: list[float], w: int) -> list[float]:
    return [sum(xs[i:i + w]) / len(xs[i:i + w]) for i in range(0, len(xs), w)]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--vae", default=str(ROOT / "weights" / "vae8.pt"))
    ap.add_argument("--steps", type=int, default=400)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--pool", type=int, default=256, help="clips encoded once and shared by both runs")
    ap.add_argument("--lr", type=float, default=6e-4)
    ap.add_argument("--window", type=int, default=25)
    ap.add_argument("--out", default=str(ROOT / "runs" / "precision"))
    args = ap.parse_args()
    runtime.setup_threads()
    if not runtime.cpu_has_bf16():
        raise SystemExit("this CPU has no bfloat16 units (amx_bf16 / avx512_bf16): nothing to compare")

    vae, _ = load_vae(Path(args.vae))
    vae.eval().requires_grad_(False)
    tok = WordTokenizer.for_world()
    pool, caps = encode_pool(vae, args.pool, 16, random.Random(5))
    plan = batches(pool, caps, tok, args.steps, args.batch, seed=11)
    torch.manual_seed(0)
    base = TesseraModel(TextConfig(vocab_size=len(tok.vocab), dim=DIT_PRESETS["tiny"].text_dim),
                        dit_config_for("tiny", vae))
    curves, seconds = {}, {}
    for name, bf16 in (("fp32", False), ("bf16", True)):
        t0 = time.time()
        curves[name] = train(copy.deepcopy(base), plan, bf16, args.lr)
        seconds[name] = round(time.time() - t0, 1)
        print(f"{name}: {seconds[name]} s, final window loss {windows(curves[name], args.window)[-1]:.4f}", flush=True)
    w32, w16 = windows(curves["fp32"], args.window), windows(curves["bf16"], args.window)
    gap = max(abs(a - b) / a for a, b in zip(w32, w16))
    report = {"steps": args.steps, "batch": args.batch, "window": args.window, "threads": torch.get_num_threads(),
              "seconds": seconds, "fp32": [round(x, 5) for x in w32], "bf16": [round(x, 5) for x in w16],
              "max_relative_gap": round(gap, 4)}
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "precision.json").write_text(json.dumps(report, indent=1))
    print(json.dumps({k: report[k] for k in ("seconds", "max_relative_gap")}))
    for i, (a, b) in enumerate(zip(w32, w16)):
        print(f"steps {i * args.window + 1:4d}-{min((i + 1) * args.window, args.steps):4d}  fp32 {a:.4f}  bf16 {b:.4f}")


if __name__ == "__main__":
    main()
