"""Fine-tunes the autoencoder's decoder on the latents the DiT actually hands it.

The DiT's latents are not the encoder's: even from t = 0.3 it rounds squares' corners and
triangles' apexes (`probe --from-t`: shape 0.84 through the autoencoder alone, 0.66 after
denoising from t = 0.3; the pack's TRAINING_LOG.md, *Session 11*). LTX-Video gives its decoder
the last denoising step; this takes the part of that idea that needs no new graph input. A pool
of rendered clips is encoded, noised to a level the pack's default schedule visits (REFINE_LAST)
and denoised back by the pack's own DiT with the clip's caption and the pack's sampler settings;
the decoder then learns to map those refined latents back to the clip that was encoded (half of
each batch) and the encoder's own latents back to their clip (the other half, so
reconstructions, context frames and the autoencoder's bar do not get worse). The encoder is
frozen, so the latent space and the DiT stay valid.

    python -m tessera.train_decoder --pack packs/tessera-tiny --from-weights weights/vae8.pt \
        --weights weights/vae8_refined.pt --minutes 60

The pool (clip seeds, clean and refined latents; about 80 kB a clip in float16) is cached in the
run directory and rebuilt only when missing; clips are re-rendered from their seeds. One process
(no DistributedDataParallel: a decoder fine-tune is short).
"""
from __future__ import annotations

import json
import random
import time
from pathlib import Path

import torch

from . import data, runtime
from .from_pack import load_from_pack
from .sampling import sample, schedule
from .tokenizer import WordTokenizer
from .train_vae import load_weights, reconstruction_terms, save_weights

CLIP = (128, 128, 17)  # width, height, frames: the default size, where the evaluation judges
# The refinement starts from one of the last REFINE_LAST points of the pack's default schedule
# (0.7.2's 16 steps at shift 4: t = 0.48, 0.36, 0.21). Below 0.5 an object keeps its place and
# motion (probe --from-t: motion >= 0.88) while its corners are what the DiT loses.
REFINE_LAST = 3
CROP_CELLS = 10  # latent cells per side of a training crop (80 pixels)
MARGIN = 8  # pixels at a crop's inner edges left out of the loss: the decoder pads there, not at inference


def clip_for(seed: int) -> tuple[torch.Tensor, torch.Tensor, str]:
    """The pool's clip number `seed`: video (1, 3, F, H, W), labels (1, F, H, W), caption."""
    video, labels, caps = data.render_batch(random.Random(f"decoder pool {seed}"), 1, *CLIP)
    return video, labels, caps[0]


@torch.no_grad()
def build_pool(pack: Path, vae, n: int, batch: int = 32, log=print) -> dict:
    """n clips: seeds, refinement start t, clean and refined normalised latents (float16), refined
    with the pack's own default sampler, steps, guidance and scheduler shift."""
    model, meta = load_from_pack(pack)
    d = json.loads((pack / "model_index.json").read_text())["default"]
    shift_t = json.loads((pack / "scheduler" / "scheduler_config.json").read_text())["shift"]
    model.eval()
    tok = WordTokenizer.for_world(model.text_encoder.cfg.max_length)
    shift, scale = meta["latent_shift"], meta["latent_scale"]
    ts = schedule(d["steps"], shift_t)
    starts_from = ts[d["steps"] - REFINE_LAST:d["steps"]]
    rng = random.Random(0)
    clean, refined, starts = [], [], []
    t_begin = time.time()
    for lo in range(0, n, batch):
        seeds = list(range(lo, min(n, lo + batch)))
        clips = [clip_for(s) for s in seeds]
        video = torch.cat([c[0] for c in clips])
        z = (vae.encoder(video)[0] - shift) * scale
        ids, mask = tok.batch([c[2] for c in clips] + [""])
        text = model.text_encoder(ids, mask)
        t0 = rng.choice(starts_from)  # one start per batch: sample() takes one t_start
        g = torch.Generator().manual_seed(lo)
        noise = torch.randn(z.shape, generator=g)
        B = len(seeds)
        out = sample(model.dit, text[:B], mask[:B], text[-1:].expand(B, -1, -1), mask[-1:].expand(B, -1), noise,
                     steps=d["steps"], sampler=d["sampler"], shift=shift_t, guidance=d["guidance"],
                     guidance_interval=tuple(d.get("guidance_interval", (0.0, 1.0))),
                     guidance_high=d.get("guidance_high"), t_start=t0, x_init=z)
        clean.append(z.half())
        refined.append(out.half())
        starts += [t0] * B
        log(f"pool {lo + B}/{n} (t0 {t0:.2f}) {time.time() - t_begin:.0f} s", flush=True)
    return {"clean": torch.cat(clean), "refined": torch.cat(refined), "t0": torch.tensor(starts),
            "latent_shift": shift, "latent_scale": scale, "pack": str(pack), "clip": CLIP}


def object_crop(labels: torch.Tensor, rng: random.Random) -> tuple[int, int]:
    """Top-left latent cell of a CROP_CELLS crop around a random object pixel of a random frame
    (most of a frame is background, and corners are what is learnt)."""
    _, F_, H, W = labels.shape
    lab = labels[0, rng.randrange(F_)]
    fg = (lab != lab.flatten().mode().values).nonzero()
    cy, cx = (fg[rng.randrange(len(fg))].tolist() if len(fg) else (H // 2, W // 2))
    cells_h, cells_w = H // 8, W // 8
    y = min(max(0, cy // 8 - CROP_CELLS // 2 + rng.randint(-2, 2)), cells_h - CROP_CELLS)
    x = min(max(0, cx // 8 - CROP_CELLS // 2 + rng.randint(-2, 2)), cells_w - CROP_CELLS)
    return y, x


def inner_mask(y: int, x: int, H: int, W: int) -> torch.Tensor:
    """(CROP, CROP) 1 where the loss counts: MARGIN pixels off every crop edge that is not a frame edge."""
    size = CROP_CELLS * 8
    m = torch.ones(size, size)
    if y > 0:
        m[:MARGIN] = 0
    if x > 0:
        m[:, :MARGIN] = 0
    if y + CROP_CELLS < H // 8:
        m[-MARGIN:] = 0
    if x + CROP_CELLS < W // 8:
        m[:, -MARGIN:] = 0
    return m


def decoder_loss(decoder, z, video, labels, region, edge_boost: float = 4.0, small_cap: float = 6.0):
    """The autoencoder's reconstruction loss (train_vae.vae_loss without the encoder's KL) over
    `region` (B, H, W)."""
    ce, mse = reconstruction_terms(decoder.logits(z), decoder.palette, video, labels, edge_boost, small_cap,
                                   region=region)
    return ce + 4.0 * mse, {"ce": ce.item(), "mse": mse.item()}


def batch_from_pool(pool: dict, idx: list[int], use_refined: list[bool], rng: random.Random):
    """Unnormalised latent crops and the matching pixel crops, labels and loss regions."""
    shift, scale = pool["latent_shift"], pool["latent_scale"]
    zs, vids, labs, regions = [], [], [], []
    for i, refined in zip(idx, use_refined):
        video, labels, _ = clip_for(i)
        _, _, _, H, W = video.shape
        y, x = object_crop(labels, rng)
        z = (pool["refined"] if refined else pool["clean"])[i:i + 1].float() / scale + shift
        zs.append(z[..., y:y + CROP_CELLS, x:x + CROP_CELLS])
        py, px, size = y * 8, x * 8, CROP_CELLS * 8
        vids.append(video[..., py:py + size, px:px + size])
        labs.append(labels[..., py:py + size, px:px + size])
        regions.append(inner_mask(y, x, H, W)[None])
    return torch.cat(zs), torch.cat(vids), torch.cat(labs), torch.cat(regions)


def main() -> None:
    ap = runtime.run_parser("decoder", minutes=60, save_every=5.0, from_weights_help="the autoencoder to start from")
    ap.add_argument("--pack", default=str(runtime.ROOT / "packs" / "tessera-tiny"), help="whose DiT refines the pool")
    ap.add_argument("--pool", type=int, default=1536, help="clips in the pool")
    ap.add_argument("--batch", type=int, default=4)
    ap.add_argument("--refined-share", type=float, default=0.5)
    ap.add_argument("--lr", type=float, default=1e-4)
    ap.add_argument("--warmup", type=int, default=50)
    args = ap.parse_args()
    if not args.from_weights:
        ap.error("--from-weights: the autoencoder whose decoder is fine-tuned (its encoder defines the latents)")
    run = runtime.prepare_run(args)
    vae, meta = load_weights(Path(args.from_weights))
    vae.eval()
    vae.encoder.requires_grad_(False)
    pool_path = run.dir / "pool.pt"
    if pool_path.exists():
        pool = torch.load(pool_path, weights_only=False)
    else:
        pool = build_pool(Path(args.pack), vae, args.pool, log=run.print)
        torch.save(pool, pool_path)
    n = len(pool["clean"])
    decoder = vae.decoder
    decoder.train()
    opt = torch.optim.AdamW(decoder.parameters(), lr=args.lr, weight_decay=0.0, betas=(0.9, 0.99))
    step = 0
    if run.ckpt.exists():
        blob = torch.load(run.ckpt, weights_only=False)
        decoder.load_state_dict(blob["decoder"])
        opt.load_state_dict(blob["opt"])
        step = blob["step"]
        run.print(f"resumed {run.ckpt} at step {step}")
    base = {"step": meta.get("step", 0), "samples": meta.get("samples", 0)}

    def save() -> None:
        torch.save({"decoder": decoder.state_dict(), "opt": opt.state_dict(), "step": step}, run.ckpt)
        save_weights(vae, run.weights, {**base, "decoder_refined_steps": step, "pool": n,
                                        "refine_from": [round(t, 3) for t in sorted(set(pool["t0"].tolist()))]})

    rng = run.rng(4321 + step)
    first = step
    run.print(json.dumps({"pool": n, "batch": args.batch, "refined_share": args.refined_share, "lr": args.lr}), flush=True)
    run.start()
    while run.keep_going():
        idx = [rng.randrange(n) for _ in range(args.batch)]
        use_refined = [rng.random() < args.refined_share for _ in idx]
        z, video, labels, region = batch_from_pool(pool, idx, use_refined, rng)
        for g in opt.param_groups:
            g["lr"] = args.lr * min(1.0, (step - first + 1) / args.warmup) * run.lr_decay()
        with runtime.autocast(run.dev, run.bf16):
            loss, parts = decoder_loss(decoder, z, video, labels, region)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(decoder.parameters(), 1.0)
        opt.step()
        step += 1
        if step % 20 == 0:
            run.log({"step": step, "t": round(time.time() - run.t_start, 1), "loss": round(loss.item(), 5),
                     **{k: round(v, 5) for k, v in parts.items()}})
        run.checkpoint(save)
    run.checkpoint(save, final=True)
    run.print(f"done at step {step}", flush=True)
    run.finish()


if __name__ == "__main__":
    main()
