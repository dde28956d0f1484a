"""Cheap probes of a DiT checkpoint during training, judged on decoded samples, in PyTorch.

    python -m tessera.probe [--weights weights/dit8.pt | --pack packs/tessera-tiny] [--steps 20]
    python -m tessera.probe --from-t 0.5 0.85 0.95 1.0     # where along the noise levels it breaks
    python -m tessera.probe --from-t 0.5 0.7 0.9 --shape square   # the same, squares only
    python -m tessera.probe --autoencoder --vae weights/vae8.pt   # an autoencoder checkpoint alone
    python -m tessera.probe --words       # how much each kind of caption word moves the velocity; where t = 1 puts objects
    python -m tessera.probe --gains       # how much each kind of caption word lowers the loss, per noise level
    python -m tessera.probe --channels    # which latent channels hold square against circle

--autoencoder judges an autoencoder checkpoint's reconstructions of the evaluation's held-out
clips exactly as `tessera.evaluate` judges the pack's (same clips, same judge), before any export.
The default probe generates the evaluation's prompts from noise. --from-t instead takes held-out
rendered clips, noises them to each level t and denoises them with their own caption (SDEdit):
the attributes that survive from t but not from a higher t are decided in between, which tells
which noise levels training should weight (see the pack's TRAINING_LOG.md).
--words swaps one word of a caption at a time (colour, shape, direction, ...) and reports how far
the velocity moves at high noise levels, against how far dropping the whole caption moves it: a
kind of word near zero is one the model does not listen to (0.5.0's direction words: 0.1% of the
caption's effect, colours 20%).
Runs on the EMA weights (no export), so it can watch a run every few minutes.
"""
from __future__ import annotations

import argparse
import json
import random
import shutil
import tempfile
from pathlib import Path

import numpy as np
import torch

from . import data, judge, runtime, world
from .export import GUIDANCE, SCHEDULER
from .dit import mean_pool
from .evaluate import SINGLE_PROMPTS, TWO_PROMPTS, contact_sheet
from .sampling import sample
from .tokenizer import WordTokenizer
from .train_dit import channel_values, load_weights
from .train_vae import load_weights as load_vae

ROOT = Path(__file__).resolve().parent.parent


class TorchAutoencoder:
    """An autoencoder checkpoint behind evaluate.OnnxPipeline's encode/decode (uint8 frames in and out)."""

    def __init__(self, vae):
        self.vae = vae

    def encode(self, video_u8):
        v = torch.from_numpy(video_u8).permute(3, 0, 1, 2)[None].float() / 127.5 - 1
        return self.vae.encoder(v)[0]

    def decode(self, z):
        return data.to_uint8(self.vae.decoder(z))[0]


# One caption and, per kind of word, the same caption with that word swapped.
WORD_SWAPS = {
    "colour": ("red", "blue"),
    "shape": ("circle", "square"),
    "size": ("a red", "a large red"),
    "direction left/right": ("right", "left"),
    "direction right/up": ("right", "up"),
    "motion kind": ("moving right", "growing"),
    "background": ("black background", "white background"),
}
WORDS_BASE = "a red circle moving right on a black background"


def _velocity(model, x, t: float, text, mask):
    """The DiT's velocity for latents x (B, ...) at noise level t, text only (no context frames)."""
    B, _, T, h, w = x.shape
    return model.dit(x, torch.full((B,), t), text, mask.float(), torch.zeros_like(x), torch.zeros(B, 1, T, h, w))


@torch.no_grad()
def word_sensitivity(model, tok, latent_channels: int, h: int, ts=(1.0, 0.95, 0.8, 0.5), n: int = 4) -> dict:
    """Per kind of word and noise level t: mean |v(caption) - v(swapped)| / |v(caption) - v(no caption)|."""
    captions = [WORDS_BASE] + [WORDS_BASE.replace(a, b, 1) for a, b in WORD_SWAPS.values()] + [""]
    ids, mask = tok.batch(captions)
    text = model.text_encoder(ids, mask)
    k = len(captions)
    g = torch.Generator().manual_seed(0)
    out: dict[str, dict[str, float]] = {kind: {} for kind in WORD_SWAPS}
    for t in ts:
        x = torch.randn(n, latent_channels, 5, h, h, generator=g).repeat_interleave(k, 0)
        v = _velocity(model, x, t, text.repeat(n, 1, 1), mask.repeat(n, 1)).view(n, k, -1)
        caption_effect = (v[:, 0] - v[:, -1]).norm(dim=-1).mean()
        for j, kind in enumerate(WORD_SWAPS, 1):
            out[kind][f"t={t}"] = round(((v[:, 0] - v[:, j]).norm(dim=-1).mean() / caption_effect).item(), 4)
    return out


@torch.no_grad()
def mean_clip_track(model, decode, tok, latent_channels: int, h: int, n: int = 16) -> dict[str, list[float]]:
    """Where the t = 1 prediction puts a red circle: per direction word, the centroid (x, y in
    pixels) of red in the first and the last frame of the mean predicted clean clip over n noise
    draws. In the data a rightward object starts in the left part and ends in the right part
    (x about 30 -> 100 at 128 px); a model that ignores the direction puts both in the middle."""
    out = {}
    for d in ("right", "left", "up", "down"):
        ids, mask = tok.batch([WORDS_BASE.replace("right", d)])
        text = model.text_encoder(ids, mask).expand(n, -1, -1)
        x = torch.randn(n, latent_channels, 5, h, h, generator=torch.Generator().manual_seed(0))
        v = _velocity(model, x, 1.0, text, mask.expand(n, -1))
        video = decode((x - v).mean(0, keepdim=True)).astype(np.float32)  # t = 1: x0 = x - v
        red = np.clip(video[..., 0] - 0.5 * (video[..., 1] + video[..., 2]), 0, None)  # (F, H, W)
        ys, xs = np.mgrid[: red.shape[1], : red.shape[2]]
        track = []
        for f in (0, -1):
            w = red[f] / max(red[f].sum(), 1e-6)
            track += [round(float((w * xs).sum()), 1), round(float((w * ys).sum()), 1)]
        out[d] = track  # [x first, y first, x last, y last]
    return out


@torch.no_grad()
def caption_gains(model, vae, meta, tok, n: int = 48, ts=(1.0, 0.97, 0.9, 0.7, 0.5)) -> dict:
    """Per kind of counterfactual (world.COUNTERFACTUALS) and noise level t: how much lower the
    velocity loss is on n rendered clips with their own caption than with the caption of their
    one-attribute variant (direction mirrored, shape replaced, two objects' colours exchanged),
    in percent of the latter, with the same noise. What the model has learnt of that word, in
    the loss's own currency (session 10: direction 0.8% at t = 1). "shape_by_pair" splits the
    shape gain by the clip's shape and its variant's ("square->circle": square clips scored
    against the caption that says circle), which tells squares from triangles."""
    rng = random.Random(77)
    out: dict[str, dict[str, float]] = {}
    by_pair: dict[str, dict[str, float]] = {}
    for kind in world.COUNTERFACTUALS:
        scenes = []
        while len(scenes) < n:
            scene = world.sample_scene(rng, 128, 128, 17, objects=2 if kind == "colours" else 1)
            if kind == "mirror" and not world.translates(scene.objects[0]):
                continue
            scenes.append(scene)
        video = data.to_video([world.render(s)[0] for s in scenes])
        z0 = (vae.encoder(video)[0] - meta["latent_shift"]) * meta["latent_scale"]
        variants = [world.counterfactual(s, rng, kind) for s in scenes]
        pairs = [f"{s.objects[0].shape}->{v.objects[0].shape}" for s, v in zip(scenes, variants)]
        own = tok.batch([world.caption(s) for s in scenes])
        other = tok.batch([world.caption(v) for v in variants])
        texts = [(model.text_encoder(ids, mask), mask) for ids, mask in (own, other)]
        eps = torch.randn(z0.shape, generator=torch.Generator().manual_seed(1))
        out[kind] = {}
        for t in ts:
            x = (1 - t) * z0 + t * eps
            own_loss, other_loss = (((_velocity(model, x, t, text, mask) - (eps - z0)) ** 2).flatten(1).mean(1)
                                    for text, mask in texts)  # per clip
            out[kind][f"t={t}"] = _gain(own_loss, other_loss)
            if kind == "shape":
                for pair in sorted(set(pairs)):
                    rows = torch.tensor([p == pair for p in pairs])
                    by_pair.setdefault(pair, {})[f"t={t}"] = _gain(own_loss[rows], other_loss[rows])
    out["shape_by_pair"] = by_pair
    return out


def _gain(own_loss: torch.Tensor, other_loss: torch.Tensor) -> float:
    """How much lower the loss is with the own caption, in % of the loss with the other one."""
    return round(100 * (other_loss.mean() - own_loss.mean()).item() / other_loss.mean().item(), 2)


@torch.no_grad()
def caption_pool_reading(model, tok, captions=(WORDS_BASE, "a large blue square moving up on a white background",
                                               "a small green triangle growing and a red circle moving left on a gray background")) -> dict:
    """What each learnt query of the attention-pooled caption (DiTConfig.caption_pool) reads: per
    caption, each query's three most-attended words with their weights; and how large its reading
    is in adaLN's conditioning vector against the mean pool's (norms of the two terms)."""
    pool = model.dit.caption_pool
    ids, mask = tok.batch(list(captions))
    text = model.text_encoder(ids, mask)
    m = mask.float()
    weights = pool.attention(text, m)  # (B, L, Q)
    words = {i: w for w, i in tok.vocab.items()}
    out = {"norm_mean_pool": round(model.dit.pool_embed(mean_pool(text, m)).norm(dim=-1).mean().item(), 3),
           "norm_caption_pool": round(pool(text, m).norm(dim=-1).mean().item(), 3), "queries": {}}
    for b, caption in enumerate(captions):
        reads = []
        for q in range(weights.shape[-1]):
            top = weights[b, :, q].topk(3)
            reads.append([f"{words[int(ids[b, i])]} {w:.2f}" for w, i in zip(top.values.tolist(), top.indices.tolist())])
        out["queries"][caption] = reads
    return out


def held_out_clips(n: int, shape: str | None = None) -> tuple[torch.Tensor, list[str]]:
    """n single-object 128 px, 17-frame clips (n, 3, F, H, W) in [-1, 1] and their captions,
    from a seed training never draws (without shape, the clips data.render_batch gave earlier
    sessions' probes); shape: only scenes with that shape."""
    rng = random.Random(2024)
    scenes: list[world.Scene] = []
    while len(scenes) < n:
        scene = world.sample_scene(rng, 128, 128, 17, two_object_p=0.0)
        if shape is None or scene.objects[0].shape == shape:
            scenes.append(scene)
    return data.to_video([world.render(s)[0] for s in scenes]), [world.caption(s) for s in scenes]


def shape_channels(vae, n: int = 24, shapes=("square", "circle")) -> dict:
    """Where in the latent one shape differs from another: n held-out scenes, each encoded once
    with shapes[0] and once with shapes[1] (all else equal). Per channel: the latent's std and the
    RMS of the difference; and the difference's energy as a share of the latent's, with one scale
    for every channel (what a plain flow loss weighs) and with each channel at unit variance (what
    --channel-loss-weights weighs)."""
    rng = random.Random(11)
    pairs = []
    for _ in range(n):
        scene = world.sample_scene(rng, 128, 128, 17, objects=1)
        twins = [world.Scene(scene.background, [world.Obj(**{**vars(scene.objects[0]), "shape": s})])
                 for s in shapes]
        pairs.append(vae.encoder(data.to_video([world.render(t)[0] for t in twins]))[0])
    z = torch.stack(pairs)  # (n, 2, C, T, H, W)
    std = channel_values(z).std(dim=1)
    diff = channel_values(z[:, 0] - z[:, 1]).pow(2).mean(dim=1).sqrt()
    return {"shapes": list(shapes), "clips": n, "latent_std": [round(v, 3) for v in std.tolist()],
            "difference_rms": [round(v, 4) for v in diff.tolist()],
            "difference_share_one_scale": float(diff.pow(2).sum() / std.pow(2).sum()),
            "difference_share_per_channel": float((diff / std).pow(2).mean())}


def load_model(args):
    if args.pack:
        from .from_pack import load_from_pack

        return load_from_pack(Path(args.pack))
    return load_weights(Path(args.weights))


@torch.no_grad()
def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--weights", default=str(ROOT / "weights" / "dit8.pt"))
    ap.add_argument("--pack", default=None, help="probe a pack's transformer instead of --weights")
    ap.add_argument("--vae", default=str(ROOT / "weights" / "vae8.pt"))
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--guidance", type=float, default=GUIDANCE["guidance"])
    ap.add_argument("--interval", type=float, nargs=2, default=GUIDANCE["guidance_interval"], metavar=("LO", "HI"),
                    help="noise levels where guidance applies")
    ap.add_argument("--guidance-high", type=float, nargs=2, default=[GUIDANCE["guidance_high"][k] for k in ("guidance", "from_t")],
                    metavar=("G", "FROM_T"), help="guidance G for t >= FROM_T (the shipped default)")
    ap.add_argument("--no-guidance-high", action="store_true", help="--guidance everywhere in --interval")
    ap.add_argument("--shift", type=float, default=SCHEDULER["shift"], help="the sampler's timestep shift")
    ap.add_argument("--from-t", type=float, nargs="*", default=None, metavar="T",
                    help="SDEdit held-out single-object clips from these noise levels instead")
    ap.add_argument("--clips", type=int, default=16, help="with --from-t: how many clips")
    ap.add_argument("--shape", choices=world.SHAPES, default=None, help="with --from-t: only clips of this shape")
    ap.add_argument("--autoencoder", action="store_true", help="judge --vae's reconstructions instead (60 held-out clips)")
    ap.add_argument("--words", action="store_true", help="report how much each kind of caption word moves the velocity")
    ap.add_argument("--gains", action="store_true",
                    help="report how much each kind of caption word lowers the loss (caption_gains)")
    ap.add_argument("--caption-pool", action="store_true",
                    help="report what each query of the attention-pooled caption reads (caption_pool_reading)")
    ap.add_argument("--channels", action="store_true",
                    help="where --vae's latent holds square against circle, per channel (shape_channels)")
    ap.add_argument("--sheet", default=None, help="write a contact sheet PNG here")
    args = ap.parse_args()
    runtime.setup_threads()
    if args.autoencoder:
        from .evaluate import evaluate_autoencoder

        vae, vae_meta = load_vae(Path(args.vae))
        with tempfile.TemporaryDirectory() as tmp:
            result = evaluate_autoencoder(TorchAutoencoder(vae.eval()), Path(tmp))
            if args.sheet:
                shutil.copy(Path(tmp) / "autoencoder_sheet.png", args.sheet)
        print(json.dumps({"vae": args.vae, "step": vae_meta.get("step"), "spatial": vae.cfg.spatial,
                          "latent_channels": vae.cfg.latent_channels, "autoencoder": result}))
        return
    if args.channels:
        vae, vae_meta = load_vae(Path(args.vae))
        print(json.dumps({"vae": args.vae, "step": vae_meta.get("step"), **shape_channels(vae.eval())}))
        return
    model, meta = load_model(args)
    model.eval()
    vae = load_vae(Path(args.vae))[0].eval()
    tok = WordTokenizer.for_world()
    high = None if args.no_guidance_high else {"guidance": args.guidance_high[0], "from_t": args.guidance_high[1]}
    settings = dict(steps=args.steps, guidance=args.guidance, guidance_interval=tuple(args.interval), shift=args.shift,
                    guidance_high=high)
    decode = lambda z: data.to_uint8(vae.decoder(z / meta["latent_scale"] + meta["latent_shift"]))[0]  # noqa: E731
    report = {"step": meta["step"], **{k: v for k, v in settings.items() if k != "steps"}, "steps": args.steps}
    if args.words:
        h = 128 // vae.cfg.spatial
        sens = word_sensitivity(model, tok, vae.cfg.latent_channels, h)
        track = mean_clip_track(model, decode, tok, vae.cfg.latent_channels, h)
        print(json.dumps({"step": meta["step"], "base": WORDS_BASE, "relative_effect": sens,
                          "t1_mean_clip_red_centroid_first_last": track}))
        return
    if args.caption_pool:
        if model.dit.caption_pool is None:
            raise SystemExit("this DiT has no attention-pooled caption (DiTConfig.caption_pool = 0)")
        print(json.dumps({"step": meta["step"], **caption_pool_reading(model, tok)}))
        return
    if args.gains:
        print(json.dumps({"step": meta["step"], "gain_percent": caption_gains(model, vae, meta, tok)}))
        return
    if args.from_t is not None:
        video, caps = held_out_clips(args.clips, args.shape)
        z = (vae.encoder(video)[0] - meta["latent_shift"]) * meta["latent_scale"]
        ids, mask = tok.batch(caps + [""])
        text = model.text_encoder(ids, mask)
        for t0 in args.from_t:
            g = torch.Generator().manual_seed(0)
            verdicts = []
            for i in range(len(caps)):
                noise = torch.randn(z[i:i + 1].shape, generator=g)
                out = sample(model.dit, text[i:i + 1], mask[i:i + 1], text[-1:], mask[-1:], noise, t_start=t0,
                             x_init=z[i:i + 1], **settings)
                verdicts.append(judge.judge(decode(out), caps[i]))
            print(json.dumps({**report, "from_t": t0, "single": judge.summarize(verdicts),
                              "fill": judge.fill_by_shape(verdicts, caps)}), flush=True)
        return
    prompts = SINGLE_PROMPTS + TWO_PROMPTS[:4]
    ids, mask = tok.batch(prompts + [""])
    text = model.text_encoder(ids, mask)
    g = torch.Generator().manual_seed(0)
    verdicts, clips = [], []
    h = 128 // vae.cfg.spatial
    for i, p in enumerate(prompts):
        noise = torch.randn(1, vae.cfg.latent_channels, 5, h, h, generator=g)
        z = sample(model.dit, text[i:i + 1], mask[i:i + 1], text[-1:], mask[-1:], noise, **settings)
        video = decode(z)
        verdicts.append(judge.judge(video, p))
        clips.append(video)
    print(json.dumps({**report, "single": judge.summarize(verdicts[:len(SINGLE_PROMPTS)]),
                      "two": judge.summarize(verdicts[len(SINGLE_PROMPTS):])}))
    if args.sheet:
        contact_sheet(clips, Path(args.sheet))


if __name__ == "__main__":
    main()
