"""On-the-fly training batches from the shapes-world renderer (no dataset files)."""
from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np
import torch

from . import world


@dataclass(frozen=True)
class Bucket:
    """One training shape: every clip in a batch has the same size and length."""

    width: int
    height: int
    frames: int
    weight: float  # relative sampling frequency
    batch: int  # clips per batch in this bucket


# Sizes are multiples of 32 (16x autoencoder, 2x2 patches); frames are 1 + 4k.
DEFAULT_BUCKETS: tuple[Bucket, ...] = (
    Bucket(128, 128, 17, 0.50, 16),
    Bucket(128, 128, 9, 0.15, 24),
    Bucket(128, 128, 33, 0.10, 8),
    Bucket(192, 128, 17, 0.125, 12),
    Bucket(128, 192, 17, 0.125, 12),
)


def pick_bucket(rng: random.Random, buckets=DEFAULT_BUCKETS) -> Bucket:
    return rng.choices(buckets, weights=[b.weight for b in buckets])[0]


PAIRS = ("", "mirror", "counterfactual")


def render_batch(rng: random.Random, n: int, width: int, height: int, frames: int, two_object_p: float = 0.3,
                 pairs: str = ""):
    """Returns video (n, 3, F, H, W) in [-1, 1], labels (n, F, H, W) and captions.

    pairs: "" for independent clips; "mirror" or "counterfactual" for clips 2i and 2i + 1 being a
    scene and its mirror image (world.mirror: the direction words swap) or a one-attribute
    variant (world.counterfactual), so a pair differs only where one caption word says it must
    (n must be even)."""
    if pairs not in PAIRS:
        raise ValueError(f"pairs must be one of {PAIRS}, got {pairs!r}")
    if pairs and n % 2:
        raise ValueError(f"pairs need an even number of clips, got {n}")
    scenes: list[world.Scene] = []
    while len(scenes) < n:
        scene = world.sample_scene(rng, width, height, frames, two_object_p=two_object_p)
        if pairs == "mirror":
            scenes += [scene, world.mirror(scene, world.mirror_axis(scene, rng))]
        elif pairs == "counterfactual":
            scenes += [scene, world.counterfactual(scene, rng)]
        else:
            scenes.append(scene)
    vids, labs, caps = [], [], []
    for scene in scenes:
        v, lab = world.render(scene)
        vids.append(v)
        labs.append(lab)
        caps.append(world.caption(scene))
    return to_video(vids), torch.from_numpy(np.stack(labs)), caps


def to_video(frames: list[np.ndarray]) -> torch.Tensor:
    """Rendered clips, each (F, H, W, 3) uint8 -> (B, 3, F, H, W) in [-1, 1]."""
    return torch.from_numpy(np.stack(frames)).permute(0, 4, 1, 2, 3).float() / 127.5 - 1.0


def to_uint8(video: torch.Tensor) -> np.ndarray:
    """(B, 3, F, H, W) in [-1, 1] -> (B, F, H, W, 3) uint8."""
    v = ((video.float().clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8)
    return v.permute(0, 2, 3, 4, 1).cpu().numpy()
