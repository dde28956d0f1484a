"""Analytic judge of a clip against its caption, from the spec alone.

Background: nearest background colour to the frame border's median. Objects: pixels
nearest to each captioned colour (and far from the background). Shape: fill ratio of an
object's mask in its bounding box (square 1.0, circle 0.785, triangle 0.5). Motion:
centroid track (travel as a fraction of the frame) and area ratio, last vs first frame.
With two objects, each object is judged on its own colour's mask, which checks binding:
the right shape must move the right way.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import world

PAL = np.array([world.PALETTE[n] for n in world.PALETTE_NAMES], np.float32)


@dataclass
class ObjectVerdict:
    color: bool
    shape: bool
    motion: bool
    shape_seen: str
    motion_seen: str
    fill: float | None = None  # the fill ratio shape_seen was read from (None: object not found)


@dataclass
class Verdict:
    background: bool
    objects: list[ObjectVerdict]


def min_object_area(height: int, width: int) -> float:
    """Pixels below which a colour's mask in a frame is not an object: a tenth of the smallest
    object's square (a small triangle covers about half of it)."""
    return 0.2 * (world.SIZES["small"] * min(height, width)) ** 2 * 0.5


def presence_score(video: np.ndarray, colors: list[str]) -> float:
    """How surely every one of `colors` is an object in the clip (F, H, W, 3 uint8): the lowest,
    over the colours, of the fraction of frames where its mask holds an object, plus a tie-break
    of 1e-3 x the lowest log(1 + median area). Noise search scores two-object candidates by it
    (PACK_FORMAT.md, "Noise search"): the tiny model often drops one of two objects."""
    F, H, W, _ = video.shape
    masks = object_masks(video, colors)
    areas = np.array([[masks[c][f].sum() for f in range(F)] for c in colors], np.float64)  # (colours, F)
    present = (areas >= min_object_area(H, W)).mean(1)
    return float(present.min() + 1e-3 * np.log1p(np.median(areas, 1)).min())


def classify_shape(fill: float) -> str:
    if fill > 0.9:
        return "square"
    if fill > 0.64:
        return "circle"
    return "triangle"


def object_masks(video: np.ndarray, colors: list[str]) -> dict[str, np.ndarray]:
    """(F, H, W, 3) uint8 -> per colour (F, H, W) bool, by nearest palette entry."""
    d = ((video[..., None, :].astype(np.float32) - PAL) ** 2).sum(-1)  # (F, H, W, P)
    nearest = d.argmin(-1)
    return {c: nearest == world.PALETTE_NAMES.index(c) for c in colors}


def classify_motion(track: list[tuple[float, float, float]], w: int, h: int) -> str:
    """track: per frame (cx, cy, area) of one object, frames where it is visible."""
    if len(track) < 2:
        return "unknown"
    (x0, y0, a0), (x1, y1, a1) = track[0], track[-1]
    dx, dy, ratio = (x1 - x0) / w, (y1 - y0) / h, a1 / max(a0, 1.0)
    if ratio >= 1.8 ** 2 * 0.7:
        return "growing"
    if ratio <= 0.55 ** 2 * 1.4:
        return "shrinking"
    if max(abs(dx), abs(dy)) >= 0.3:
        if abs(dx) >= abs(dy):
            return "moving right" if dx > 0 else "moving left"
        return "moving down" if dy > 0 else "moving up"
    return "standing still" if max(abs(dx), abs(dy)) < 0.1 and 0.7 < ratio < 1.4 else "unknown"


def judge(video: np.ndarray, caption: str) -> Verdict:
    """video (F, H, W, 3) uint8; caption in the canonical grammar."""
    scene = world.parse_caption(caption)
    F, H, W, _ = video.shape
    border = np.concatenate([video[:, 0], video[:, -1], video[:, :, 0], video[:, :, -1]], axis=1).reshape(-1, 3)
    med = np.median(border, axis=0)
    bg_names = world.BACKGROUND_COLORS
    bg_seen = bg_names[int(np.argmin([((med - np.array(world.PALETTE[b])) ** 2).sum() for b in bg_names]))]
    masks = object_masks(video, [o.color for o in scene.objects])
    min_area = min_object_area(H, W)
    out = []
    for o in scene.objects:
        m = masks[o.color]
        track, fills = [], []
        for f in range(F):
            ys, xs = np.nonzero(m[f])
            if len(xs) < min_area:
                continue
            track.append((xs.mean(), ys.mean(), float(len(xs))))
            bw, bh = xs.max() - xs.min() + 1, ys.max() - ys.min() + 1
            fills.append(len(xs) / float(bw * bh))
        color_ok = len(track) >= max(1, int(0.8 * F))
        fill = float(np.percentile(fills, 75)) if fills else None
        shape_seen = classify_shape(fill) if fill is not None else "none"
        motion_seen = classify_motion(track, W, H) if color_ok else "unknown"
        out.append(ObjectVerdict(color_ok, color_ok and shape_seen == o.shape, motion_seen == o.motion, shape_seen, motion_seen,
                                 fill))
    return Verdict(bg_seen == scene.background, out)


def summarize(verdicts: list[Verdict]) -> dict[str, float]:
    """Per-attribute accuracy; an attribute counts for a clip when it holds for every object."""
    n = max(len(verdicts), 1)
    return {
        "background": sum(v.background for v in verdicts) / n,
        "color": sum(all(o.color for o in v.objects) for v in verdicts) / n,
        "shape": sum(all(o.shape for o in v.objects) for v in verdicts) / n,
        "motion": sum(all(o.motion for o in v.objects) for v in verdicts) / n,
    }


def confusion(verdicts: list[Verdict], captions: list[str]) -> dict[str, dict[str, dict[str, int]]]:
    """Per attribute ("shape", "motion"): asked -> seen -> clips, over every object, so a report
    tells a model that moves objects the wrong way from one that does not move them."""
    table: dict[str, dict[str, dict[str, int]]] = {"shape": {}, "motion": {}}
    for v, caption in zip(verdicts, captions):
        for o, asked in zip(v.objects, world.parse_caption(caption).objects):
            for attr, want, seen in (("shape", asked.shape, o.shape_seen), ("motion", asked.motion, o.motion_seen)):
                row = table[attr].setdefault(want, {})
                row[seen] = row.get(seen, 0) + 1
    return table


def fill_by_shape(verdicts: list[Verdict], captions: list[str]) -> dict[str, dict[str, float]]:
    """Per asked shape: the quartiles of the fill ratio the judge read (square 1.0, circle 0.785,
    triangle 0.5; the cuts are 0.9 and 0.64). It separates a model that draws a square with soft
    corners (fill near 0.88, read as a circle) from one that draws a circle for "square" (0.79)."""
    fills: dict[str, list[float]] = {}
    for v, caption in zip(verdicts, captions):
        for o, asked in zip(v.objects, world.parse_caption(caption).objects):
            if o.fill is not None:
                fills.setdefault(asked.shape, []).append(o.fill)
    return {shape: {"n": len(f), **{f"p{q}": round(float(np.percentile(f, q)), 3) for q in (25, 50, 75)}}
            for shape, f in sorted(fills.items())}
