"""Evaluates the shipped ONNX pack (and the autoencoder) against the spec with the analytic judge.

    python -m tessera.evaluate                 # pack: prompts x seeds, i2v, extension seams
    python -m tessera.evaluate --autoencoder   # reconstructions of held-out clips
    python -m tessera.evaluate --two-objects-only --seeds 8 9 10 11 12 13 14 15 --out DIR
    python -m tessera.evaluate --precision int8  # the same with the pack's int8 transformer

Writes eval/report.json and contact sheets (PNG grids of frames) into --out (default: eval/ next to
the pack's model card). The pipeline here runs the pack's ONNX graphs with onnxruntime
and follows models/PACK_FORMAT.md, independently of the TypeScript engine.
"""
from __future__ import annotations

import argparse
import json
import math
import random
import time
from pathlib import Path

import numpy as np
import onnxruntime as ort
from PIL import Image

from . import guide, judge, world
from .sampling import guidance_at, schedule
from .tokenizer import WordTokenizer

ROOT = Path(__file__).resolve().parent.parent
PACK = ROOT / "packs" / "tessera-tiny"

SINGLE_PROMPTS = [
    "a red circle moving right on a black background",
    "a blue square moving left on a white background",
    "a yellow triangle moving up on a purple background",
    "a green circle moving down on a gray background",
    "a white square standing still on a blue background",
    "a orange triangle growing on a black background",
    "a pink circle shrinking on a green background",
    "a large cyan square moving right on a purple background",
    "a small purple triangle moving left on a white background",
    "a large red triangle standing still on a gray background",
    "a small yellow circle moving up on a blue background",
    "a blue circle growing on a white background",
    "a green square shrinking on a black background",
    "a white triangle moving down on a green background",
    "a orange square moving up on a gray background",
    "a pink triangle moving right on a blue background",
]
TWO_PROMPTS = [
    "a red circle moving right and a blue square moving left on a black background",
    "a small yellow triangle moving up and a large green circle standing still on a gray background",
    "a white square growing and a pink circle moving down on a blue background",
    "a cyan triangle moving left and a orange square moving right on a purple background",
    "a blue circle standing still and a yellow square moving down on a white background",
    "a purple square moving up and a green triangle moving right on a black background",
]
SEEDS = [0, 1, 2, 3]  # 64 single-object and 24 two-object clips (0, 1 up to session 12: too few to separate a 0.1 change)
# Image-to-video clips, each extended once (6 up to session 13: their mean seam PSNR moved by
# 3 dB between 6 and 18 pairs of the same pack, more than any change it was meant to judge).
EXTENSION_PAIRS = 18


class OnnxPipeline:
    """The pack's graphs with a numpy rectified-flow sampler (Euler or Heun, CFG batched).

    precision: "fp32" or "int8" (graphs.transformer.variants.int8); None means the pack's
    default.precision, else fp32, as in the engine.
    """

    def __init__(self, pack: Path = PACK, threads: int = 2, precision: str | None = None):
        self.pack = pack
        self.index = json.loads((pack / "model_index.json").read_text())
        self.sched = json.loads((pack / "scheduler" / "scheduler_config.json").read_text())
        self.precision = precision or self.index["default"].get("precision", "fp32")
        paths = {n: g["path"] for n, g in self.index["graphs"].items()}
        if self.precision != "fp32":
            variant = self.index["graphs"]["transformer"].get("variants", {}).get(self.precision)
            if variant is None:
                raise SystemExit(f"pack {pack} has no {self.precision} transformer "
                                 f"(graphs.transformer.variants.{self.precision}); try python -m tessera.export --int8-only")
            paths["transformer"] = variant["path"]
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads
        self.s = {n: ort.InferenceSession(str(pack / path), opts, providers=["CPUExecutionProvider"])
                  for n, path in paths.items()}
        self.tok = WordTokenizer.load(pack / "tokenizer" / "tokenizer.json", self.index["text"]["max_length"])
        self.shift_f, self.scale_f = self.index["vae"]["shift_factor"], self.index["vae"]["scaling_factor"]

    def text(self, prompts: list[str]):
        ids, mask = self.tok.batch(prompts)
        emb = self.s["text_encoder"].run(None, {"input_ids": ids.numpy(), "attention_mask": mask.numpy()})[0]
        return emb, mask.numpy().astype(np.float32)

    def encode(self, video_u8: np.ndarray) -> np.ndarray:
        """(F, H, W, 3) uint8 -> normalised latents (1, C, T, h, w)."""
        v = video_u8.astype(np.float32).transpose(3, 0, 1, 2)[None] / 127.5 - 1
        lat = self.s["vae_encoder"].run(None, {"video": v})[0]
        return (lat - self.shift_f) * self.scale_f

    def decode(self, z: np.ndarray) -> np.ndarray:
        """normalised latents (1, C, T, h, w) -> (F, H, W, 3) uint8."""
        v = self.s["vae_decoder"].run(None, {"latent": (z / self.scale_f + self.shift_f).astype(np.float32)})[0][0]
        return np.clip(np.rint((v.transpose(1, 2, 3, 0) + 1) * 127.5), 0, 255).astype(np.uint8)

    def generate(self, prompt: str, seed: int, width=128, height=128, frames=17, steps=30, guidance=None,
                 sampler="euler", context=None, cmask=None, interval=None, search=None) -> np.ndarray:
        """search: noise-search candidates (PACK_FORMAT.md); None means the pack's default.noise_search."""
        d = self.index["default"]
        guidance = d["guidance"] if guidance is None else guidance
        interval = d.get("guidance_interval", [0.0, 1.0]) if interval is None else interval
        high = d.get("guidance_high") if context is None else None  # the band is for caption-only layout
        C = self.index["latent_channels"]
        s = self.index["compression"]["spatial"]
        T, h, w = 1 + (frames - 1) // 4, height // s, width // s
        rng = np.random.default_rng(seed)
        x = rng.standard_normal((1, C, T, h, w)).astype(np.float32)
        searchable = context is None
        if context is None:
            context = np.zeros_like(x)
            cmask = np.zeros((1, 1, T, h, w), np.float32)
        emb, mask = self.text([prompt, ""])
        ts = schedule(steps, self.sched["shift"])

        def vel(x, t):
            x = x * (1 - cmask) + context * cmask
            feeds = {"latents": np.concatenate([x, x]), "timestep": np.array([t, t], np.float32), "text_embeds": emb,
                     "text_mask": mask, "context": np.concatenate([context, context]),
                     "context_mask": np.concatenate([cmask, cmask])}
            g = guidance_at(t, guidance, interval, high)
            if g == 1:  # conditional pass only
                feeds = {k: v[:1] for k, v in feeds.items()}
                return self.s["transformer"].run(None, feeds)[0]
            vc, vu = self.s["transformer"].run(None, feeds)[0]
            return (vu + g * (vc - vu))[None]

        if searchable:
            x = self.search_noise(prompt, seed, x, ts, vel, search)
        for i in range(steps):
            t, tn = ts[i], ts[i + 1]
            v = vel(x, t)
            if sampler == "heun" and tn > 0:
                v = 0.5 * (v + vel(x + (tn - t) * v, tn))
            x = x + (tn - t) * v
        x = x * (1 - cmask) + context * cmask
        return self.decode(x)

    def search_noise(self, prompt: str, seed: int, noise: np.ndarray, ts: list[float], vel, candidates=None):
        """Noise search (PACK_FORMAT.md, "Noise search"): the candidate noise whose coarse early
        trajectory scores highest for the caption; `noise` when off or when nothing scores it."""
        opts = self.index["default"].get("noise_search")
        k = (opts or {}).get("candidates", 1) if candidates is None else candidates
        score = self.screening_score(prompt, opts) if opts else None
        if k <= 1 or score is None:
            return noise
        t_s = next(t for t in ts if t <= opts["screen_to"])
        n = opts["screen_steps"]
        screen = [1 - (1 - t_s) * j / n for j in range(n + 1)]
        best, best_score = noise, -np.inf
        for c in range(k):
            x0 = noise if c == 0 else np.random.default_rng([seed, c]).standard_normal(noise.shape).astype(np.float32)
            x = x0
            for j in range(n):
                x = x + (screen[j + 1] - screen[j]) * vel(x, screen[j])
            s = score(x, t_s, vel)
            if s > best_score:
                best, best_score = x0, s
        return best

    def screening_score(self, prompt: str, opts: dict):
        """The candidate score for this caption, (x, t*, vel) -> float, or None: one object, the
        guide's log-probability of its shape and motion; two objects with `screen_colors`, both
        colours' presence in the decoded estimate of the clean clip."""
        target = guide.target_groups(prompt, self.index["graphs"]["guide"]["heads"]) if "guide" in self.s else None
        if target is not None:
            def by_guide(x, t_s, vel):
                logits = self.s["guide"].run(None, {"latents": x, "timestep": np.array([t_s], np.float32)})[0][0]
                return guide.caption_log_prob(logits, target)
            return by_guide
        objects = two_objects(prompt)
        if objects is None or not opts.get("screen_colors"):
            return None

        def by_colors(x, t_s, vel):
            clean = x - t_s * vel(x, t_s)  # rectified flow: x_t = (1 - t) x_0 + t noise, v = noise - x_0
            return judge.presence_score(self.decode(clean), [o.color for o in objects])
        return by_colors


def two_objects(caption: str) -> list | None:
    """The two objects of a canonical two-object caption, else None."""
    scene = world.parse_caption_or_none(caption)
    return scene.objects if scene is not None and len(scene.objects) == 2 else None


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = float(((a.astype(np.float32) - b.astype(np.float32)) ** 2).mean())
    return 99.0 if mse == 0 else 10 * math.log10(255.0 ** 2 / mse)


def contact_sheet(clips: list[np.ndarray], path: Path, every: int = 4) -> None:
    """One row per clip, every `every`-th frame."""
    rows = []
    for c in clips:
        frames = [c[i] for i in range(0, len(c), every)]
        rows.append(np.concatenate(frames, axis=1))
    width = max(r.shape[1] for r in rows)
    rows = [np.pad(r, ((0, 2), (0, width - r.shape[1]), (0, 0))) for r in rows]
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.concatenate(rows, axis=0)).save(path)


def centroid(frame: np.ndarray, color: str) -> np.ndarray | None:
    d = ((frame[..., None, :].astype(np.float32) - judge.PAL) ** 2).sum(-1).argmin(-1)
    ys, xs = np.nonzero(d == world.PALETTE_NAMES.index(color))
    return None if len(xs) < 20 else np.array([xs.mean(), ys.mean()])


def generate_and_judge(pipe: OnnxPipeline, prompts: list[str], seeds: list[int], steps: int, sampler: str):
    """Every prompt with every seed: the judge's verdicts and their captions in that order, and
    each prompt's clip of the first seed (for a contact sheet)."""
    verdicts, captions, firsts = [], [], []
    for p in prompts:
        for s in seeds:
            clip = pipe.generate(p, s, steps=steps, sampler=sampler)
            verdicts.append(judge.judge(clip, p))
            captions.append(p)
            if s == seeds[0]:
                firsts.append(clip)
    return verdicts, captions, firsts


def evaluate_pack(pipe: OnnxPipeline, out: Path, steps: int, sampler: str, seeds: list[int] = SEEDS) -> dict:
    t0 = time.time()
    groups: dict[str, list] = {}
    captions: dict[str, list[str]] = {}
    sheet = []
    for group, prompts in (("single", SINGLE_PROMPTS), ("two", TWO_PROMPTS)):
        groups[group], captions[group], firsts = generate_and_judge(pipe, prompts, seeds, steps, sampler)
        sheet += firsts
    contact_sheet(sheet, out / "contact_sheet.png")
    result = {g: judge.summarize(v) for g, v in groups.items()}
    result["single_confusion"] = judge.confusion(groups["single"], captions["single"])
    result["single_fill"] = judge.fill_by_shape(groups["single"], captions["single"])
    # image-to-video: the given image must survive as the first frame
    rng = random.Random(11)
    i2v, seams, jumps, i2v_sheet = [], [], [], []
    for k in range(EXTENSION_PAIRS):
        scene = world.sample_scene(rng, objects=1)
        video = world.render(scene)[0]
        cap = world.caption(scene)
        z_img = pipe.encode(video[:1])  # (1, C, 1, h, w)
        _, C, _, h, w = z_img.shape
        ctx = np.zeros((1, C, 5, h, w), np.float32)
        ctx[:, :, :1] = z_img
        cm = np.zeros((1, 1, 5, h, w), np.float32)
        cm[:, :, 0] = 1
        clip = pipe.generate(cap, k, context=ctx, cmask=cm, steps=steps, sampler=sampler)
        i2v.append(psnr(clip[0], video[0]))
        if k < 6:
            i2v_sheet.append(clip)
        # extension forward with one latent frame of context: the new clip starts on clip's last frame
        z_last = pipe.encode(clip[-1:])
        ctx2 = np.zeros_like(ctx)
        ctx2[:, :, :1] = z_last
        ext = pipe.generate(cap, 100 + k, context=ctx2, cmask=cm, steps=steps, sampler=sampler)
        seams.append(psnr(ext[0], clip[-1]))
        a, b = centroid(clip[-1], scene.objects[0].color), centroid(ext[1], scene.objects[0].color)
        if a is not None and b is not None:
            jumps.append(float(np.linalg.norm(a - b)))
    contact_sheet(i2v_sheet, out / "i2v_sheet.png")
    result["i2v_first_frame_psnr_db"] = float(np.mean(i2v))
    result["extension_seam_psnr_db"] = float(np.mean(seams))
    result["extension_centroid_jump_px"] = float(np.mean(jumps)) if jumps else None
    d = pipe.index["default"]
    result["settings"] = {"steps": steps, "sampler": sampler, "precision": pipe.precision, "guidance": d["guidance"],
                          "guidance_interval": d.get("guidance_interval", [0.0, 1.0]),
                          "guidance_high": d.get("guidance_high"), "shift": pipe.sched["shift"], "seeds": seeds,
                          "extension_pairs": EXTENSION_PAIRS,
                          "noise_search": d.get("noise_search") if "guide" in pipe.s else None,
                          "single_prompts": len(SINGLE_PROMPTS), "two_object_prompts": len(TWO_PROMPTS)}
    result["seconds"] = round(time.time() - t0, 1)
    return result


def evaluate_autoencoder(pipe: OnnxPipeline, out: Path, n: int = 60) -> dict:
    rng = random.Random(2024)  # held out: training draws from other seeds
    verdicts, ps, frame_ps, sheet = [], [], [], []
    edges: dict[str, list[tuple[float, float]]] = {}
    for i in range(n):
        scene = world.sample_scene(rng, 128, 128, 17, objects=1)
        video, labels = world.render(scene)
        rec = pipe.decode(pipe.encode(video))
        verdicts.append(judge.judge(rec, world.caption(scene)))
        ps.append(psnr(rec, video))
        frame_ps.append([psnr(rec[f], video[f]) for f in range(len(video))])
        edges.setdefault(scene.objects[0].shape, []).append(object_pixel_errors(rec, labels, scene))
        if i < 8:
            sheet.append(np.concatenate([video, rec], axis=2))
    contact_sheet(sheet, out / "autoencoder_sheet.png")
    res = judge.summarize(verdicts)
    res["psnr_db"] = float(np.mean(ps))
    # per frame: a decoder trained on 9-frame clips alone drew frames 9-16 worse (session 20)
    res["psnr_db_by_frame"] = [round(float(v), 2) for v in np.mean(frame_ps, axis=0)]
    res["clips"] = n
    res["object_pixels"] = {shape: {"clips": len(e), "extra": float(np.mean([x for x, _ in e])),
                                    "missing": float(np.mean([m for _, m in e]))} for shape, e in sorted(edges.items())}
    return res


def object_pixel_errors(rec: np.ndarray, labels: np.ndarray, scene: world.Scene) -> tuple[float, float]:
    """The judge's mask of the one object in a reconstruction against the renderer's labels: pixels
    it adds and pixels it misses, each as a fraction of the object's true pixels. The shape judge
    reads a fill of the bounding box, so a stray row beyond an edge costs as much as a lost corner."""
    color = scene.objects[0].color
    seen = judge.object_masks(rec, [color])[color]
    true = labels == world.PALETTE_NAMES.index(color)
    area = max(int(true.sum()), 1)
    return float((seen & ~true).sum()) / area, float((true & ~seen).sum()) / area


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pack", default=str(PACK))
    ap.add_argument("--autoencoder", action="store_true", help="only the autoencoder's reconstructions")
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--threads", type=int, default=2, help="onnxruntime's intra-op threads (1 beside a training run)")
    ap.add_argument("--sampler", default="euler")
    ap.add_argument("--precision", choices=["fp32", "int8"], default=None,
                    help="transformer precision (default: the pack's default.precision, else fp32)")
    ap.add_argument("--out", default=None, help="folder for report.json and the contact sheets (default: PACK/eval)")
    ap.add_argument("--guidance", type=float, default=None,
                    help="guidance scale instead of the pack's default.guidance (sweeps; recorded in the report)")
    ap.add_argument("--search", type=int, default=None,
                    help="noise-search candidates instead of the pack's default.noise_search (1: off; recorded)")
    ap.add_argument("--seeds", type=int, nargs="+", default=SEEDS,
                    help="noise seeds per prompt (default: the shipped report's; others for a held-out check)")
    ap.add_argument("--two-objects-only", action="store_true",
                    help="only the two-object prompts (with --seeds, e.g. 8 9 ... 15: a check of two-object "
                         "colour on more clips than the report's 24)")
    args = ap.parse_args()
    pack = Path(args.pack)
    out = Path(args.out) if args.out else pack / "eval"
    pipe = OnnxPipeline(pack, threads=args.threads, precision=args.precision)
    if args.guidance is not None:
        pipe.index["default"]["guidance"] = args.guidance
    if args.search is not None and "noise_search" in pipe.index["default"]:
        pipe.index["default"]["noise_search"]["candidates"] = args.search
    report = {"pack": pipe.index["name"], "version": pipe.index["version"], "training": pipe.index.get("training")}
    if args.two_objects_only:
        verdicts, _, _ = generate_and_judge(pipe, TWO_PROMPTS, args.seeds, args.steps, args.sampler)
        report["two_objects"] = {"seeds": args.seeds, "clips": len(verdicts), **judge.summarize(verdicts),
                                 "noise_search": pipe.index["default"].get("noise_search")}
        print(json.dumps(report["two_objects"]), flush=True)
        out.mkdir(parents=True, exist_ok=True)
        (out / "report_two_objects.json").write_text(json.dumps(report, indent=1))
        return
    report["autoencoder"] = evaluate_autoencoder(pipe, out)
    print(json.dumps({"autoencoder": report["autoencoder"]}), flush=True)
    if not args.autoencoder:
        report["generation"] = evaluate_pack(pipe, out, args.steps, args.sampler, args.seeds)
        print(json.dumps({"generation": report["generation"]}), flush=True)
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.json").write_text(json.dumps(report, indent=1))
    print(f"wrote {out / 'report.json'}")


if __name__ == "__main__":
    main()
