"""Decoder fine-tuning on the DiT's refined latents: crops, loss regions, pool and the pack swap."""
import json
import random

import numpy as np
import onnxruntime as ort
import pytest
import torch

from tessera import export
from tessera.sampling import schedule
from tessera.train_decoder import (CLIP, CROP_CELLS, MARGIN, batch_from_pool, clip_for, decoder_loss,
                                   inner_mask, object_crop)
from tessera.train_vae import make_vae, save_weights
from tessera.vae import VideoAutoencoder


def test_loss_region_drops_only_inner_crop_edges():
    size = CROP_CELLS * 8
    top_left = inner_mask(0, 0, 128, 128)  # touches the frame's top and left edges
    assert top_left[:MARGIN, MARGIN:-MARGIN].all() and top_left[MARGIN:-MARGIN, :MARGIN].all()
    assert not top_left[-MARGIN:].any() and not top_left[:, -MARGIN:].any()
    middle = inner_mask(2, 2, 192, 192)
    assert middle.sum() == (size - 2 * MARGIN) ** 2


def test_crops_hold_an_object_and_fit_the_frame():
    rng = random.Random(0)
    for seed in range(6):
        _, labels, _ = clip_for(seed)
        _, F_, H, W = labels.shape
        y, x = object_crop(labels, rng)
        assert 0 <= y <= H // 8 - CROP_CELLS and 0 <= x <= W // 8 - CROP_CELLS
        crop = labels[0, :, y * 8:(y + CROP_CELLS) * 8, x * 8:(x + CROP_CELLS) * 8]
        background = labels[0].flatten().mode().values
        assert (crop != background).any()  # an object is in view on some frame


def test_pool_clips_are_reproducible_from_their_seed():
    a, b = clip_for(5), clip_for(5)
    assert torch.equal(a[0], b[0]) and a[2] == b[2]
    assert a[0].shape == (1, 3, CLIP[2], CLIP[1], CLIP[0])
    assert not torch.equal(a[0], clip_for(6)[0])


def test_loss_ignores_pixels_outside_the_region():
    torch.manual_seed(0)
    vae = make_vae(spatial=8, latent_channels=4)
    z = torch.randn(1, 4, 2, 4, 4)
    video = torch.rand(1, 3, 5, 32, 32) * 2 - 1
    labels = torch.randint(0, 11, (1, 5, 32, 32))
    region = torch.zeros(1, 32, 32)
    region[:, 8:24, 8:24] = 1
    loss, _ = decoder_loss(vae.decoder, z, video, labels, region)
    changed = video.clone()
    changed[..., :8, :] = -1  # (labels outside still count: they set the edge and small-object weights)
    assert torch.allclose(decoder_loss(vae.decoder, z, changed, labels, region)[0], loss)
    changed[..., 10, 10] = 1
    assert not torch.allclose(decoder_loss(vae.decoder, z, changed, labels, region)[0], loss)


def test_batches_crop_latents_and_pixels_alike():
    pool = {"clean": torch.randn(3, 16, 5, 16, 16).half(), "refined": torch.randn(3, 16, 5, 16, 16).half(),
            "t0": torch.tensor([0.36] * 3), "latent_shift": 0.5, "latent_scale": 2.0}
    z, video, labels, region = batch_from_pool(pool, [0, 2], [False, True], random.Random(1))
    assert z.shape == (2, 16, 5, CROP_CELLS, CROP_CELLS)
    assert video.shape == (2, 3, 17, CROP_CELLS * 8, CROP_CELLS * 8) and labels.shape == (2, 17, 80, 80)
    assert region.shape == (2, 80, 80)
    # unnormalised as the decoder takes it: z / scale + shift, from the pool the flag names
    clean0 = pool["clean"][0].float() / 2.0 + 0.5
    assert any(torch.allclose(z[0], clean0[..., y:y + CROP_CELLS, x:x + CROP_CELLS])
               for y in range(7) for x in range(7))


def _mini_pack(tmp_path, vae: VideoAutoencoder):
    pack = tmp_path / "pack"
    h = 128 // vae.cfg.spatial
    export.export_graph(export.EncoderGraph(vae.eval()), (torch.rand(1, 3, 9, 128, 128) * 2 - 1,),
                        pack / "vae_encoder" / "model.onnx", "vae_encoder")
    export.export_graph(export.DecoderGraph(vae), (torch.randn(1, vae.cfg.latent_channels, 3, h, h),),
                        pack / "vae_decoder" / "model.onnx", "vae_decoder")
    (pack / "model_index.json").write_text(json.dumps({"graphs": {"vae_decoder": {"path": "vae_decoder/model.onnx"}}}))
    return pack


@pytest.mark.parametrize("same_encoder", [True, False])
def test_decoder_swap_needs_the_same_encoder(tmp_path, same_encoder):
    torch.manual_seed(0)
    vae = make_vae(spatial=8, latent_channels=4).half().float()  # float16 values, as packs and weights files hold
    pack = _mini_pack(tmp_path, vae)
    tuned = make_vae(spatial=8, latent_channels=4)
    if same_encoder:
        tuned.encoder.load_state_dict(vae.encoder.state_dict())
    save_weights(tuned, tmp_path / "tuned.pt", {"step": 9, "decoder_refined_steps": 3})
    if not same_encoder:
        with pytest.raises(ValueError, match="differs"):
            export.replace_decoder(pack, tmp_path / "tuned.pt")
        return
    export.replace_decoder(pack, tmp_path / "tuned.pt")
    index = json.loads((pack / "model_index.json").read_text())
    assert index["graphs"]["vae_decoder"]["training"]["decoder_refined_steps"] == 3
    assert not (pack / "vae_decoder" / "model.onnx.part").exists()
    sess = ort.InferenceSession(str(pack / "vae_decoder" / "model.onnx"), providers=["CPUExecutionProvider"])
    z = torch.randn(1, 4, 2, 16, 24)
    with torch.no_grad():
        want = tuned.half().float().decoder(z).numpy()  # the file holds float16 weights
        before = vae.decoder(z).numpy()
    got = sess.run(None, {"latent": z.numpy()})[0]
    # the tuned decoder now (export parity proper, < 1e-4, is test_export's), not the old one
    assert np.abs(got - want).max() < 1e-3 < np.abs(got - before).max()


def test_autoencoder_swap_needs_latents_near_the_packs(tmp_path):
    """--autoencoder-only replaces both graphs when the new encoder's latents moved little (an
    --anchor-weight run), and refuses, leaving the pack as it was, when they moved far."""
    torch.manual_seed(0)
    vae = make_vae(spatial=8, latent_channels=4).half().float()
    pack = _mini_pack(tmp_path, vae)
    index = json.loads((pack / "model_index.json").read_text())
    index["graphs"]["vae_encoder"] = {"path": "vae_encoder/model.onnx"}
    (pack / "model_index.json").write_text(json.dumps(index))
    near = make_vae(spatial=8, latent_channels=4)
    near.load_state_dict(vae.state_dict())
    with torch.no_grad():  # a small move of the encoder's output, and another decoder
        near.encoder.out.bias.add_(0.01)
        near.decoder.out.bias.add_(0.5)
    save_weights(near, tmp_path / "near.pt", {"step": 12})
    far = make_vae(spatial=8, latent_channels=4)  # another random encoder entirely
    save_weights(far, tmp_path / "far.pt", {"step": 1})
    before = {n: (pack / n / "model.onnx").read_bytes() for n in ("vae_encoder", "vae_decoder")}
    with pytest.raises(ValueError, match="moved"):
        export.replace_autoencoder(pack, tmp_path / "far.pt")
    assert all((pack / n / "model.onnx").read_bytes() == b for n, b in before.items())
    meta = export.replace_autoencoder(pack, tmp_path / "near.pt")
    assert 0 < meta["encoder_drift"] < export.MAX_ENCODER_DRIFT
    index = json.loads((pack / "model_index.json").read_text())
    assert index["graphs"]["vae_encoder"]["training"]["step"] == 12
    assert not list(pack.rglob("*.part"))
    video = torch.rand(1, 3, 5, 128, 128) * 2 - 1
    enc = ort.InferenceSession(str(pack / "vae_encoder" / "model.onnx"), providers=["CPUExecutionProvider"])
    dec = ort.InferenceSession(str(pack / "vae_decoder" / "model.onnx"), providers=["CPUExecutionProvider"])
    near = near.half().float()  # the files hold float16 weights
    with torch.no_grad():
        z = near.encoder(video)[0]
        want = near.decoder(z).numpy()
    got = dec.run(None, {"latent": enc.run(None, {"video": video.numpy()})[0]})[0]
    assert np.abs(got - want).max() < 1e-3


def test_pool_refines_with_the_packs_own_schedule():
    """The shipped pack's DiT refines two clips from one of its schedule's last points; the result
    differs from the encoder's latents but stays near them (low noise keeps the layout)."""
    from pathlib import Path

    from tessera.train_decoder import REFINE_LAST, build_pool
    from tessera.train_vae import load_weights

    root = Path(__file__).resolve().parent.parent
    pack = root / "packs" / "tessera-tiny"
    index = json.loads((pack / "model_index.json").read_text())
    shift = json.loads((pack / "scheduler" / "scheduler_config.json").read_text())["shift"]
    steps = index["default"]["steps"]
    vae = load_weights(root / "weights" / "vae8.pt")[0].eval()
    pool = build_pool(pack, vae, 2, log=lambda *a, **k: None)
    assert pool["clean"].shape == pool["refined"].shape == (2, 16, 5, 16, 16)
    starts = schedule(steps, shift)[steps - REFINE_LAST:steps]
    assert any(abs(float(pool["t0"][0]) - t) < 1e-6 for t in starts)
    clean, refined = pool["clean"].float(), pool["refined"].float()
    change = (refined - clean).pow(2).mean().sqrt()
    assert 0 < change < 0.5 * clean.std()
