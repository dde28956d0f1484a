"""shapes-world: a procedural renderer and caption writer for the spec in models/world/spec.json.

Scenes are sampled as plain data (`Scene`), rendered anti-aliased with signed distances,
and captioned in the spec's canonical grammar. Training uses canonical captions only;
free phrasing ("red ball going right, black bg") is mapped to them by the engine's
prompt expander (main/engine/prompt.ts), so the model's vocabulary stays small.
"""
from __future__ import annotations

import json
import math
import random
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

SPEC_PATH = Path(__file__).resolve().parent.parent / "world" / "spec.json"
SPEC = json.loads(SPEC_PATH.read_text())
PALETTE: dict[str, tuple[int, int, int]] = {k: tuple(v) for k, v in SPEC["palette"].items()}
PALETTE_NAMES: list[str] = list(PALETTE)  # index = class id of the autoencoder's palette head
OBJECT_COLORS: list[str] = SPEC["object_colors"]
BACKGROUND_COLORS: list[str] = SPEC["background_colors"]
SHAPES: list[str] = list(SPEC["shapes"])
SIZES: dict[str, float] = {k: v for k, v in SPEC["sizes"].items() if k != "about"}
MOTIONS: list[str] = list(SPEC["motions"])
FPS: int = SPEC["fps"]


@dataclass
class Obj:
    """One object: what it is and where it is on the first and last frame."""

    color: str
    shape: str
    size: str  # size word: small / medium / large
    motion: str
    x0: float = 0.0  # centre, pixels, first frame
    y0: float = 0.0
    x1: float = 0.0  # centre, pixels, last frame
    y1: float = 0.0
    s0: float = 0.0  # side / diameter, pixels, first frame
    s1: float = 0.0  # last frame


@dataclass
class Scene:
    background: str
    objects: list[Obj] = field(default_factory=list)
    width: int = 128
    height: int = 128
    frames: int = 17


def object_caption(o: Obj) -> str:
    size = "" if o.size == "medium" else o.size + " "
    return f"a {size}{o.color} {o.shape} {o.motion}"


def caption(scene: Scene) -> str:
    """The canonical caption of the spec's grammar."""
    return " and ".join(object_caption(o) for o in scene.objects) + f" on a {scene.background} background"


def _place(o: Obj, w: int, h: int, rng: random.Random) -> None:
    """Choose start and end so the whole path stays inside the frame."""
    base = SIZES[o.size] * min(w, h)
    o.s0 = o.s1 = base
    if o.motion == "growing":
        o.s1 = base * rng.uniform(1.85, 2.2)
    elif o.motion == "shrinking":
        o.s1 = base * rng.uniform(0.4, 0.5)
    half = max(o.s0, o.s1) / 2 + 1.0
    if o.motion in ("moving left", "moving right"):
        span = w - 2 * half
        travel = rng.uniform(max(0.5 * w, 0.0), max(0.5 * w, span))
        travel = min(travel, span)
        start = rng.uniform(half, w - half - travel)
        a, b = (start, start + travel) if o.motion == "moving right" else (start + travel, start)
        y = rng.uniform(half, h - half)
        o.x0, o.x1, o.y0, o.y1 = a, b, y, y
    elif o.motion in ("moving up", "moving down"):
        span = h - 2 * half
        travel = min(rng.uniform(0.5 * h, max(0.5 * h, span)), span)
        start = rng.uniform(half, h - half - travel)
        a, b = (start + travel, start) if o.motion == "moving up" else (start, start + travel)
        x = rng.uniform(half, w - half)
        o.x0, o.x1, o.y0, o.y1 = x, x, a, b
    else:
        x, y = rng.uniform(half, w - half), rng.uniform(half, h - half)
        o.x0 = o.x1 = x
        o.y0 = o.y1 = y


def sample_scene(rng: random.Random, width: int = 128, height: int = 128, frames: int = 17,
                 objects: int | None = None, two_object_p: float = 0.3) -> Scene:
    """A random scene obeying the spec's rules."""
    n = objects if objects is not None else (2 if rng.random() < two_object_p else 1)
    bg = rng.choice(BACKGROUND_COLORS)
    colors = rng.sample([c for c in OBJECT_COLORS if c != bg], n)
    objs = [Obj(color=c, shape=rng.choice(SHAPES), size=rng.choice(list(SIZES)), motion=rng.choice(MOTIONS)) for c in colors]
    scene = Scene(background=bg, objects=objs, width=width, height=height, frames=frames)
    for o in objs:
        _place(o, width, height, rng)
    return scene


# The motion word each mirror swaps: "x" reflects left-right, "y" top-bottom.
MIRRORED_MOTION: dict[str, dict[str, str]] = {
    "x": {"moving left": "moving right", "moving right": "moving left"},
    "y": {"moving up": "moving down", "moving down": "moving up"},
}


def translates(o: Obj) -> bool:
    """Whether the object moves left, right, up or down (what a mirror image changes)."""
    return any(o.motion in swaps for swaps in MIRRORED_MOTION.values())


def mirror_axis(scene: Scene, rng: random.Random) -> str:
    """The axis whose mirror changes the caption: the first translating object's, else either."""
    for o in scene.objects:
        for axis, swaps in MIRRORED_MOTION.items():
            if o.motion in swaps:
                return axis
    return rng.choice(("x", "y"))


def mirror(scene: Scene, axis: str) -> Scene:
    """The scene reflected about the frame's centre line ("x": left-right, "y": top-bottom), with
    its motion words swapped to match. Shapes keep their canonical orientation (a triangle's apex
    stays up), so the mirror is a valid scene of the spec, rendered and captioned as any other."""
    objs = []
    for o in scene.objects:
        m = Obj(**vars(o))
        m.motion = MIRRORED_MOTION[axis].get(o.motion, o.motion)
        if axis == "x":
            m.x0, m.x1 = scene.width - o.x0, scene.width - o.x1
        else:
            m.y0, m.y1 = scene.height - o.y0, scene.height - o.y1
        objs.append(m)
    return Scene(background=scene.background, objects=objs, width=scene.width, height=scene.height,
                 frames=scene.frames)


COUNTERFACTUALS = ("mirror", "shape", "colours")


def counterfactual(scene: Scene, rng: random.Random, kind: str | None = None) -> Scene:
    """The scene with one captioned attribute changed and nothing else: its mirror image (the
    direction words swap), one object's shape replaced, or, with two objects, their colours
    exchanged (which object is which colour). Trained as a pair with shared noise, the pair's
    inputs are nearly alike at high noise while its targets differ exactly where the changed word
    says, so the gradient carries that word's effect without the variance of unrelated scenes.
    kind: one of COUNTERFACTUALS (default: any that changes this scene's caption)."""
    kinds = (["mirror"] if any(translates(o) for o in scene.objects) else []) + ["shape"] + (["colours"] if len(scene.objects) == 2 else [])
    if kind is not None and kind not in kinds:
        raise ValueError(f"a {kind} counterfactual does not change this scene's caption: {caption(scene)}")
    kind = kind or rng.choice(kinds)
    if kind == "mirror":
        return mirror(scene, mirror_axis(scene, rng))
    objs = [Obj(**vars(o)) for o in scene.objects]
    if kind == "shape":
        o = rng.choice(objs)
        o.shape = rng.choice([s for s in SHAPES if s != o.shape])
    else:
        objs[0].color, objs[1].color = objs[1].color, objs[0].color
    return Scene(background=scene.background, objects=objs, width=scene.width, height=scene.height,
                 frames=scene.frames)


def _sdf(shape: str, xs: np.ndarray, ys: np.ndarray, cx: float, cy: float, s: float) -> np.ndarray:
    """Signed distance in pixels (negative inside) of a shape of side/diameter s centred at (cx, cy)."""
    dx, dy = xs - cx, ys - cy
    if shape == "circle":
        return np.sqrt(dx * dx + dy * dy) - s / 2
    if shape == "square":
        qx, qy = np.abs(dx) - s / 2, np.abs(dy) - s / 2
        outside = np.sqrt(np.maximum(qx, 0) ** 2 + np.maximum(qy, 0) ** 2)
        return outside + np.minimum(np.maximum(qx, qy), 0)
    # triangle, apex up, base as wide as it is tall; bounding box centred at (cx, cy)
    half = s / 2
    base = dy - half  # below the base is outside
    # slanted edges: through apex (0, -half) and base corners (+-half, half); outward normal
    n = 1 / math.sqrt(1 + 0.25)
    edge = (np.abs(dx) - 0.5 * (dy + half)) * n
    return np.maximum(base, edge)


def render(scene: Scene) -> tuple[np.ndarray, np.ndarray]:
    """Renders (frames, H, W, 3) uint8 anti-aliased video and (frames, H, W) palette class labels."""
    w, h, f = scene.width, scene.height, scene.frames
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32) + 0.5
    bg = np.array(PALETTE[scene.background], np.float32)
    video = np.empty((f, h, w, 3), np.float32)
    labels = np.empty((f, h, w), np.int64)
    for i in range(f):
        a = i / max(f - 1, 1)
        img = np.broadcast_to(bg, (h, w, 3)).copy()
        lab = np.full((h, w), PALETTE_NAMES.index(scene.background), np.int64)
        for o in scene.objects:  # later objects drawn on top
            cx, cy = o.x0 + (o.x1 - o.x0) * a, o.y0 + (o.y1 - o.y0) * a
            s = o.s0 * (o.s1 / o.s0) ** a if o.s1 != o.s0 else o.s0  # geometric growth looks linear to the eye
            cover = np.clip(0.5 - _sdf(o.shape, xs, ys, cx, cy, s), 0.0, 1.0)[..., None]
            img = img * (1 - cover) + np.array(PALETTE[o.color], np.float32) * cover
            lab[cover[..., 0] >= 0.5] = PALETTE_NAMES.index(o.color)
        video[i] = img
        labels[i] = lab
    return np.clip(np.rint(video), 0, 255).astype(np.uint8), labels


def object_state(o: Obj, i: int, frames: int) -> tuple[float, float, float]:
    """Centre x, centre y and size of an object on frame i (for tests and evaluation)."""
    a = i / max(frames - 1, 1)
    s = o.s0 * (o.s1 / o.s0) ** a if o.s1 != o.s0 else o.s0
    return o.x0 + (o.x1 - o.x0) * a, o.y0 + (o.y1 - o.y0) * a, s


def vocabulary() -> list[str]:
    """Every word the canonical grammar can emit, in a fixed order."""
    words = ["a", "and", "on", "background"] + list(SIZES) + list(PALETTE) + SHAPES
    for m in MOTIONS:
        words += m.split()
    out: list[str] = []
    for wd in words:
        if wd not in out:
            out.append(wd)
    return out


def parse_caption_or_none(text: str) -> Scene | None:
    """parse_caption, or None for text outside the canonical grammar (a free prompt, the empty caption)."""
    try:
        return parse_caption(text)
    except (ValueError, AssertionError, IndexError):
        return None


def parse_caption(text: str) -> Scene:
    """Parses a canonical caption back into a Scene (sizes, colours, shapes, motions; no positions)."""
    text = text.strip()
    head, bg = text.rsplit(" on a ", 1)
    bg = bg.removesuffix(" background")
    objs = []
    for part in head.split(" and "):
        words = part.split()
        assert words[0] == "a", text
        words = words[1:]
        size = "medium"
        if words[0] in SIZES:
            size, words = words[0], words[1:]
        color, shape, motion = words[0], words[1], " ".join(words[2:])
        objs.append(Obj(color=color, shape=shape, size=size, motion=motion))
    return Scene(background=bg, objects=objs)
