"""Causal video autoencoder: 4x in time, 16x (or 8x) in space, a KL-regularised latent.

Causal in time: latent frame 0 encodes pixel frame 0 alone, latent frame i >= 1 encodes
pixel frames 4i-3..4i and sees only earlier frames, so a still image is a 1-frame clip.
Convolutions are factorised (2+1)D to keep CPU training affordable; normalisation is per
position over channels (RMS), never across time, so causality holds.

The decoder can end in a palette head: per-pixel logits over the world's palette, mixed
back to RGB by softmax. Flat-coloured shapes then keep sharp corners, which a plain
regression head blurs (see shared/research/model-calibration.md).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass
class VAEConfig:
    latent_channels: int = 32  # C of the latent the transformer sees
    widths: tuple[int, ...] = (64, 128, 192)  # channels at 1/4, 1/8, 1/16 (1/8 when spatial is 8) of the input size
    # Spatial compression, 16 or 8. At 8 the last stage stays at 1/8 size: objects span twice
    # as many latent cells, so their corners and apexes need not be packed into one cell.
    spatial: int = 16
    head: str = "palette"  # "palette" (logits over palette colours) or "rgb"
    # Width of an optional last decoder stage at 1/2 of the output size (0: none, the head reads
    # 1/4 size). Shape edges are drawn there: a head that paints 4x4 pixels from one 1/4-size
    # position rounds the apexes and corners that the shape judge needs.
    decoder_half_width: int = 0
    palette: list[list[int]] = field(default_factory=list)  # sRGB colours of the palette head


VAE_PRESETS: dict[str, VAEConfig] = {
    "tiny": VAEConfig(),
    "base": VAEConfig(latent_channels=64, widths=(128, 256, 384)),
}


class RMSNorm(nn.Module):
    """Normalises each position over channels; no statistics across time or space."""

    def __init__(self, ch: int):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(1, ch, 1, 1, 1))

    def forward(self, x):  # (B, C, T, H, W)
        return x * torch.rsqrt(x.pow(2).mean(1, keepdim=True) + 1e-6) * self.weight


class CausalConv(nn.Module):
    """(2+1)D convolution: 3x3 spatial, then 3-tap temporal with left (past) padding only."""

    def __init__(self, cin: int, cout: int, t_stride: int = 1, s_stride: int = 1):
        super().__init__()
        self.spatial = nn.Conv3d(cin, cout, (1, 3, 3), stride=(1, s_stride, s_stride), padding=(0, 1, 1))
        self.temporal = nn.Conv3d(cout, cout, (3, 1, 1), stride=(t_stride, 1, 1))

    def forward(self, x):  # (B, C, T, H, W)
        x = self.spatial(x)
        # replicate the first frame twice on the left: output j sees inputs <= j * stride
        first = x[:, :, :1]
        x = torch.cat([first, first, x], dim=2)
        return self.temporal(x)


class ResBlock(nn.Module):
    def __init__(self, ch: int):
        super().__init__()
        self.norm1, self.conv1 = RMSNorm(ch), CausalConv(ch, ch)
        self.norm2, self.conv2 = RMSNorm(ch), CausalConv(ch, ch)

    def forward(self, x):
        h = self.conv1(F.silu(self.norm1(x)))
        h = self.conv2(F.silu(self.norm2(h)))
        return x + h


def space_to_depth(x, r: int):  # (B, C, T, H, W) -> (B, C*r*r, T, H/r, W/r)
    b, c, t, h, w = x.shape
    x = x.reshape(b, c, t, h // r, r, w // r, r)
    return x.permute(0, 1, 4, 6, 2, 3, 5).reshape(b, c * r * r, t, h // r, w // r)


def depth_to_space(x, r: int):  # (B, C*r*r, T, H, W) -> (B, C, T, H*r, W*r)
    b, c, t, h, w = x.shape
    x = x.reshape(b, c // (r * r), r, r, t, h, w)
    return x.permute(0, 1, 4, 5, 2, 6, 3).reshape(b, c // (r * r), t, h * r, w * r)


def upsample_causal(x):
    """2x in time (latent 0 -> 1 frame, others -> 2 frames) and 2x in space."""
    x = torch.repeat_interleave(x, 2, dim=2)[:, :, 1:]
    b, c, t, h, w = x.shape
    x = x.reshape(b, c * t, h, w)
    x = F.interpolate(x, scale_factor=2.0, mode="nearest")
    return x.reshape(b, c, t, h * 2, w * 2)


def upsample_space(x):
    """2x in space only."""
    b, c, t, h, w = x.shape
    x = F.interpolate(x.reshape(b, c * t, h, w), scale_factor=2.0, mode="nearest")
    return x.reshape(b, c, t, h * 2, w * 2)


def upsample_time(x):
    """2x in time only (latent 0 -> 1 frame, others -> 2 frames)."""
    return torch.repeat_interleave(x, 2, dim=2)[:, :, 1:]


class Encoder(nn.Module):
    """(B, 3, 1+4k, H, W) in [-1, 1] -> mean and log-variance (B, C, 1+k, H/s, W/s), s = cfg.spatial."""

    def __init__(self, cfg: VAEConfig):
        super().__init__()
        w0, w1, w2 = cfg.widths
        self.stem = CausalConv(3 * 16, w0)
        self.block0 = ResBlock(w0)
        self.down1 = CausalConv(w0, w1, t_stride=2, s_stride=2)
        self.block1 = ResBlock(w1)
        self.down2 = CausalConv(w1, w2, t_stride=2, s_stride=2 if cfg.spatial == 16 else 1)
        self.block2 = ResBlock(w2)
        self.block3 = ResBlock(w2)
        self.norm = RMSNorm(w2)
        self.out = nn.Conv3d(w2, 2 * cfg.latent_channels, 1)

    def forward(self, x):
        x = self.stem(space_to_depth(x, 4))
        x = self.block0(x)
        x = self.block1(self.down1(x))
        x = self.block3(self.block2(self.down2(x)))
        mean, logvar = self.out(F.silu(self.norm(x))).chunk(2, dim=1)
        return mean, logvar.clamp(-20.0, 5.0)


class Decoder(nn.Module):
    """(B, C, 1+k, h, w) -> (B, 3, 1+4k, s*h, s*w) in [-1, 1] (and palette logits if any)."""

    def __init__(self, cfg: VAEConfig):
        super().__init__()
        w0, w1, w2 = cfg.widths
        self.first_up = upsample_causal if cfg.spatial == 16 else upsample_time
        self.head = cfg.head
        self.has_half_stage = bool(cfg.decoder_half_width)
        self.inp = CausalConv(cfg.latent_channels, w2)
        self.block2a, self.block2b = ResBlock(w2), ResBlock(w2)
        self.up1 = CausalConv(w2, w1)
        self.block1 = ResBlock(w1)
        self.up0 = CausalConv(w1, w0)
        self.block0a, self.block0b = ResBlock(w0), ResBlock(w0)
        wh = cfg.decoder_half_width
        if wh:
            self.up_half = CausalConv(w0, wh)  # after a 2x spatial upsample (time is already full)
            self.block_half = ResBlock(wh)
        self.norm = RMSNorm(wh or w0)
        n_out = len(cfg.palette) if cfg.head == "palette" else 3
        self.r = 2 if wh else 4  # output pixels per side of each head position
        self.out = nn.Conv3d(wh or w0, n_out * self.r * self.r, (1, 3, 3), padding=(0, 1, 1))
        pal = torch.tensor(cfg.palette or [[0, 0, 0]], dtype=torch.float32) / 127.5 - 1.0
        self.register_buffer("palette", pal, persistent=False)  # (P, 3) in [-1, 1]

    def logits(self, z):
        x = self.block2b(self.block2a(self.inp(z)))
        x = self.block1(self.up1(self.first_up(x)))
        x = self.block0b(self.block0a(self.up0(upsample_causal(x))))
        if self.has_half_stage:
            x = self.block_half(self.up_half(upsample_space(x)))
        return depth_to_space(self.out(F.silu(self.norm(x))), self.r)  # (B, P or 3, F, H, W)

    def forward(self, z):
        out = self.logits(z)
        if self.head != "palette":
            return torch.tanh(out)
        probs = out.softmax(dim=1)
        return torch.einsum("bpfhw,pc->bcfhw", probs, self.palette)


class VideoAutoencoder(nn.Module):
    def __init__(self, cfg: VAEConfig):
        super().__init__()
        if cfg.spatial not in (8, 16):
            raise ValueError(f"spatial compression must be 8 or 16, not {cfg.spatial}")
        self.cfg = cfg
        self.encoder = Encoder(cfg)
        self.decoder = Decoder(cfg)

    def encode(self, x, sample: bool = False):
        mean, logvar = self.encoder(x)
        if sample:
            return mean + torch.randn_like(mean) * (0.5 * logvar).exp(), mean, logvar
        return mean, mean, logvar

    def decode(self, z):
        return self.decoder(z)


def param_count(m: nn.Module) -> int:
    return sum(p.numel() for p in m.parameters())
