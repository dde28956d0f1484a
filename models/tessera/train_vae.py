"""Trains the causal video autoencoder on rendered shapes-world clips.

    python -m tessera.train_vae --spatial 8 --latent-channels 16 --minutes 15   # from scratch, or resume runs/vae
    python -m tessera.train_vae --from-weights weights/vae8.pt --weights weights/vae8.pt --minutes 10  # continue from git

Checkpoints (with optimizer state) go to runs/vae/ckpt.pt every few minutes; the weights
alone (fp16, no optimizer) go to weights/vae.pt (--weights), which is what git keeps; the shipped
autoencoder is weights/vae8.pt.

    torchrun --nproc_per_node 8 -m tessera.train_vae --minutes 60   # DDP: 8x the clips per step
"""
from __future__ import annotations

import math
import random
import time
from pathlib import Path

import torch
import torch.nn as nn
import torch.nn.functional as F

from . import data, distributed, runtime, world
from .vae import VAE_PRESETS, VAEConfig, VideoAutoencoder, param_count


def make_vae(preset: str = "tiny", spatial: int = 0, latent_channels: int = 0) -> VideoAutoencoder:
    """A fresh autoencoder of a preset; spatial / latent_channels override the preset's when given."""
    base = VAE_PRESETS[preset]
    cfg = VAEConfig(latent_channels=latent_channels or base.latent_channels, widths=base.widths, head=base.head,
                    spatial=spatial or base.spatial, palette=[list(world.PALETTE[n]) for n in world.PALETTE_NAMES])
    return VideoAutoencoder(cfg)


def edge_weight(labels: torch.Tensor, boost: float, width: int = 1) -> torch.Tensor:
    """1 everywhere, 1 + boost on pixels whose label differs from a 4-neighbour and, with width > 1,
    on every pixel within width - 1 pixels of one (a band: the judge's bounding box grows by the
    stray object pixels one or two pixels beyond an edge, which a 1-pixel band never weighs up)."""
    lab = labels.float()
    e = torch.zeros_like(lab)
    e[..., 1:, :] += (lab[..., 1:, :] != lab[..., :-1, :]).float()
    e[..., :-1, :] += (lab[..., 1:, :] != lab[..., :-1, :]).float()
    e[..., :, 1:] += (lab[..., :, 1:] != lab[..., :, :-1]).float()
    e[..., :, :-1] += (lab[..., :, 1:] != lab[..., :, :-1]).float()
    band = (e > 0).float()
    if width > 1:
        shape = band.shape
        band = F.max_pool2d(band.reshape(-1, 1, *shape[-2:]), 2 * width - 1, stride=1, padding=width - 1).reshape(shape)
    return 1.0 + boost * band


def small_object_weight(labels: torch.Tensor, ref_area: float, cap: float) -> torch.Tensor:
    """Per pixel: ref_area / (pixels of its label in its frame), clipped to [1, cap], on every label
    but the frame's most common one (the background); 1 on the background.

    The judge reads shape from an object's fill of its bounding box, and a small triangle's apexes
    are a few pixels that cross-entropy averaged over the frame barely sees: small objects are the
    ones the 8x decoder still rounds into circles."""
    B, F = labels.shape[:2]
    flat = labels.reshape(B, F, -1).long()
    counts = torch.zeros(B, F, int(labels.max()) + 1, device=labels.device).scatter_add_(
        2, flat, torch.ones_like(flat, dtype=torch.float))
    per_pixel = counts.gather(2, flat)  # pixels of each pixel's label in its frame
    background = flat == counts.argmax(2, keepdim=True)
    w = (ref_area / per_pixel).clamp(1.0, cap)
    return torch.where(background, torch.ones_like(w), w).reshape(labels.shape)


class Reconstruction(nn.Module):
    """Sampled encode then decode to palette logits, as one forward (the one DDP wraps)."""

    def __init__(self, vae: VideoAutoencoder, sample: bool = True):
        super().__init__()
        self.vae, self.sample = vae, sample

    def forward(self, video):
        z, mean, logvar = self.vae.encode(video, sample=self.sample)
        return self.vae.decoder.logits(z), mean, logvar


def vae_loss(recon: nn.Module, video, labels, kl_weight: float, edge_boost: float, small_cap: float = 1.0,
             small_ref: float = 900.0, edge_width: int = 1, anchor: nn.Module | None = None,
             anchor_weight: float = 0.0):
    """recon: a Reconstruction, or DDP around one. small_cap > 1 weights small objects' pixels up
    (small_object_weight). anchor: a frozen encoder whose means the trained one is held near
    (latent_drift, weighted by anchor_weight)."""
    logits, mean, logvar = recon(video)
    ce, mse = reconstruction_terms(logits, distributed.unwrap(recon).vae.decoder.palette, video, labels, edge_boost,
                                   small_cap, small_ref, edge_width=edge_width)
    kl = 0.5 * (mean.float().pow(2) + logvar.float().exp() - 1 - logvar.float()).mean()
    loss, parts = ce + 4.0 * mse + kl_weight * kl, {"ce": ce.item(), "mse": mse.item(), "kl": kl.item()}
    if anchor is not None:
        with torch.no_grad():
            ref = anchor(video)[0]
        drift = latent_drift(mean, ref)
        loss, parts["drift"] = loss + anchor_weight * drift, drift.item()
    return loss, parts


def latent_drift(mean, ref):
    """How far an encoder's latent means moved from a reference encoder's on the same clips: the
    squared difference as a fraction of the reference's energy (scale-free: 0.01 is a 10% RMS move).
    A DiT trained on the reference's latents stays valid only while this stays small."""
    return (mean.float() - ref.float()).pow(2).mean() / ref.float().pow(2).mean().clamp_min(1e-8)


def reconstruction_terms(logits, palette, video, labels, edge_boost: float, small_cap: float = 1.0,
                         small_ref: float = 900.0, region=None, edge_width: int = 1):
    """The decoder's two losses: palette cross-entropy (edge pixels and, with small_cap > 1, small
    objects' pixels weighted up) and the MSE of the palette mix against the video, each averaged
    over the pixels of `region` (B, H, W; 1 where the loss counts; None: every pixel)."""
    logits = logits.float()
    rgb = torch.einsum("bpfhw,pc->bcfhw", logits.softmax(1), palette)
    weight = edge_weight(labels, edge_boost, edge_width)
    if small_cap > 1:
        weight = weight * small_object_weight(labels, small_ref, small_cap)
    ce_map = F.cross_entropy(logits, labels, reduction="none") * weight  # (B, F, H, W)
    if region is None:
        return ce_map.mean(), F.mse_loss(rgb, video)
    r = region[:, None]  # over frames
    ce = (ce_map * r).sum() / r.expand_as(ce_map).sum()
    r = r[:, None]  # and channels
    return ce, (((rgb - video) ** 2) * r).sum() / r.expand_as(rgb).sum()


def random_crop(video, labels, size: int, rng: random.Random):
    _, _, _, h, w = video.shape
    y, x = rng.randrange(0, h - size + 1), rng.randrange(0, w - size + 1)
    return video[..., y:y + size, x:x + size], labels[..., y:y + size, x:x + size]


def save_weights(model: VideoAutoencoder, path: Path, meta: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    torch.save({"config": model.cfg.__dict__, "state": {k: v.half() for k, v in model.state_dict().items()}, "meta": meta}, tmp)
    tmp.replace(path)


def load_weights(path: Path) -> tuple[VideoAutoencoder, dict]:
    blob = torch.load(path, map_location="cpu", weights_only=False)
    cfg = VAEConfig(**blob["config"])
    model = VideoAutoencoder(cfg)
    model.load_state_dict({k: v.float() for k, v in blob["state"].items()})
    return model, blob.get("meta", {})


def with_half_stage(model: VideoAutoencoder, width: int) -> VideoAutoencoder:
    """The same autoencoder with a decoder that ends in a 1/2-size stage of `width` channels.

    Every weight whose name and shape match is kept (the encoder, so the latent space, and all
    but the decoder's head); the new stage and the head start fresh."""
    cfg = VAEConfig(**{**model.cfg.__dict__, "decoder_half_width": width})
    new = VideoAutoencoder(cfg)
    own = new.state_dict()
    kept = {k: v for k, v in model.state_dict().items() if k in own and own[k].shape == v.shape}
    new.load_state_dict(kept, strict=False)
    return new


def main() -> None:
    ap = runtime.run_parser("vae", minutes=15, save_every=3.0, from_weights_help="start from weights kept in git")
    ap.add_argument("--batch", type=int, default=8, help="clips per step on each process")
    ap.add_argument("--frames", type=int, nargs="+", default=[9],
                    help="clip lengths, one drawn per step (session 20: trained on 9 alone, the decoder draws the "
                         "latent frames after the third, i.e. frames 9-16 of a default clip, with ghosts)")
    ap.add_argument("--crop", type=int, default=64, help="train on random crops (0: full frames)")
    ap.add_argument("--lr", type=float, default=5e-4)
    ap.add_argument("--kl-weight", type=float, default=1e-3)
    ap.add_argument("--edge-boost", type=float, default=4.0)
    ap.add_argument("--edge-width", type=int, default=1,
                    help="pixels on each side of a label boundary that --edge-boost weighs up (edge_weight)")
    ap.add_argument("--small-object-cap", type=float, default=1.0,
                    help="weight an object's pixels by 900 / its area, up to this factor (1: off; see small_object_weight)")
    ap.add_argument("--decoder-only", action="store_true",
                    help="freeze the encoder, train the decoder on the encoder's mean (what the DiT generates)")
    ap.add_argument("--anchor-weight", type=float, default=0.0,
                    help="train the encoder too, but held near --anchor's encoder means (latent_drift times this), "
                         "so a DiT trained on those latents stays valid (0: off)")
    ap.add_argument("--anchor", default="", help="weights whose encoder --anchor-weight holds to (default: --from-weights)")
    ap.add_argument("--decoder-half-width", type=int, default=0,
                    help="give the decoder a last stage at 1/2 size with this many channels (weights that fit are kept)")
    ap.add_argument("--spatial", type=int, default=0, choices=(0, 8, 16),
                    help="spatial compression of a new autoencoder (0: the preset's)")
    ap.add_argument("--latent-channels", type=int, default=0, help="latent channels of a new autoencoder (0: the preset's)")
    args = ap.parse_args()

    run = runtime.prepare_run(args)
    dev = run.dev
    model = make_vae(args.preset, args.spatial, args.latent_channels)
    step, seen = 0, 0
    if args.from_weights:
        model, meta = load_weights(Path(args.from_weights))
        step, seen = meta.get("step", 0), meta.get("samples", 0)
    if args.decoder_half_width and args.decoder_half_width != model.cfg.decoder_half_width:
        model = with_half_stage(model, args.decoder_half_width)
    model.to(dev)
    if args.decoder_only:  # keeps the latent space (and so a trained DiT) valid while the decoder improves
        model.encoder.requires_grad_(False)
    anchor = None
    if args.anchor_weight:
        if args.decoder_only or not (args.anchor or args.from_weights):
            ap.error("--anchor-weight trains the encoder near a reference one: it needs --anchor or --from-weights, "
                     "and no --decoder-only")
        anchor = load_weights(Path(args.anchor or args.from_weights))[0].encoder.requires_grad_(False).eval().to(dev)
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=args.lr, weight_decay=0.0, betas=(0.9, 0.99))
    if run.ckpt.exists() and not args.from_weights:
        blob = torch.load(run.ckpt, map_location=dev, weights_only=False)
        model.load_state_dict(blob["model"])
        if not args.decoder_only:  # a full-model optimizer state does not fit a decoder-only run
            opt.load_state_dict(blob["opt"])
        step, seen = blob["step"], blob["samples"]
        run.print(f"resumed {run.ckpt} at step {step}")
    recon = run.wrap(Reconstruction(model, sample=not args.decoder_only))  # DDP (gradients averaged over ranks) under torchrun
    procs = f" processes={run.world.size}" if run.world.distributed else ""
    run.print(f"encoder {param_count(model.encoder):,} decoder {param_count(model.decoder):,} params; "
              f"bf16={runtime.cpu_has_bf16() and not args.no_bf16} device={dev}{procs}", flush=True)
    rng = run.rng(1234 + step)

    def save() -> None:
        torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "step": step, "samples": seen}, run.ckpt)
        save_weights(model, run.weights, {"step": step, "samples": seen})

    run.start()
    while run.keep_going():
        size = rng.choice([(128, 128), (192, 128), (128, 192)])
        video, labels, _ = data.render_batch(rng, args.batch, *size, rng.choice(args.frames), two_object_p=0.4)
        if args.crop:
            video, labels = random_crop(video, labels, args.crop, rng)
        video, labels = video.to(dev), labels.to(dev)
        warm = min(1.0, (step + 1) / 100)
        decay = run.lr_decay()  # linear to lr * lr_end
        for g in opt.param_groups:
            g["lr"] = args.lr * warm * decay
        with runtime.autocast(dev, run.bf16):
            loss, parts = vae_loss(recon, video, labels, args.kl_weight, args.edge_boost, args.small_object_cap,
                                   edge_width=args.edge_width, anchor=anchor, anchor_weight=args.anchor_weight)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        step += 1
        seen += video.shape[0] * run.world.size
        if step % 20 == 0:
            loss_v, *vals = distributed.mean(loss.item(), *parts.values())  # over ranks
            parts = dict(zip(parts, vals))
            psnr = 10 * math.log10(4.0 / max(parts["mse"], 1e-10))
            run.log({"step": step, "samples": seen, "t": round(time.time() - run.t_start, 1), "loss": round(loss_v, 5),
                     "psnr": round(psnr, 2), **{k: round(v, 5) for k, v in parts.items()}})
        run.checkpoint(save)
    run.checkpoint(save, final=True)
    run.print(f"done at step {step}", flush=True)
    run.finish(model)


if __name__ == "__main__":
    main()
