"""Rebuilds the trainable text encoder + DiT from an exported pack, so training can resume from the
pack in git (it holds the EMA weights in float32) without a second copy of the weights.

    python -m tessera.train_dit --from-pack packs/tessera-tiny --minutes 60

ONNX export renames weights: a Linear's weight becomes a transposed, anonymously numbered MatMul
initializer, the text encoder's fused q/k/v projection is split in three, and equal initializers
are merged. So the mapping is read off a reference export of the same code: a model built from the
pack's own `config.json` files and filled with seeded random values (every value then identifies
the one parameter it came from). Both graphs have the same nodes in the same order, each reference
initializer is paired with the pack's at the same node input, and matched by value to the
reference parameter (whole or a third, transposed or not) it came from. No `.pt` file is needed.
"""
from __future__ import annotations

import json
import tempfile
from pathlib import Path

import numpy as np
import onnx
import torch
from onnx import numpy_helper

from .export import TextGraph, example_inputs, export_graph
from .fp16_storage import float32_view
from .tokenizer import WordTokenizer
from .dit import DiTConfig, TextConfig
from .train_dit import TesseraModel
from .vae import VideoAutoencoder, VAEConfig


def paired_initializers(ref_path: Path, pack_path: Path) -> list[tuple[np.ndarray, np.ndarray]]:
    """(reference value, pack value) for every reference initializer used by a node. Weights the
    pack stores as float16 (fp16_storage.py) are read through their Casts, as float32."""
    ref = onnx.load(str(ref_path)).graph
    pack_nodes, pack_values = float32_view(onnx.load(str(pack_path)).graph)
    if [n.op_type for n in ref.node] != [n.op_type for n in pack_nodes]:
        raise ValueError(f"{pack_path}: its graph differs from this code's export of the same architecture "
                         "(exported by an older version of the model code, or another torch version?)")
    slot: dict[str, str] = {}
    for nr, npk in zip(ref.node, pack_nodes):
        for a, b in zip(nr.input, npk.input):
            slot.setdefault(a, b)
    return [(numpy_helper.to_array(i), pack_values[slot[i.name]]) for i in ref.initializer if i.name in slot]


def _views(p: torch.Tensor):
    """Ways an exported initializer can hold a parameter: whole or a third, transposed or not."""
    parts = [(None, p)] + ([(k, c) for k, c in enumerate(p.chunk(3))] if p.shape[0] % 3 == 0 else [])
    for k, part in parts:
        yield k, False, part
        if part.dim() == 2:
            yield k, True, part.T


def restore(module: torch.nn.Module, pairs: list[tuple[np.ndarray, np.ndarray]], graph: str) -> None:
    """Overwrites `module`'s parameters (holding the reference weights) with the pack's values."""
    reference = {n: p.detach().clone() for n, p in module.named_parameters()}
    params = dict(module.named_parameters())
    covered: set[str] = set()
    for value, stored in pairs:
        for pname, ref in reference.items():
            hit = next(((k, tr) for k, tr, v in _views(ref)
                        if tuple(v.shape) == value.shape and np.array_equal(v.numpy(), value)), None)
            if hit is None:
                continue
            k, transposed = hit
            target = params[pname].data if k is None else params[pname].data.chunk(3)[k]
            src = torch.from_numpy(stored.copy())
            target.copy_(src.T if transposed else src)
            covered.add(pname)
    missing = set(params) - covered
    if missing:
        raise ValueError(f"{graph}: no initializer found for {sorted(missing)[:5]}")


def _config(pack: Path, graph: str) -> dict:
    return json.loads((pack / graph / "config.json").read_text())


@torch.no_grad()
def random_reference(pack: Path, seed: int = 0) -> TesseraModel:
    """A model of the pack's architecture whose every parameter holds distinct random values.

    Training keeps two biases equal (t_embed's and pool_embed's last: both start at zero and both
    add to the same conditioning vector, so they get the same gradient), and the exporter merges
    equal initializers into one. The reference repeats that equality so its graph has the pack's
    nodes."""
    text_cfg = TextConfig(**_config(pack, "text_encoder"))
    dit_raw = _config(pack, "transformer")
    model = TesseraModel(text_cfg, DiTConfig(**{**dit_raw, "patch": tuple(dit_raw["patch"])}))
    gen = torch.Generator().manual_seed(seed)
    for p in model.parameters():
        p.copy_(torch.randn(p.shape, generator=gen) * 0.05)
    model.dit.pool_embed[-1].bias.copy_(model.dit.t_embed[-1].bias)
    return model.eval()


def pack_vae(pack: Path) -> VideoAutoencoder:
    """An (untrained) autoencoder of the pack's latent shape, for example inputs."""
    raw = _config(pack, "vae_encoder")
    return VideoAutoencoder(VAEConfig(**{**raw, "widths": tuple(raw["widths"])}))


@torch.no_grad()
def load_from_pack(pack: Path) -> tuple[TesseraModel, dict]:
    """The text encoder + DiT exactly as the pack's graphs hold them, and the training metadata."""
    model = random_reference(pack)
    ex = example_inputs(model, pack_vae(pack), WordTokenizer.for_world(model.text_encoder.cfg.max_length))
    with tempfile.TemporaryDirectory() as tmp:
        for graph, module, owner in (("text_encoder", TextGraph(model.text_encoder), model.text_encoder),
                                     ("transformer", model.dit, model.dit)):
            ref_path = Path(tmp) / graph / "model.onnx"
            export_graph(module, ex[graph], ref_path, graph)
            restore(owner, paired_initializers(ref_path, pack / graph / "model.onnx"), graph)
    index = json.loads((pack / "model_index.json").read_text())
    t = index.get("training", {})
    meta = {"step": t.get("step", 0), "samples": t.get("samples", 0),
            "latent_shift": index["vae"]["shift_factor"], "latent_scale": index["vae"]["scaling_factor"]}
    return model, meta
