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


@torch.no_grad()
def test_a_pack_with_parts_added_since_the_shipped_one_rebuilds_its_model(tmp_path):
    """Parts added since the shipped pack (DiTConfig.caption_pool, output_head) resume from a pack too."""
    from tessera import export
    from tessera.dit import DiTConfig, TextConfig
    from tessera.from_pack import random_reference
    from tessera.train_dit import TesseraModel
    from tessera.train_vae import make_vae

    tok = WordTokenizer.for_world()
    vae = make_vae(spatial=8, latent_channels=16).eval()
    meta = {"latent_shift": 0.1, "latent_scale": 1.5, "step": 7}
    untrained = TesseraModel(TextConfig(vocab_size=len(tok.vocab), dim=64, depth=1, word_skip=True),
                             DiTConfig(latent_channels=16, dim=64, depth=2, heads=2, text_dim=64, patch=(1, 4, 4),
                                       abs_pos=True, caption_positions=True, caption_pool=3, output_head=48))
    export.write_pack(tmp_path / "config", untrained, vae, meta, "0.0.0-test")
    trained = random_reference(tmp_path / "config")  # every weight distinct, as after training
    for p in trained.parameters():
        p.copy_(p.half().float())  # the pack stores float16 values
    export.write_pack(tmp_path / "pack", trained, vae, meta, "0.0.0-test")
    rebuilt, got_meta = load_from_pack(tmp_path / "pack")
    assert (rebuilt.dit.cfg.caption_pool, rebuilt.dit.cfg.output_head, got_meta["step"]) == (3, 48, 7)
    args = example_inputs(trained, vae, tok)["transformer"]
    assert torch.allclose(rebuilt.dit(*args), trained.dit(*args), atol=1e-5)
    for (name, a), (_, b) in zip(trained.named_parameters(), rebuilt.named_parameters()):
        assert torch.equal(a, b), name
