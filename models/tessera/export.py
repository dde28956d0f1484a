"""Exports the trained model to an ONNX pack (models/PACK_FORMAT.md).

    python -m tessera.export                       # weights/*.pt -> packs/tessera-tiny
    python -m tessera.export --random --out /tmp/p # random DiT weights, for engine development
    python -m tessera.export --no-int8             # skip the int8 transformer variant
    python -m tessera.export --int8-only --out P   # add only the int8 transformer to an existing pack
    python -m tessera.export --guide-only --out P  # add only the guide (weights/guide.pt) to an existing pack
    python -m tessera.export --decoder-only --vae W --out P  # replace only the pack's autoencoder decoder
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
import torch.nn as nn

from . import data, world
from .dit import TextConfig
from .guide import HEADS, GuideGraph, config_dict as guide_config_dict, load_guide
from .fp16_storage import store_fp16, write_float32
from .tokenizer import WordTokenizer
from .train_dit import TesseraModel, dit_config_for, load_weights as load_dit
from .train_vae import latent_drift, load_weights as load_vae, make_vae

ROOT = Path(__file__).resolve().parent.parent
OPSET = 18
# Default guidance, chosen by sweeps on the weights being exported (see the pack's TRAINING_LOG.md). Up to
# 0.3.0, CFG at the highest noise levels erased objects, so it applied only for t in [0, 0.6];
# after training at t shift 4 the model decides layout and motion there, and guidance 3 on every
# step scored best (step 16,727: colour 0.69 -> 0.88, motion 0.34 -> 0.47 on 32 single-object clips).
# From 0.7.2, guidance 6 for t >= 0.8, where the model decides shape and layout, with the
# sampler's shift 4 (SCHEDULER) spending more steps there. Session 14, 0.7.0's transformer, no
# noise search, held-out seeds 4-7: single-object shape 0.375 -> 0.47, two-object colour
# 0.58 -> 0.71, motion 0.55 -> 0.53 (TRAINING_LOG.md, *Session 14*).
GUIDANCE = {"guidance": 3.0, "guidance_interval": [0.0, 1.0], "guidance_high": {"from_t": 0.8, "guidance": 6.0}}
# Default sampler: Heun's 2nd-order steps reach what 50 Euler steps do in 31 transformer calls.
# Session 14, 0.7.2, seeds 0-3, search on: Heun 16 single-object shape / motion 0.42 / 0.66,
# two-object colour 0.67, seams 31.4 dB / 8.2 px; Euler 50 0.44 / 0.64, 0.67, 31.6 dB / 8.7 px
# (TRAINING_LOG.md, *Session 14*).
SAMPLING = {"steps": 16, "sampler": "heun"}
FORMAT = 1
# Noise search with the attribute guide (PACK_FORMAT.md): 4 candidate noises, each screened by 5
# coarse Euler steps down to t = 0.7, where the guide reads motion at 0.96 on noised real clips.
# Session 13, 0.7.0's transformer, 128 single-object clips (seeds 0-3 and 5-8): motion 0.55 -> 0.66,
# shape 0.38 -> 0.40, for 20 more transformer runs per clip (TRAINING_LOG.md, *Session 13*).
# From 0.10.1 two-object captions are screened too, for both colours in the decoded estimate of the
# clean clip (`screen_colors`): 0.10.0's two-object colour over seeds 0-15 went 73 -> 80 of 96
# (TRAINING_LOG.md, *Session 21*). Off again from 0.12.1: 0.12.0's transformer, trained with its
# object cells weighed up, gets both colours of 96 two-object clips (seeds 0-15) right without any
# search, so the screening's ~2.2 s per two-object clip bought nothing (TRAINING_LOG.md, *Session 22*).
NOISE_SEARCH = {"candidates": 4, "screen_to": 0.7, "screen_steps": 5, "screen_colors": False}
# The transformer's precision when a job asks for none (model_index.json "default.precision"),
# for packs that have that variant. int8 held up on 0.12.1's evaluation on two CPU families (a
# Xeon's VNNI kernels and a Zen 3's AVX2 ones: single-object shape 0.66 / 0.67 against fp32's
# 0.64); on session 23's Zen 3 only int8 made a default clip faster than real time, and a call is
# 1.4-1.5x faster than fp32 (main/engine/README.md). fp32 stays one flag away (--precision).
DEFAULT_PRECISION = "int8"
# What a pack without "default.precision" runs (the engine's FALLBACK_PRECISION): packs from
# before variants existed were fp32, and adding a variant to one does not change what it runs.
FALLBACK_PRECISION = "fp32"
# Dynamically quantised transformer: int8 MatMul/Gemm weights, activations quantised per call.
# The file name is Optimum's, so the pack stays readable by tools that know that layout.
INT8_PATH = "transformer/model_quantized.onnx"
INT8_OPS = ["MatMul", "Gemm"]
SIZES = [{"name": "square", "width": 128, "height": 128},
         {"name": "landscape", "width": 192, "height": 128},
         {"name": "portrait", "width": 128, "height": 192}]
FRAME_COUNTS = [9, 17, 33]
SCHEDULER = {"_class_name": "FlowMatchEulerDiscreteScheduler", "num_train_timesteps": 1000, "shift": 4.0,
             "samplers": ["euler", "heun"]}


class TextGraph(nn.Module):
    def __init__(self, enc):
        super().__init__()
        self.enc = enc

    def forward(self, input_ids, attention_mask):
        return self.enc(input_ids, attention_mask)


class EncoderGraph(nn.Module):
    def __init__(self, vae):
        super().__init__()
        self.vae = vae

    def forward(self, video):
        return self.vae.encoder(video)[0]


class DecoderGraph(nn.Module):
    def __init__(self, vae):
        super().__init__()
        self.vae = vae

    def forward(self, latent):
        return self.vae.decoder(latent)


GRAPH_IO = {
    "text_encoder": (["input_ids", "attention_mask"], ["text_embeds"],
                     {"input_ids": {0: "B", 1: "L"}, "attention_mask": {0: "B", 1: "L"}, "text_embeds": {0: "B", 1: "L"}}),
    "transformer": (["latents", "timestep", "text_embeds", "text_mask", "context", "context_mask"], ["velocity"],
                    {"latents": {0: "B", 2: "T", 3: "h", 4: "w"}, "timestep": {0: "B"},
                     "text_embeds": {0: "B", 1: "L"}, "text_mask": {0: "B", 1: "L"},
                     "context": {0: "B", 2: "T", 3: "h", 4: "w"}, "context_mask": {0: "B", 2: "T", 3: "h", 4: "w"},
                     "velocity": {0: "B", 2: "T", 3: "h", 4: "w"}}),
    "vae_encoder": (["video"], ["latent"], {"video": {0: "B", 2: "F", 3: "H", 4: "W"}, "latent": {0: "B", 2: "T", 3: "h", 4: "w"}}),
    "guide": (["latents", "timestep"], ["logits"],
              {"latents": {0: "B", 2: "T", 3: "h", 4: "w"}, "timestep": {0: "B"}, "logits": {0: "B"}}),
    "vae_decoder": (["latent"], ["video"], {"latent": {0: "B", 2: "T", 3: "h", 4: "w"}, "video": {0: "B", 2: "F", 3: "H", 4: "W"}}),
}


def export_graph(module: nn.Module, args: tuple, path: Path, name: str) -> None:
    inputs, outputs, axes = GRAPH_IO[name]
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.onnx.export(module.eval(), args, str(path), input_names=inputs, output_names=outputs, dynamic_axes=axes,
                      opset_version=OPSET, dynamo=False, do_constant_folding=True)


def quantize_transformer(pack: Path) -> dict:
    """Writes the int8 transformer next to model.onnx; returns its model_index.json variant entry."""
    # Imported here: only the int8 step needs onnxruntime's quantisation tools.
    from onnxruntime.quantization import QuantType, quantize_dynamic

    src, dst = pack / "transformer" / "model.onnx", pack / INT8_PATH
    tmp = dst.with_name(dst.name + ".part")  # a failed run never leaves a half-written variant
    # 7-bit weights (reduce_range): x86 CPUs without VNNI (AVX2, AVX-512F) multiply u8 x s8 pairs
    # into saturating int16 sums, which full-range weights overflow. Measured on an AVX2 EPYC: a
    # random-weight tiny transformer's relative error 14.6% -> 2.4%; the trained 0.3.0 transformer
    # 2.5% -> 3.1%. One variant has to be right on every CPU the pack meets.
    with tempfile.TemporaryDirectory() as scratch:
        plain = Path(scratch) / "model.onnx"
        write_float32(src, plain)  # a pack that stores float16 weights (fp16_storage.py) reads as float32
        quantize_dynamic(str(plain), str(tmp), weight_type=QuantType.QInt8, op_types_to_quantize=INT8_OPS,
                         reduce_range=True)
    tmp.replace(dst)
    return {"path": INT8_PATH}


def add_int8(pack: Path) -> None:
    """--int8-only: quantises an existing pack's transformer and records the variant in place."""
    index_path = pack / "model_index.json"
    index = json.loads(index_path.read_text())
    index["graphs"]["transformer"].setdefault("variants", {})["int8"] = quantize_transformer(pack)
    index["default"].setdefault("precision", FALLBACK_PRECISION)
    index_path.write_text(json.dumps(index, indent=1))


def add_guide(pack: Path, weights: Path) -> None:
    """Writes the attribute guide (tessera/guide.py) into a pack and records it: graphs.guide and
    default.noise_search. Packs without it sample as before."""
    guide, meta = load_guide(weights)
    args = (torch.randn(1, guide.cfg.latent_channels, 3, 4, 4), torch.tensor([0.5]))
    tmp = pack / "guide" / "model.onnx.part"  # a failed export never leaves a half-written graph
    export_graph(GuideGraph(guide), args, tmp, "guide")
    store_fp16(tmp)
    tmp.replace(pack / "guide" / "model.onnx")
    (pack / "guide" / "config.json").write_text(json.dumps(guide_config_dict(guide.cfg), indent=1))
    index_path = pack / "model_index.json"
    index = json.loads(index_path.read_text())
    inputs, outputs, _ = GRAPH_IO["guide"]
    index["graphs"]["guide"] = {"path": "guide/model.onnx", "inputs": inputs, "outputs": outputs,
                                "parameters": sum(p.numel() for p in guide.parameters()), "heads": HEADS,
                                "training": {k: meta[k] for k in ("step", "accuracy") if k in meta}}
    index["default"]["noise_search"] = NOISE_SEARCH
    index_path.write_text(json.dumps(index, indent=1))


def encoder_latents(pack: Path, vae, clips: int, frames: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Latent means of the same rendered clips from the pack's encoder graph and from `vae`'s encoder."""
    import onnxruntime as ort

    video, _, _ = data.render_batch(random.Random(seed), clips, 128, 128, frames)
    sess = ort.InferenceSession(str(pack / "vae_encoder" / "model.onnx"), providers=["CPUExecutionProvider"])
    theirs = torch.from_numpy(sess.run(None, {"video": video.numpy()})[0])
    with torch.no_grad():
        return theirs, vae.encoder(video)[0]


def check_same_encoder(pack: Path, vae) -> float:
    """Max abs difference between the pack's encoder graph and `vae`'s encoder on one rendered
    clip; raises if they encode differently (a decoder only fits the latent space it was trained on)."""
    theirs, ours = encoder_latents(pack, vae, clips=1, frames=9, seed=11)
    diff = float((theirs - ours).abs().max())
    if diff > 1e-3:
        raise ValueError(f"{pack}: its vae_encoder differs from these weights' encoder (max abs diff {diff:.3g}); "
                         "a decoder can only replace one trained on the same latent space")
    return diff


def replace_decoder(pack: Path, weights: Path) -> dict:
    """Writes the decoder of `weights` (an autoencoder whose encoder is the pack's, e.g. from
    tessera.train_decoder) into the pack in place of its vae_decoder, and records its training."""
    vae, meta = load_vae(weights)
    vae.eval()
    check_same_encoder(pack, vae)
    write_autoencoder_graphs(pack, vae, ["vae_decoder"], meta)
    return meta


def write_autoencoder_graphs(pack: Path, vae, names: list[str], training: dict) -> None:
    """Exports `vae`'s graphs `names` (vae_encoder, vae_decoder) into the pack with their configs,
    parameter counts and `training` in model_index.json. All are written as .part files before any
    replaces the pack's, so a failed export leaves the pack as it was."""
    C, h = vae.cfg.latent_channels, 128 // vae.cfg.spatial
    graphs = {"vae_encoder": (EncoderGraph(vae), (torch.rand(1, 3, 9, 128, 128) * 2 - 1,), vae.encoder),
              "vae_decoder": (DecoderGraph(vae), (torch.randn(1, C, 3, h, h),), vae.decoder)}
    for name in names:
        graph, args, _ = graphs[name]
        export_graph(graph, args, pack / name / "model.onnx.part", name)
        store_fp16(pack / name / "model.onnx.part")
    index_path = pack / "model_index.json"
    index = json.loads(index_path.read_text())
    for name in names:
        (pack / name / "model.onnx.part").replace(pack / name / "model.onnx")
        (pack / name / "config.json").write_text(json.dumps(vae.cfg.__dict__, indent=1, default=list))
        index["graphs"][name]["parameters"] = sum(p.numel() for p in graphs[name][2].parameters())
        index["graphs"][name]["training"] = training
    index_path.write_text(json.dumps(index, indent=1))


# How far a replacement encoder's latents may sit from the pack's (train_vae.latent_drift: the
# squared difference as a fraction of their energy; 0.01 is a 10% RMS move). The pack's DiT was
# trained on the old latents; --anchor-weight runs hold theirs near 0.002.
MAX_ENCODER_DRIFT = 0.01


def encoder_drift(pack: Path, vae) -> float:
    """latent_drift of `vae`'s encoder against the pack's encoder graph on four rendered clips."""
    theirs, ours = encoder_latents(pack, vae, clips=4, frames=17, seed=12)
    return float(latent_drift(ours, theirs))


def replace_autoencoder(pack: Path, weights: Path, max_drift: float = MAX_ENCODER_DRIFT) -> dict:
    """Writes the encoder and decoder of `weights` (e.g. from train_vae --anchor-weight) into the
    pack in place of its own, when the new encoder's latents stay within max_drift of the pack's
    (the transformer keeps its weights, so it must still find the latents it was trained on)."""
    vae, meta = load_vae(weights)
    vae.eval()
    drift = encoder_drift(pack, vae)
    if drift > max_drift:
        raise ValueError(f"{weights}: its encoder's latents moved {drift:.4f} of their energy from {pack}'s "
                         f"(at most {max_drift}); the pack's transformer was trained on those latents")
    write_autoencoder_graphs(pack, vae, ["vae_encoder", "vae_decoder"], {**meta, "encoder_drift": round(drift, 5)})
    return {**meta, "encoder_drift": drift}


def default_precision(variants: dict) -> str:
    """DEFAULT_PRECISION when the pack has that transformer variant, else fp32 (always present)."""
    return DEFAULT_PRECISION if DEFAULT_PRECISION in variants else FALLBACK_PRECISION


def set_sampler_defaults(pack: Path) -> None:
    """Rewrites a pack's sampler, steps, guidance and precision defaults (SAMPLING, GUIDANCE,
    DEFAULT_PRECISION when the pack has it), its noise search settings when it has a guide
    (NOISE_SEARCH) and its scheduler config (SCHEDULER) in place: the defaults change, the graphs
    do not."""
    index_path = pack / "model_index.json"
    index = json.loads(index_path.read_text())
    index["default"].update({**SAMPLING, **GUIDANCE})
    index["default"]["precision"] = default_precision(index["graphs"].get("transformer", {}).get("variants", {}))
    if "noise_search" in index["default"]:
        index["default"]["noise_search"] = NOISE_SEARCH
    index_path.write_text(json.dumps(index, indent=1))
    (pack / "scheduler" / "scheduler_config.json").write_text(json.dumps(SCHEDULER, indent=1))


def example_inputs(model: TesseraModel, vae, tok: WordTokenizer):
    C, h = vae.cfg.latent_channels, 128 // vae.cfg.spatial  # latents of a 128x128 clip
    ids, mask = tok.batch(["a red circle moving right on a black background", ""])
    text = model.text_encoder(ids, mask)
    lat = torch.randn(2, C, 5, h, h)
    cm = torch.zeros(2, 1, 5, h, h)
    cm[:, :, 0] = 1
    return {
        "text_encoder": (ids, mask),
        "transformer": (lat, torch.tensor([0.7, 0.7]), text, mask.float(), torch.randn_like(lat), cm),
        "vae_encoder": (torch.rand(1, 3, 9, 128, 128) * 2 - 1,),
        "vae_decoder": (torch.randn(1, C, 3, h, h),),
    }


@torch.no_grad()
def fit_rgb_projection(vae, shift: float, scale: float, n: int = 48, object_weight: float = 4.0) -> dict:
    """Least-squares map from a normalised latent cell to the mean RGB (0..1) of its s x s pixels,
    cells that hold any object weighted `object_weight`: backgrounds fill most cells. On 96
    held-out clips, the nearest palette colour of the map's RGB is the object's in 62% of the cells
    one object covers to 75% unweighted, 67% weighted 4x (background cells: 97%, 97%; 0.10.1's
    map, fitted on fewer two-object clips: 55%) (TRAINING_LOG.md, *Session 21*)."""
    s = vae.cfg.spatial
    video, labels, _ = data.render_batch(random.Random(7), n, 128, 128, 9, two_object_p=0.5)
    z = (vae.encoder(video)[0] - shift) * scale  # (n, C, 3, 128/s, 128/s)
    frames = video[:, :, [0, 4, 8]]  # pixel frame that each latent frame ends on
    rgb = torch.nn.functional.avg_pool3d((frames + 1) / 2, (1, s, s))  # (n, 3, 3, 128/s, 128/s)
    lab = torch.as_tensor(labels)[:, [0, 4, 8]]  # (n, 3, 128, 128)
    background = lab.reshape(n, -1).mode(1).values[:, None, None, None]
    has_object = torch.nn.functional.max_pool2d((lab != background).float(), s)  # (n, 3, 128/s, 128/s)
    w = (1 + (object_weight - 1) * has_object).reshape(-1, 1).sqrt()
    Z = z.permute(0, 2, 3, 4, 1).reshape(-1, z.shape[1])
    Y = rgb.permute(0, 2, 3, 4, 1).reshape(-1, 3)
    Zb = torch.cat([Z, torch.ones(len(Z), 1)], 1)
    sol = torch.linalg.lstsq(Zb * w, Y * w).solution  # (C + 1, 3)
    return {"weight": sol[:-1].tolist(), "bias": sol[-1].tolist()}


def write_pack(out: Path, model: TesseraModel, vae, meta: dict, version: str, int8: bool = True) -> None:
    tok = WordTokenizer.for_world(model.text_encoder.cfg.max_length)
    for sub in ("tokenizer", "text_encoder", "transformer", "vae_encoder", "vae_decoder", "scheduler", "guide"):
        if (out / sub).exists():  # the model card (README.md), TRAINING_LOG.md and eval/ are kept
            shutil.rmtree(out / sub)
    out.mkdir(parents=True, exist_ok=True)
    tok.save(out / "tokenizer" / "tokenizer.json")
    shift, scale = meta["latent_shift"], meta["latent_scale"]
    ex = example_inputs(model, vae, tok)
    graphs = {"text_encoder": TextGraph(model.text_encoder), "transformer": model.dit,
              "vae_encoder": EncoderGraph(vae), "vae_decoder": DecoderGraph(vae)}
    configs = {"text_encoder": model.text_encoder.cfg.__dict__, "transformer": model.dit.cfg.__dict__,
               "vae_encoder": vae.cfg.__dict__, "vae_decoder": vae.cfg.__dict__}
    index_graphs = {}
    for name, mod in graphs.items():
        export_graph(mod, ex[name], out / name / "model.onnx", name)
        (out / name / "config.json").write_text(json.dumps(configs[name], indent=1, default=list))
        inputs, outputs, _ = GRAPH_IO[name]
        counted = {"vae_encoder": vae.encoder, "vae_decoder": vae.decoder}.get(name, mod)  # not the whole autoencoder
        index_graphs[name] = {"path": f"{name}/model.onnx", "inputs": inputs, "outputs": outputs,
                              "parameters": sum(p.numel() for p in counted.parameters())}
    if int8:  # quantised from the float32 graph, before its weights are stored as float16
        index_graphs["transformer"]["variants"] = {"int8": quantize_transformer(out)}
    for name in graphs:
        store_fp16(out / name / "model.onnx")
    (out / "scheduler").mkdir(exist_ok=True)
    (out / "scheduler" / "scheduler_config.json").write_text(json.dumps(SCHEDULER, indent=1))
    index = {
        "_class_name": "TesseraPipeline", "format": FORMAT, "name": "tessera-tiny", "version": version,
        "world": {"name": world.SPEC["name"], "version": world.SPEC["version"]}, "opset": OPSET, "fps": world.FPS,
        "latent_channels": vae.cfg.latent_channels, "compression": {"temporal": 4, "spatial": vae.cfg.spatial},
        "patch_size": list(model.dit.cfg.patch), "sizes": SIZES, "frame_counts": FRAME_COUNTS,
        "default": {"width": 128, "height": 128, "frames": 17, **SAMPLING, **GUIDANCE,
                    "precision": default_precision(index_graphs["transformer"].get("variants", {}))},
        "modes": ["t2v", "image", "i2v", "extend_forward", "extend_backward", "bridge", "remix", "loop"],
        "text": {"max_length": tok.max_length},
        "vae": {"scaling_factor": scale, "shift_factor": shift},
        "latent_rgb_projection": fit_rgb_projection(vae, shift, scale),
        "training": {k: meta[k] for k in ("step", "samples") if k in meta},
        "graphs": index_graphs,
    }
    (out / "model_index.json").write_text(json.dumps(index, indent=1))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--vae", default=str(ROOT / "weights" / "vae8.pt"))
    ap.add_argument("--dit", default=str(ROOT / "weights" / "dit8.pt"))
    ap.add_argument("--out", default=str(ROOT / "packs" / "tessera-tiny"))
    ap.add_argument("--version", default="0.1.0")
    ap.add_argument("--random", action="store_true", help="random transformer weights (engine development)")
    ap.add_argument("--no-int8", action="store_true", help="do not write the int8 transformer variant")
    ap.add_argument("--guide", default=str(ROOT / "weights" / "guide.pt"),
                    help="attribute guide weights (tessera/train_guide.py) for noise search; skipped when missing")
    ap.add_argument("--guide-only", action="store_true",
                    help="only add the attribute guide (--guide) to the pack at --out")
    ap.add_argument("--int8-only", action="store_true",
                    help="only quantise the transformer of the pack at --out and record it in its model_index.json")
    ap.add_argument("--sampler-defaults-only", action="store_true",
                    help="only rewrite the sampler, steps, guidance, precision and noise search defaults and "
                         "scheduler config of the pack at --out")
    ap.add_argument("--decoder-only", action="store_true",
                    help="only replace the autoencoder decoder of the pack at --out with --vae's (same encoder)")
    ap.add_argument("--autoencoder-only", action="store_true",
                    help="only replace the encoder and decoder of the pack at --out with --vae's, if its latents "
                         "stay near the pack's (MAX_ENCODER_DRIFT)")
    args = ap.parse_args()
    if args.autoencoder_only:
        meta = replace_autoencoder(Path(args.out), Path(args.vae))
        print(f"wrote {Path(args.out) / 'vae_encoder'} and {Path(args.out) / 'vae_decoder'} ({meta})")
        return
    if args.decoder_only:
        meta = replace_decoder(Path(args.out), Path(args.vae))
        print(f"wrote {Path(args.out) / 'vae_decoder' / 'model.onnx'} ({meta})")
        return
    if args.sampler_defaults_only:
        set_sampler_defaults(Path(args.out))
        print(f"wrote {Path(args.out) / 'model_index.json'} sampler defaults and scheduler/scheduler_config.json")
        return
    if args.guide_only:
        add_guide(Path(args.out), Path(args.guide))
        print(f"wrote {Path(args.out) / 'guide' / 'model.onnx'}")
        return
    if args.int8_only:
        if args.no_int8:
            ap.error("--int8-only and --no-int8 contradict each other")
        add_int8(Path(args.out))
        print(f"wrote {Path(args.out) / INT8_PATH}")
        return
    torch.manual_seed(0)
    vae = load_vae(Path(args.vae))[0] if Path(args.vae).exists() else make_vae()
    if args.random:
        tok = WordTokenizer.for_world()
        model = TesseraModel(TextConfig(vocab_size=len(tok.vocab)), dit_config_for("tiny", vae))  # fits --vae
        for p in model.dit.parameters():  # adaLN-zero would make the output all zeros
            if p.dim() > 1 and float(p.abs().sum()) == 0:
                torch.nn.init.normal_(p, std=0.02)
        meta = {"latent_shift": 0.0, "latent_scale": 1.0, "step": 0}
    else:
        model, meta = load_dit(Path(args.dit), "ema")
    write_pack(Path(args.out), model.eval(), vae.eval(), meta, args.version, int8=not args.no_int8)
    if Path(args.guide).exists() and not args.random:
        add_guide(Path(args.out), Path(args.guide))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    np.set_printoptions(precision=4)
    main()
