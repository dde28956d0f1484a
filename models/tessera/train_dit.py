"""Trains the text encoder and the DiT with rectified flow over frozen autoencoder latents.

    python -m tessera.train_dit --minutes 60                      # new run, or resume runs/dit8
    python -m tessera.train_dit --from-weights weights/dit8.pt --minutes 60  # resume from weights
    python -m tessera.train_dit --from-pack packs/tessera-tiny --minutes 60  # resume from the pack's EMA
    torchrun --nproc_per_node 8 -m tessera.train_dit --preset base ...     # DDP, one process per GPU

Every batch is rendered on the fly from one size/duration bucket, encoded by the frozen
autoencoder, and given a random conditioning mode (text only, first frame, first k, last k,
first and last) whose frames are clean context and excluded from the loss. Under torchrun every
rank renders and encodes its own clips (per-rank seeds) from the same bucket each step.
"""
from __future__ import annotations

import argparse
import copy
import random
import time
from dataclasses import asdict, replace
from pathlib import Path

import torch
import torch.nn as nn

from . import data, distributed, runtime, world
from .dit import DIT_PRESETS, DiT, DiTConfig, TextConfig, TextEncoder
from .vae import VideoAutoencoder
from .patch_resize import refine_patches
from .sampling import shift_toward_noise
from .tokenizer import WordTokenizer
from .train_vae import load_weights as load_vae

# Conditioning modes and how often each is drawn in training.
# Text only and first frame lead: there the direction of motion must come from the caption (in
# the other modes the context frames show it), and direction is what the model lacks (0.6.0).
MODES: dict[str, float] = {"t2v": 0.50, "first": 0.20, "first_k": 0.12, "last_k": 0.06, "first_last": 0.12}


class TesseraModel(nn.Module):
    """The trainable pair: text encoder + DiT (the autoencoder stays frozen)."""

    def __init__(self, text_cfg: TextConfig, dit_cfg: DiTConfig):
        super().__init__()
        self.text_encoder = TextEncoder(text_cfg)
        self.dit = DiT(dit_cfg)

    def forward(self, x, t, ids, mask, z0, m):
        """Velocity for noisy latents x (B, C, T, H, W) given caption ids/mask (B, L) and context z0, m."""
        return self.dit(x, t, self.text_encoder(ids, mask), mask.float(), z0, m)


def dit_config_for(preset: str, vae: VideoAutoencoder) -> DiTConfig:
    """The preset's DiT over this autoencoder's latents, with patches that cover 32x32 pixels
    (1x2x2 cells of a 16x autoencoder, 1x4x4 of an 8x one), so the token count stays the same."""
    p = 32 // vae.cfg.spatial
    return DiTConfig(**{**DIT_PRESETS[preset].__dict__, "latent_channels": vae.cfg.latent_channels, "patch": (1, p, p)})


def warm_start(model: TesseraModel, donor: TesseraModel) -> list[str]:
    """Copies every donor weight whose name and shape match (text encoder, transformer blocks) into
    model; returns the names left fresh (the patch projections of a different latent space)."""
    own, theirs = model.state_dict(), donor.state_dict()
    kept = {k: v for k, v in theirs.items() if k in own and own[k].shape == v.shape}
    model.load_state_dict(kept, strict=False)
    return sorted(set(own) - set(kept))


def upgrade(model: TesseraModel, word_skip: bool, abs_pos: bool, caption_positions: bool = False,
            seed: int = 0, caption_pool: int = 0, output_head: int = 0) -> TesseraModel:
    """The same model with the parts it lacks added: the text encoder's direct word path
    (TextConfig.word_skip), the DiT's clip-fraction positions (DiTConfig.abs_pos), its
    caption-dependent positions (DiTConfig.caption_positions), its attention-pooled caption
    (DiTConfig.caption_pool queries) and its output head (DiTConfig.output_head width); the last
    three start at zero. Every other weight is kept. The same seed gives a model and its EMA the
    same new weights.

    The word path starts as random vectors (std 0.1 per coordinate: a norm of about 1.6 against
    the encoder's 9.4), so every word reaches the DiT distinctly at once. Started at zero, it
    waits for gradients that come only once the DiT already listens: 400 steps from zero grew its
    rows to a norm of 0.05-0.09. The positions start at zero (their last layer), so the outputs
    begin unchanged."""
    text_cfg = replace(model.text_encoder.cfg, word_skip=model.text_encoder.cfg.word_skip or word_skip)
    dit_cfg = replace(model.dit.cfg, abs_pos=model.dit.cfg.abs_pos or abs_pos,
                      caption_positions=model.dit.cfg.caption_positions or caption_positions,
                      caption_pool=model.dit.cfg.caption_pool or caption_pool,
                      output_head=model.dit.cfg.output_head or output_head)
    if (text_cfg, dit_cfg) == (model.text_encoder.cfg, model.dit.cfg):
        return model
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        upgraded = TesseraModel(text_cfg, dit_cfg)
    fresh = warm_start(upgraded, model)
    if "text_encoder.word_skip.weight" in fresh:
        with torch.no_grad():
            w = upgraded.text_encoder.word_skip.weight
            w.copy_(torch.randn(w.shape, generator=torch.Generator().manual_seed(seed)) * 0.1)
    return upgraded


def position_spread(dit: DiT) -> float:
    """How far apart the clip-fraction position vectors are, on the 5 x 4 x 4 token grid of the
    default 128x128x17 clip: their mean distance from their mean (a token's own norm is about 18)."""
    from .dit import clip_fractions

    with torch.no_grad():
        ap = dit.abs_pos(clip_fractions(5, 4, 4, dit.cfg.abs_pos_freqs, next(dit.parameters()).device))
    return (ap - ap.mean(0)).norm(dim=-1).mean().item()


def strengthen_positions(dit: DiT, spread: float) -> float:
    """Scales the clip-fraction positions' last layer so their spread (position_spread) becomes
    spread; returns the spread before. Added at zero to a trained model, they stayed drowned in the
    patch embeddings (0.52 against a token norm of 18.6 after 7,000 steps, 4,000 of them at lr
    3e-3), so the blocks never learnt to read them; DiT's fixed sin-cos table is about half a
    token's norm. Deterministic, so a model and its EMA get the same change."""
    before = position_spread(dit)
    if before < spread:
        with torch.no_grad():
            dit.abs_pos[-1].weight.mul_(spread / before)
    return before


def strengthen_word_skip(text_encoder: TextEncoder, norm: float) -> float:
    """Scales the direct word path so its rows' mean norm becomes norm; returns the mean norm
    before. What a linear layer of the DiT can learn from a word grows with the size of the
    word's own feature: through the pooled caption, 0.6.0's direction words differed by 0.41 (at
    a norm of 8.8) and colours by 4.75, and only colours were learnt. Deterministic, so a model
    and its EMA get the same change."""
    w = text_encoder.word_skip.weight
    before = w.norm(dim=-1).mean().item()
    if before < norm:
        with torch.no_grad():
            w.mul_(norm / before)
    return before


# Parts that upgrade() adds to a trained model (by parameter name).
NEW_PARTS = ("text_encoder.word_skip.", "dit.abs_pos.", "dit.caption_positions.", "dit.caption_pool.", "dit.output_head.")


def restore_optimizer(opt: torch.optim.Optimizer, state: dict, model: TesseraModel, lr: float,
                      new_parts_lr: float) -> None:
    """Loads a checkpoint's optimizer state, keeping this run's learning rates: load_state_dict
    restores each group's hyperparameters, base_lr among them, so a resume asking for another --lr
    ran at the checkpoint's (session 21's at 1.5e-4, not the 7e-5 it asked for)."""
    opt.load_state_dict(state)
    for group, asked in zip(opt.param_groups, param_groups(model, lr, new_parts_lr)):
        group["base_lr"] = asked["base_lr"]


def param_groups(model: TesseraModel, lr: float, new_parts_lr: float) -> list[dict]:
    """The optimizer's groups: the parts upgrade() adds, at new_parts_lr, and the rest at lr. The
    groups follow the architecture alone, so a checkpoint's optimizer state always fits. A part
    joining a trained network starts small against it (the clip-fraction positions reached 0.45
    of a token's norm of 18 after 3,000 steps at 3e-4), so a resumed run may give it more."""
    named = list(model.named_parameters())
    new = [p for n, p in named if n.startswith(NEW_PARTS)]
    rest = [p for n, p in named if not n.startswith(NEW_PARTS)]
    groups = [{"params": rest, "base_lr": lr}]
    if new:
        groups.append({"params": new, "base_lr": new_parts_lr or lr})
    return groups


def context_mask_for(mode: str, T: int, rng: random.Random) -> torch.Tensor:
    """(T,) float mask of latent frames given as clean context."""
    m = torch.zeros(T)
    if mode == "first":
        m[0] = 1
    elif mode == "first_k":
        m[: rng.randint(1, max(1, T - 1))] = 1
    elif mode == "last_k":
        m[T - rng.randint(1, max(1, T - 1)):] = 1
    elif mode == "first_last":
        m[0] = 1
        m[-1] = 1
    return m


@torch.no_grad()
def latent_stats(vae, rng: random.Random, dev, n: int = 64) -> tuple[float, float]:
    """Mean and 1/std of the autoencoder's latents, so the transformer sees unit variance."""
    video, _, _ = data.render_batch(rng, n, 128, 128, 17)
    mean, _ = vae.encoder(video.to(dev))
    return mean.mean().item(), 1.0 / mean.std().item()


class LatentPool:
    """Encoded clips per bucket, refreshed a few at a time.

    Encoding costs about as much as a training step on CPU, so each step encodes only a
    quarter of a batch of fresh clips and samples the rest from recent ones. With pairs
    ("mirror", "counterfactual": data.render_batch) an entry is a clip and its one-word variant,
    kept and drawn together.
    """

    def __init__(self, vae, shift: float, scale: float, dev, capacity: int = 3000, pairs: str = "",
                 two_object_share: float = 0.3):
        self.vae, self.shift, self.scale, self.dev = vae, shift, scale, dev
        self.pairs, self.two_object_share = pairs, two_object_share
        self.group = 2 if pairs else 1  # clips per entry
        self.capacity = capacity // self.group
        self.latents: dict[data.Bucket, list[torch.Tensor]] = {}  # entries of (group, C, T, H, W)
        self.objects: dict[data.Bucket, list[torch.Tensor]] = {}  # entries of (group, T, H, W) bool
        self.captions: dict[data.Bucket, list[list[str]]] = {}

    @torch.no_grad()
    def add(self, b: data.Bucket, n: int, rng: random.Random, bf16: bool) -> None:
        n = max(self.group, n - n % self.group)
        video, labels, caps = data.render_batch(rng, n, b.width, b.height, b.frames,
                                                two_object_p=self.two_object_share, pairs=self.pairs)
        with runtime.autocast(self.dev, bf16):
            z = (self.vae.encoder(video.to(self.dev))[0].float() - self.shift) * self.scale
        objects = object_cells(labels, z.shape[2:])
        lat, obj, cap = (self.latents.setdefault(b, []), self.objects.setdefault(b, []),
                         self.captions.setdefault(b, []))
        for i in range(0, n, self.group):
            entry, cells, words = z[i:i + self.group], objects[i:i + self.group], caps[i:i + self.group]
            if len(lat) < self.capacity:
                lat.append(entry)
                obj.append(cells)
                cap.append(words)
            else:
                j = rng.randrange(self.capacity)
                lat[j], obj[j], cap[j] = entry, cells, words

    def sample(self, b: data.Bucket, n: int, rng: random.Random) -> tuple[torch.Tensor, torch.Tensor, list[str]]:
        """n clips (rounded down to whole entries, at least one): latents (n, C, T, H, W), their object
        cells (n, T, H, W) and captions; pairs stay adjacent (2i, 2i + 1)."""
        idx = [rng.randrange(len(self.latents[b])) for _ in range(max(1, n // self.group))]
        return (torch.cat([self.latents[b][i] for i in idx]),
                torch.cat([self.objects[b][i] for i in idx]),
                [c for i in idx for c in self.captions[b][i]])


def object_cells(labels: torch.Tensor, latent_thw: tuple[int, ...] | torch.Size) -> torch.Tensor:
    """Palette labels (B, F, H, W) -> (B, T, h, w) bool: the latent cells whose pixels hold an object on
    any of the frames the cell encodes (the causal autoencoder: latent frame 0 is frame 0, latent frame
    k frames (k-1)r+1 .. kr for temporal compression r). A clip's background is its most common label:
    objects cover at most 40% of a frame (two of the largest size)."""
    B, F, H, W = labels.shape
    T, h, w = latent_thw
    r = (F - 1) // (T - 1) if T > 1 else 1  # frames per latent frame after the first
    background = labels.reshape(B, -1).mode(dim=1).values
    obj = (labels != background[:, None, None, None]).float()
    frames = torch.cat([obj[:, :1], obj[:, 1:1 + (T - 1) * r].reshape(B, T - 1, r, H, W).amax(dim=2)], dim=1)
    return torch.nn.functional.max_pool2d(frames, (H // h, W // w)) > 0


def per_pair(x: torch.Tensor, group: int) -> torch.Tensor:
    """Keeps every group-th row of x and repeats it group times: one draw per pair."""
    return x[::group].repeat_interleave(group, dim=0)


def training_timesteps(n: int, shift: float, high_share: float, high_from: float, rng: random.Random,
                       device=None) -> torch.Tensor:
    """(n,) noise levels t in (0, 1]: logit-normal (SD3) shifted toward noise by shift, and a share
    high_share of them uniform in [high_from, 1] (t = 1 included).

    The band is where the caption alone must place an object: x_t already tells a rightward clip
    from its mirror image below t = 0.97 (expected log-likelihood ratio 7 at t = 0.95, 2.5 at
    0.97, 0.3 at 0.99, on the 8x latents), and the shifted logit-normal puts under 2% of training
    above 0.97. Measured (session 10): 1,100 steps with a share of 0.25 from 0.95 left the
    direction's worth in the t = 1 loss where it was (0.78% -> 0.65%), so the band is off by
    default. 0.7.0's run used it for 2,384 steps before its anneal (without it); what it added
    there is not separated from the anneal. With high_from 0 the share is uniform over (0, 1]: session
    11 gave a quarter of training to it (the shifted logit-normal trains t < 0.5 about 8% of the
    time, and shape is lost between 0.3 and 0.8), and shape from t = 0.3 rose from 0.66 to 0.75."""
    g = torch.Generator().manual_seed(rng.getrandbits(63))
    t = shift_toward_noise(torch.sigmoid(torch.randn(n, generator=g)), shift)
    high = torch.rand(n, generator=g) < high_share
    band = high_from + (1.0 - high_from) * (1.0 - torch.rand(n, generator=g))  # (high_from, 1]
    return torch.where(high, band, t).to(device)


def flow_loss(model: nn.Module, z0, ids, mask, cmask, t, eps=None, channel_weight=None, cell_weight=None):
    """Rectified flow: x_t = (1-t) z0 + t eps, target eps - z0, loss on frames to generate.

    model: a TesseraModel, or DDP around one (its forward must be called for gradients to sync).
    eps: the noise (default: fresh); pairs share theirs.
    channel_weight: (C,) weights of the latent channels' squared errors, mean 1 (None: all 1;
    see channel_loss_weights).
    cell_weight: (B, T, H, W) weights of the latent cells (None: all 1; see object_cell_weights); the
    loss is then the weighted mean over the cells to generate."""
    B, C, T, H, W = z0.shape
    eps = torch.randn_like(z0) if eps is None else eps
    tt = t[:, None, None, None, None]
    m = cmask[:, None, :, None, None].expand(B, 1, T, H, W)
    x = (1 - tt) * z0 + tt * eps
    x = x * (1 - m) + z0 * m  # context frames are clean, as at inference
    v = model(x, t, ids, mask, z0, m)
    w = 1 - m
    if cell_weight is not None:
        w = w * cell_weight.to(w.device, w.dtype)[:, None]
    norm = (w.sum() * C).clamp(min=1e-6) if cell_weight is not None else ((1 - m).sum() * C).clamp(min=1.0)
    if channel_weight is not None:
        w = w * channel_weight.to(w.device, w.dtype)[None, :, None, None, None]
    return ((v.float() - (eps - z0)) ** 2 * w).sum() / norm


def object_cell_weights(objects: torch.Tensor, weight: float) -> torch.Tensor:
    """(B, T, H, W) object cells -> cell weights: `weight` where an object is, 1 elsewhere.

    Objects cover 12% of a 128x128x17 clip's latent cells with one object and 21% with two (3-42%
    per clip; 64 rendered clips each), so a plain mean spends most of the loss on flat background,
    while what the evaluation misses (square corners, the second object) is inside the object cells."""
    return 1.0 + (weight - 1.0) * objects.float()


def channel_values(z: torch.Tensor) -> torch.Tensor:
    """Latents (..., C, T, H, W) -> (C, N): every value of each channel, for per-channel statistics."""
    return z.transpose(0, -4).reshape(z.shape[-4], -1)


def channel_loss_weights(latents: list[torch.Tensor], cap: float = 4.0) -> torch.Tensor:
    """(C,) inverse variances of normalised latents' channels, clipped to [1 / cap, cap] times
    their median (a nearly constant channel must not take all the weight) and scaled to mean 1.

    The latents are normalised by one shift and scale for all channels, so the high-variance
    channels (background and colour, learnt first) dominate a plain squared error, while square
    against circle lives mostly in the low-variance ones: the same scene drawn with a square and
    with a circle differs by 9.5% of the latent's energy in the plain loss and by 21.6% with every
    channel at unit variance (TRAINING_LOG.md, *Session 20*). Weighting each channel by 1 / its
    variance gives every channel the same say, as per-channel normalisation (LTX-Video, Wan) does,
    without changing the latent space the pack's graphs and engine use. latents: tensors (..., C, T, H, W)."""
    flat = torch.cat([channel_values(z) for z in latents], dim=1).float()
    inv = 1.0 / flat.var(dim=1).clamp(min=1e-6)
    inv = (inv / inv.median()).clamp(1.0 / cap, cap)
    return inv / inv.mean()


def save_weights(model: TesseraModel, ema: TesseraModel, path: Path, meta: dict, ema_only: bool = False) -> None:
    """fp16 weights without optimizer state; ema_only halves the file (a resume then starts the
    model from the EMA, as --from-pack does)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    blob = {"text_config": asdict(model.text_encoder.cfg), "dit_config": asdict(model.dit.cfg),
            "ema": {k: v.half() for k, v in ema.state_dict().items()}, "meta": meta}
    if not ema_only:
        blob["model"] = {k: v.half() for k, v in model.state_dict().items()}
    torch.save(blob, tmp)
    tmp.replace(path)


def load_weights(path: Path, which: str = "ema") -> tuple[TesseraModel, dict]:
    """which: "ema" or "model" (the EMA stands in for the model in an EMA-only file)."""
    blob = torch.load(path, map_location="cpu", weights_only=False)
    dc = blob["dit_config"]
    dc["patch"] = tuple(dc["patch"])
    m = TesseraModel(TextConfig(**blob["text_config"]), DiTConfig(**dc))
    m.load_state_dict({k: v.float() for k, v in blob.get(which, blob["ema"]).items()})
    return m, blob["meta"]


def main() -> None:
    ap = runtime.run_parser("dit8", minutes=60, save_every=4.0,  # the DiT over weights/vae8.pt's latents
                            from_weights_help="resume model + EMA from weights kept in git")
    ap.add_argument("--lr", type=float, default=6e-4)
    ap.add_argument("--warmup", type=int, default=300)
    ap.add_argument("--ema", type=float, default=0.999)
    ap.add_argument("--batch-scale", type=float, default=1.0, help="multiplies every bucket's batch size (per process)")
    ap.add_argument("--prefill", type=int, default=48, help="clips encoded per bucket before the first step")
    ap.add_argument("--fresh", type=float, default=0.125, help="fraction of a batch newly rendered each step")
    ap.add_argument("--vae", default=str(runtime.ROOT / "weights" / "vae8.pt"))
    ap.add_argument("--t-shift", type=float, default=2.0,
                    help="shift of the logit-normal training timesteps toward noise (1: SD3's plain logit-normal)")
    ap.add_argument("--t-high-share", type=float, default=0.0,
                    help="share of training timesteps drawn uniformly from [--t-high-from, 1] (training_timesteps)")
    ap.add_argument("--t-high-from", type=float, default=0.95)
    ap.add_argument("--pairs", choices=data.PAIRS, default="",
                    help="every batch is pairs of a clip and a variant of it whose caption differs in one word: its "
                         "mirror image (mirror) or a changed direction, shape or two objects' colours "
                         "(counterfactual), sharing noise, noise level, context mode and caption dropout")
    ap.add_argument("--two-object-share", type=float, default=0.3,
                    help="fraction of rendered clips with two objects (the rest have one; session 19: two-object "
                         "colour fell while single-object shape rose at 0.3)")
    ap.add_argument("--channel-loss-weights", action="store_true",
                    help="weight each latent channel's squared error by 1 / its variance (channel_loss_weights; "
                         "session 20: square against circle lives in the low-variance channels)")
    ap.add_argument("--object-loss-weight", type=float, default=1.0, metavar="W",
                    help="weight of the latent cells that hold an object in the flow loss (object_cell_weights); "
                         "1: a plain mean over cells")
    ap.add_argument("--warm-start", default=None, metavar="PACK",
                    help="a new run (new latent space, e.g. another --vae) that starts from a pack's text encoder and "
                         "transformer blocks wherever their shapes fit")
    ap.add_argument("--ema-only-weights", action="store_true",
                    help="--weights holds the EMA alone (half the size, for git; runs/ keeps the full checkpoint)")
    ap.add_argument("--word-skip", action=argparse.BooleanOptionalAction, default=True,
                    help="train the text encoder's direct word path (TextConfig.word_skip), adding it to a "
                         "model resumed without one")
    ap.add_argument("--abs-pos", action=argparse.BooleanOptionalAction, default=True,
                    help="give the DiT each token's place as fractions of the clip (DiTConfig.abs_pos), adding "
                         "it to a model resumed without one")
    ap.add_argument("--caption-positions", action=argparse.BooleanOptionalAction, default=True,
                    help="give the DiT caption-dependent positions (DiTConfig.caption_positions), adding them to a "
                         "model resumed without them")
    ap.add_argument("--caption-pool", type=int, default=0, metavar="Q",
                    help="give the DiT Q learnt queries that read the caption's words into adaLN's conditioning "
                         "(DiTConfig.caption_pool), adding them to a model resumed without them; 0: none")
    ap.add_argument("--output-head", type=int, default=0, metavar="WIDTH",
                    help="give the DiT a per-token output head of this width that reads the raw input patch "
                         "(DiTConfig.output_head), adding it to a model resumed without one; 0: none")
    ap.add_argument("--train-only-new-parts", action="store_true",
                    help="freeze every weight the model had and train only the parts this run adds (a lever measured "
                         "alone)")
    ap.add_argument("--word-skip-norm", type=float, default=0.0,
                    help="once, when resuming: scale the text encoder's word path up to this mean row norm "
                         "(strengthen_word_skip; 0: leave it)")
    ap.add_argument("--new-parts-lr", type=float, default=0.0,
                    help="learning rate of the parts upgrade() adds (word_skip, abs_pos); 0: --lr")
    ap.add_argument("--position-spread", type=float, default=0.0,
                    help="once, when resuming a model whose clip-fraction positions stayed faint: scale them up "
                         "to this spread (strengthen_positions; 0: leave them)")
    ap.add_argument("--patch", type=int, default=0, metavar="P",
                    help="refine a trained model to 1xPxP patches (patch_resize.py; e.g. 2 for a model trained at 1x4x4)")
    ap.add_argument("--from-pack", default=None,
                    help="resume from a pack's transformer and text encoder (its EMA becomes model and EMA), "
                         "rebuilt from the ONNX graphs alone (from_pack.py)")
    args = ap.parse_args()

    run = runtime.prepare_run(args)
    dev = run.dev
    vae, _ = load_vae(Path(args.vae))
    vae.to(dev).eval().requires_grad_(False)
    tok = WordTokenizer.for_world()
    step, seen = 0, 0
    rng = random.Random(99)  # the same clips on every rank: one latent normalisation
    if args.from_pack:
        from .from_pack import load_from_pack  # lazy: from_pack imports this module

        model, loaded = load_from_pack(Path(args.from_pack))
        ema = copy.deepcopy(model)
        step, seen, shift, scale = loaded["step"], loaded["samples"], loaded["latent_shift"], loaded["latent_scale"]
    elif args.from_weights:
        model, loaded = load_weights(Path(args.from_weights), "model")
        ema, _ = load_weights(Path(args.from_weights), "ema")
        step, seen, shift, scale = loaded["step"], loaded["samples"], loaded["latent_shift"], loaded["latent_scale"]
    else:
        text_cfg = TextConfig(vocab_size=len(tok.vocab), dim=DIT_PRESETS[args.preset].text_dim)
        model = TesseraModel(text_cfg, dit_config_for(args.preset, vae))
        if args.warm_start:
            from .from_pack import load_from_pack

            donor, _ = load_from_pack(Path(args.warm_start))
            run.print(f"warm start from {args.warm_start}; fresh: {', '.join(warm_start(model, donor))}", flush=True)
        ema = copy.deepcopy(model)  # rank 0's is the one saved (DDP gives every rank rank 0's weights)
        shift, scale = distributed.broadcast(*latent_stats(vae, rng, dev))
    # The one place --word-skip, --abs-pos, --caption-positions, --caption-pool and --output-head act,
    # for new, warm-started and resumed models alike.
    before = (model.text_encoder.cfg, model.dit.cfg)
    trained_names = {n for n, _ in model.named_parameters()}
    parts = (args.word_skip, args.abs_pos, args.caption_positions)
    model, ema = (upgrade(m, *parts, caption_pool=args.caption_pool, output_head=args.output_head)
                  for m in (model, ema))
    if (model.text_encoder.cfg, model.dit.cfg) != before:
        run.print(f"added: word_skip={model.text_encoder.cfg.word_skip} abs_pos={model.dit.cfg.abs_pos} "
                  f"caption_positions={model.dit.cfg.caption_positions} caption_pool={model.dit.cfg.caption_pool} "
                  f"output_head={model.dit.cfg.output_head}",
                  flush=True)
    if args.patch and model.dit.cfg.patch != (1, args.patch, args.patch):
        was = model.dit.cfg.patch
        model.dit, ema.dit = (refine_patches(m.dit, (1, args.patch, args.patch)) for m in (model, ema))
        run.print(f"patches {was} -> {model.dit.cfg.patch}, rotary positions x{model.dit.cfg.position_scale}", flush=True)
    if args.word_skip_norm and model.text_encoder.word_skip is not None:
        was = [strengthen_word_skip(m.text_encoder, args.word_skip_norm) for m in (model, ema)]
        run.print(f"word path's mean row norm {was[0]:.3f} (EMA {was[1]:.3f}) -> {args.word_skip_norm}", flush=True)
    if args.position_spread and model.dit.abs_pos is not None:
        was = [strengthen_positions(m.dit, args.position_spread) for m in (model, ema)]
        run.print(f"positions' spread {was[0]:.3f} (EMA {was[1]:.3f}) -> {position_spread(model.dit):.3f}", flush=True)
    if args.train_only_new_parts:
        for name, p in model.named_parameters():
            p.requires_grad_(name not in trained_names)
        if not any(p.requires_grad for p in model.parameters()):
            raise SystemExit("--train-only-new-parts: this run adds no part (the model already has every part asked "
                             "for); name one it lacks, e.g. --output-head 512")
        run.print(f"trained: {sum(p.numel() for p in model.parameters() if p.requires_grad):,} parameters of the parts "
                  "added now; the rest frozen", flush=True)
    model.to(dev)
    ema.to(dev).requires_grad_(False)
    opt = torch.optim.AdamW(param_groups(model, args.lr, args.new_parts_lr), lr=args.lr, weight_decay=0.0,
                            betas=(0.9, 0.99))
    resumed_meta = loaded if (args.from_weights or args.from_pack) else {}
    if run.ckpt.exists() and not (args.from_weights or args.from_pack):
        blob = torch.load(run.ckpt, map_location=dev, weights_only=False)
        model.load_state_dict(blob["model"])
        ema.load_state_dict(blob["ema"])
        restore_optimizer(opt, blob["opt"], model, args.lr, args.new_parts_lr)
        step, seen, shift, scale = blob["step"], blob["samples"], blob["latent_shift"], blob["latent_scale"]
        resumed_meta = blob
        run.print(f"resumed {run.ckpt} at step {step}", flush=True)
    ddp = run.wrap(model)  # DDP (gradients averaged over ranks) under torchrun, compiled with --compile
    n_params = sum(p.numel() for p in model.parameters())
    procs = f"; processes={run.world.size}" if run.world.distributed else ""
    run.print(f"params {n_params:,} (text {sum(p.numel() for p in model.text_encoder.parameters()):,}); latent shift {shift:.4f} "
              f"scale {scale:.4f}; bf16={runtime.cpu_has_bf16() and not args.no_bf16}{procs}", flush=True)
    rng = run.rng(1000 + step)  # clips, captions, modes: different on every rank
    # Under DDP every rank trains the same bucket each step (equal step times, no straggler).
    bucket_rng = random.Random(f"buckets {1000 + step}") if run.world.distributed else rng
    pool = LatentPool(vae, shift, scale, dev, pairs=args.pairs, two_object_share=args.two_object_share)
    group = pool.group
    for b in data.DEFAULT_BUCKETS:  # a few clips per bucket so early batches are not repeats
        pool.add(b, args.prefill, rng, run.bf16)
    channel_weight = None
    if args.channel_loss_weights:
        # A resumed run keeps the weights it started with (kept in meta); a new one measures them on
        # the prefilled pool, rank 0's on every rank.
        kept = resumed_meta.get("channel_weight")
        channel_weight = torch.tensor(kept if kept else distributed.broadcast(
            *channel_loss_weights([z for zs in pool.latents.values() for z in zs]).tolist()), device=dev)
        run.print(f"channel loss weights {[round(w, 2) for w in channel_weight.tolist()]}"
                  f"{' (kept from the resumed run)' if kept else ''}", flush=True)

    if args.object_loss_weight != 1:
        share = sum(o.float().mean().item() for os in pool.objects.values() for o in os) / sum(
            len(os) for os in pool.objects.values())
        run.print(f"object cells weighted {args.object_loss_weight}x: {share:.1%} of the prefilled pool's cells", flush=True)

    def meta() -> dict:
        m = {"step": step, "samples": seen, "latent_shift": shift, "latent_scale": scale,
             "object_loss_weight": args.object_loss_weight}
        return m | ({"channel_weight": channel_weight.tolist()} if channel_weight is not None else {})

    def save() -> None:
        torch.save({"model": model.state_dict(), "ema": ema.state_dict(), "opt": opt.state_dict(), **meta()}, run.ckpt)
        save_weights(model, ema, run.weights, meta(), args.ema_only_weights)

    losses: list[float] = []
    first_step = step  # warm up from this run's start: a resumed run has a fresh optimizer
    run.start()
    while run.keep_going():
        b = data.pick_bucket(bucket_rng)
        n = max(1, int(b.batch * args.batch_scale))
        pool.add(b, max(2, int(n * args.fresh)), rng, run.bf16)
        z0, objects, caps = pool.sample(b, n, rng)
        n = len(caps)
        # Drop text for classifier-free guidance; a pair is dropped (and everything below drawn) as one.
        dropped = per_pair(torch.tensor([rng.random() < 0.1 for _ in range(n)]), group)
        caps = ["" if d else c for d, c in zip(dropped.tolist(), caps)]
        ids, mask = tok.batch(caps)
        T = z0.shape[2]
        cmask = per_pair(torch.stack([context_mask_for(rng.choices(list(MODES), weights=list(MODES.values()))[0], T, rng)
                                      for _ in range(n)]), group).to(dev)
        # Logit-normal timesteps (SD3), shifted toward noise as the sampler's schedule is: objects are a
        # few latent cells, so where they go is decided at t > 0.8, which plain logit-normal rarely trains.
        t = per_pair(training_timesteps(n, args.t_shift, args.t_high_share, args.t_high_from, rng), group).to(dev)
        eps = per_pair(torch.randn(z0.shape), group).to(dev) if group > 1 else None
        cell_weight = object_cell_weights(objects, args.object_loss_weight) if args.object_loss_weight != 1 else None
        decay = run.lr_decay()  # linear to lr * lr_end
        for g in opt.param_groups:
            g["lr"] = g["base_lr"] * min(1.0, (step - first_step + 1) / args.warmup) * decay
        with runtime.autocast(dev, run.bf16), runtime.attention_kernels(dev, run.bf16):
            loss = flow_loss(ddp, z0, ids.to(dev), mask.to(dev), cmask, t, eps, channel_weight, cell_weight)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        if run.main:  # only rank 0 saves, so only rank 0 keeps the EMA (of the unwrapped model)
            decay = min(args.ema, (1 + step) / (10 + step))
            with torch.no_grad():
                for pe, pm in zip(ema.parameters(), model.parameters()):
                    pe.lerp_(pm, 1 - decay)
        step += 1
        seen += n * run.world.size
        losses.append(loss.item())
        if step % 25 == 0:
            mean_loss = distributed.mean(sum(losses) / len(losses))[0]  # over ranks
            run.log({"step": step, "samples": seen, "t": round(time.time() - run.t_start, 1),
                     "loss": round(mean_loss, 5), "lr": opt.param_groups[0]["lr"]})
            losses.clear()
        run.checkpoint(save)
    run.checkpoint(save, final=True)
    run.print(f"done at step {step}", flush=True)
    run.finish(model)


if __name__ == "__main__":
    main()
