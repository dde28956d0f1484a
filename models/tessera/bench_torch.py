"""PyTorch eager timing of one denoising step, for the engine benchmark to compare against.

    python -m tessera.bench_torch [--frames 17 --width 128 --height 128 --repeats 20]

Prints one JSON line: ms per step (conditional + unconditional batched, B = 2), fp32 eager, on
the pack's own weights (rebuilt from its ONNX graphs by from_pack.py), so both sides of the
engine benchmark's ratio run the same numbers.
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import torch

from . import runtime
from .from_pack import load_from_pack

ROOT = Path(__file__).resolve().parent.parent


@torch.no_grad()
def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pack", default=str(ROOT / "packs" / "tessera-tiny"))
    ap.add_argument("--frames", type=int, default=17)
    ap.add_argument("--width", type=int, default=128)
    ap.add_argument("--height", type=int, default=128)
    ap.add_argument("--repeats", type=int, default=20)
    args = ap.parse_args()
    runtime.setup_threads()
    pack = Path(args.pack)
    model = load_from_pack(pack)[0]
    dit = model.dit.eval()
    comp = json.loads((pack / "model_index.json").read_text())["compression"]
    s, ct = comp["spatial"], comp["temporal"]
    C, T, h, w = dit.cfg.latent_channels, 1 + (args.frames - 1) // ct, args.height // s, args.width // s
    x = torch.randn(2, C, T, h, w)
    text = torch.randn(2, model.text_encoder.cfg.max_length, dit.cfg.text_dim)
    mask = torch.ones(2, model.text_encoder.cfg.max_length)
    inputs = (x, torch.tensor([0.5, 0.5]), text, mask, torch.zeros_like(x), torch.zeros(2, 1, T, h, w))
    for _ in range(3):
        dit(*inputs)
    t0 = time.perf_counter()
    for _ in range(args.repeats):
        dit(*inputs)
    ms = (time.perf_counter() - t0) / args.repeats * 1000
    print(json.dumps({"torch": torch.__version__, "ms_per_step": round(ms, 3), "frames": args.frames,
                      "width": args.width, "height": args.height, "threads": torch.get_num_threads()}))


if __name__ == "__main__":
    main()
