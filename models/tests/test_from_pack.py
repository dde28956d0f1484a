"""Training resumes from the pack: the DiT rebuilt from the shipped ONNX graphs reproduces them."""
import os
from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest
import torch

from tessera.export import example_inputs
from tessera.from_pack import load_from_pack, pack_vae
from tessera.tokenizer import WordTokenizer

ROOT = Path(__file__).resolve().parent.parent
PACK = Path(os.environ.get("TESSERA_TEST_PACK") or ROOT / "packs" / "tessera-tiny")


@pytest.mark.skipif(not (PACK / "model_index.json").exists(), reason="no pack")
@torch.no_grad()
def test_dit_rebuilt_from_pack_matches_its_graph():
    """No .pt file takes part: the pack's graphs alone rebuild the trainable model."""
    model, meta = load_from_pack(PACK)
    assert meta["step"] > 0
    ex = example_inputs(model, pack_vae(PACK), WordTokenizer.for_world())
    args = ex["transformer"]
    names = ["latents", "timestep", "text_embeds", "text_mask", "context", "context_mask"]
    sess = ort.InferenceSession(str(PACK / "transformer" / "model.onnx"), providers=["CPUExecutionProvider"])
    onnx_out = sess.run(None, {n: a.numpy() for n, a in zip(names, args)})[0]
    torch_out = model.dit(*args).numpy()
    assert np.abs(onnx_out - torch_out).max() < 1e-4
    ids, mask = ex["text_encoder"]
    text_sess = ort.InferenceSession(str(PACK / "text_encoder" / "model.onnx"), providers=["CPUExecutionProvider"])
    text_onnx = text_sess.run(None, {"input_ids": ids.numpy(), "attention_mask": mask.numpy()})[0]
    assert np.abs(text_onnx - model.text_encoder(ids, mask).numpy()).max() < 1e-4
