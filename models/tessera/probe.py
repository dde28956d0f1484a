"""A cheap probe of a DiT checkpoint during training: a few prompts, judged on decoded samples.

    python -m tessera.probe [--weights weights/dit.pt] [--steps 20]

Runs in PyTorch on the EMA weights (no export), so it can watch a run every few minutes.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import torch

from . import data, judge, runtime
from .export import GUIDANCE
from .evaluate import SINGLE_PROMPTS, TWO_PROMPTS, contact_sheet
from .sampling import sample
from .tokenizer import WordTokenizer
from .train_dit import load_weights
from .train_vae import load_weights as load_vae

ROOT = Path(__file__).resolve().parent.parent


@torch.no_grad()
def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--weights", default=str(ROOT / "weights" / "dit.pt"))
    ap.add_argument("--vae", default=str(ROOT / "weights" / "vae.pt"))
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--guidance", type=float, default=GUIDANCE["guidance"])
    ap.add_argument("--interval", type=float, nargs=2, default=GUIDANCE["guidance_interval"], metavar=("LO", "HI"),
                    help="noise levels where guidance applies")
    ap.add_argument("--sheet", default=None, help="write a contact sheet PNG here")
    args = ap.parse_args()
    runtime.setup_threads()
    model, meta = load_weights(Path(args.weights))
    vae = load_vae(Path(args.vae))[0].eval()
    tok = WordTokenizer.for_world()
    prompts = SINGLE_PROMPTS + TWO_PROMPTS[:4]
    ids, mask = tok.batch(prompts + [""])
    text = model.text_encoder(ids, mask)
    g = torch.Generator().manual_seed(0)
    verdicts, clips = [], []
    for i, p in enumerate(prompts):
        noise = torch.randn(1, 32, 5, 8, 8, generator=g)
        z = sample(model.dit, text[i:i + 1], mask[i:i + 1], text[-1:], mask[-1:], noise, steps=args.steps,
                   guidance=args.guidance, guidance_interval=tuple(args.interval))
        video = data.to_uint8(vae.decoder(z / meta["latent_scale"] + meta["latent_shift"]))[0]
        verdicts.append(judge.judge(video, p))
        clips.append(video)
    single = judge.summarize(verdicts[:len(SINGLE_PROMPTS)])
    two = judge.summarize(verdicts[len(SINGLE_PROMPTS):])
    print(json.dumps({"step": meta["step"], "guidance": args.guidance, "interval": args.interval,
                      "single": single, "two": two}))
    if args.sheet:
        contact_sheet(clips, Path(args.sheet))


if __name__ == "__main__":
    main()
