"""The attribute guide: a noise-aware latent classifier of a single object's shape and motion,
used to choose the starting noise (noise search).

Sessions 8-12 found that the DiT takes colour from the caption but a single object's direction
mostly from the noise seed. Session 13 measured two ways to use a classifier trained on noisy
latents (the pack's TRAINING_LOG.md, *Session 13*): its gradient as classifier guidance (Dhariwal & Nichol
2021) broke objects up before it moved them, while **noise search** (after Ma et al. 2025,
*Inference-time scaling for diffusion models beyond scaling denoising steps*) helped: run a few
candidate noises through a short, coarse stretch of the schedule, score each with the classifier
for the caption's attributes, and sample from the best candidate's noise. PACK_FORMAT.md has the
exact procedure the engine follows.

The classifier is a stack of stride-1 3D convolutions (any latent T x H x W), each with a bias
from the timestep, mean-pooled over space and time, and one linear head whose logits are the
attribute groups of `HEADS` concatenated.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from . import world

# Attribute groups the classifier reads, in the order of its logits (class ids = list indices).
HEADS: dict[str, list[str]] = {"shape": list(world.SHAPES), "motion": list(world.MOTIONS)}


@dataclass
class GuideConfig:
    latent_channels: int = 16
    width: int = 64
    depth: int = 3
    time_features: int = 8  # sin/cos frequencies of t


class LatentGuide(nn.Module):
    def __init__(self, cfg: GuideConfig = GuideConfig()):
        super().__init__()
        self.cfg = cfg
        chans = [cfg.latent_channels] + [cfg.width] * cfg.depth
        self.convs = nn.ModuleList(nn.Conv3d(a, b, 3, padding=1) for a, b in zip(chans[:-1], chans[1:]))
        self.time_bias = nn.Linear(2 * cfg.time_features, cfg.width * cfg.depth)
        self.head = nn.Linear(cfg.width, sum(len(v) for v in HEADS.values()))
        self.register_buffer("freqs", math.pi * 2.0 ** torch.arange(cfg.time_features, dtype=torch.float32) / 2,
                             persistent=False)

    def _biases(self, t: torch.Tensor) -> list[torch.Tensor]:
        a = t[:, None].float() * self.freqs
        b = self.time_bias(torch.cat([a.sin(), a.cos()], 1))  # (B, width * depth)
        return [c[:, :, None, None, None] for c in b.chunk(self.cfg.depth, 1)]

    def logits(self, x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        """x: noisy normalised latents (B, C, T, H, W); t: (B,). Returns (B, K): every group's logits."""
        for conv, bias in zip(self.convs, self._biases(t)):
            x = F.silu(conv(x) + bias)
        return self.head(x.mean(dim=(2, 3, 4)))

    def forward(self, x: torch.Tensor, t: torch.Tensor) -> dict[str, torch.Tensor]:
        """Logits per attribute group of `HEADS`."""
        return dict(zip(HEADS, self.logits(x, t).split([len(v) for v in HEADS.values()], 1)))


class GuideGraph(nn.Module):
    """The exported graph: (latents, timestep) -> logits (B, K), groups concatenated as in `HEADS`."""

    def __init__(self, guide: LatentGuide):
        super().__init__()
        self.guide = guide

    def forward(self, latents: torch.Tensor, timestep: torch.Tensor) -> torch.Tensor:
        return self.guide.logits(latents, timestep)


def target_groups(caption: str, heads: dict[str, list[str]]) -> list[tuple[int, int, int]] | None:
    """(start, end, class) in the logits of each attribute group of `heads` (named as world.Obj
    fields) for a canonical caption with one object; None for any other caption."""
    scene = world.parse_caption_or_none(caption)
    if scene is None or len(scene.objects) != 1:
        return None
    out, lo = [], 0
    for group, classes in heads.items():
        out.append((lo, lo + len(classes), classes.index(getattr(scene.objects[0], group))))
        lo += len(classes)
    return out


def caption_log_prob(logits: np.ndarray, groups: list[tuple[int, int, int]]) -> float:
    """Sum over groups of log_softmax(the group's logits)[class]: the noise-search score."""
    score = 0.0
    for lo, hi, cls in groups:
        z = logits[lo:hi] - logits[lo:hi].max()
        score += float(z[cls] - np.log(np.exp(z).sum()))
    return score


def config_dict(cfg: GuideConfig) -> dict:
    return {**asdict(cfg), "heads": HEADS}


def save_guide(path, guide: LatentGuide, meta: dict) -> None:
    """Weights as float16 values (the pack stores them so), config and training figures; no optimizer state."""
    state = {k: v.half() for k, v in guide.state_dict().items()}
    torch.save({"config": asdict(guide.cfg), "state": state, "meta": meta}, path)


def load_guide(path) -> tuple[LatentGuide, dict]:
    ck = torch.load(path, map_location="cpu")
    guide = LatentGuide(GuideConfig(**ck["config"]))
    guide.load_state_dict({k: v.float() for k, v in ck["state"].items()})
    return guide.eval(), ck["meta"]
