import pytest
import torch

from tessera.train_vae import make_vae

# (spatial compression, latent channels): the shipped 16x design and the 8x one under test
DESIGNS = [(16, 32), (8, 16)]


def small_vae(spatial: int = 16, channels: int = 32):
    torch.manual_seed(0)
    return make_vae("tiny", spatial, channels).eval()


@pytest.mark.parametrize("spatial,channels", DESIGNS)
def test_shapes_any_length_and_aspect(spatial, channels):
    vae = small_vae(spatial, channels)
    for F, H, W in [(1, 64, 64), (9, 64, 96), (17, 96, 64)]:
        x = torch.rand(1, 3, F, H, W) * 2 - 1
        mean, logvar = vae.encoder(x)
        assert mean.shape == (1, channels, 1 + (F - 1) // 4, H // spatial, W // spatial)
        assert vae.decoder(mean).shape == (1, 3, F, H, W)


def test_only_8x_and_16x_are_built():
    with pytest.raises(ValueError, match="8 or 16"):
        make_vae("tiny", 4, 16)


@pytest.mark.parametrize("spatial,channels", DESIGNS)
@torch.no_grad()
def test_encoder_and_decoder_are_causal(spatial, channels):
    vae = small_vae(spatial, channels)
    x = torch.rand(1, 3, 9, 64, 64) * 2 - 1
    z = vae.encoder(x)[0]
    y = x.clone()
    y[:, :, 5:] = torch.rand_like(y[:, :, 5:])  # change frames 5..8: latents 0 and 1 see frames <= 4
    z2 = vae.encoder(y)[0]
    assert torch.allclose(z[:, :, :2], z2[:, :, :2], atol=1e-5)
    assert not torch.allclose(z[:, :, 2], z2[:, :, 2], atol=1e-3)
    # a still image is a one-frame clip: frame 0 alone gives latent 0
    assert torch.allclose(vae.encoder(x[:, :, :1])[0][:, :, 0], z[:, :, 0], atol=1e-5)
    d = vae.decoder(z)
    z3 = z.clone()
    z3[:, :, 2] += 1.0
    d3 = vae.decoder(z3)
    assert torch.allclose(d[:, :, :5], d3[:, :, :5], atol=1e-5)  # frames 0..4 do not see latent 2
    assert not torch.allclose(d[:, :, 5:], d3[:, :, 5:], atol=1e-4)


def test_palette_head_outputs_palette_mixtures():
    vae = small_vae()
    out = vae.decoder(torch.randn(1, 32, 2, 4, 4))
    assert out.min() >= -1.0 - 1e-5 and out.max() <= 1.0 + 1e-5


@torch.no_grad()
def test_half_size_stage_keeps_encoder_and_causality():
    from tessera.train_vae import with_half_stage

    vae = small_vae()
    half = with_half_stage(vae, 16).eval()
    assert half.cfg.decoder_half_width == 16
    x = torch.rand(1, 3, 9, 64, 96) * 2 - 1
    z = vae.encoder(x)[0]
    assert torch.equal(half.encoder(x)[0], z)  # same latent space: a trained DiT stays valid
    # every decoder weight before the new stage carries over; the stage, its norm and the head
    # (now 2x2 pixels per position) are fresh
    old = vae.decoder.state_dict()
    fresh = ("out.", "norm.", "up_half.", "block_half.")
    for k, v in half.decoder.state_dict().items():
        assert k.startswith(fresh) or torch.equal(v, old[k]), k
    d = half.decoder(z)
    assert d.shape == (1, 3, 9, 64, 96)
    z2 = z.clone()
    z2[:, :, 2] += 1.0
    d2 = half.decoder(z2)
    assert torch.allclose(d[:, :, :5], d2[:, :, :5], atol=1e-5)
    assert not torch.allclose(d[:, :, 5:], d2[:, :, 5:], atol=1e-4)


def test_decoder_only_training_decodes_the_mean():
    from tessera.train_vae import Reconstruction

    vae = small_vae()
    x = torch.rand(1, 3, 5, 32, 32) * 2 - 1
    with torch.no_grad():
        a = Reconstruction(vae, sample=False)(x)[0]
        b = Reconstruction(vae, sample=False)(x)[0]
        c = Reconstruction(vae, sample=True)(x)[0]
    assert torch.equal(a, b) and not torch.equal(a, c)


def test_small_objects_weigh_more_and_the_background_does_not():
    from tessera.train_vae import small_object_weight

    labels = torch.zeros(2, 3, 64, 64, dtype=torch.long)  # label 0 is the background everywhere
    labels[:, :, 10:20, 10:20] = 3  # a 100-pixel object
    labels[:, :, 30:60, 30:60] = 5  # a 900-pixel object
    w = small_object_weight(labels, ref_area=900.0, cap=6.0)
    assert w.shape == labels.shape
    assert torch.all(w[labels == 0] == 1) and torch.all(w[labels == 5] == 1)
    assert torch.all(w[labels == 3] == 6.0)  # 900 / 100 = 9, capped at 6
    labels[1, :, :, :] = 7  # a frame that is all one colour is all background
    labels[1, :, 0:30, 0:30] = 2  # 900 pixels: ref_area / 900 = 1
    w = small_object_weight(labels, ref_area=1800.0, cap=6.0)
    assert torch.all(w[1][labels[1] == 7] == 1) and torch.all(w[1][labels[1] == 2] == 2.0)


def test_edge_weight_boosts_a_band_of_the_asked_width_around_label_boundaries():
    from tessera.train_vae import edge_weight

    labels = torch.zeros(1, 2, 8, 12, dtype=torch.long)
    labels[..., 6:] = 3  # one vertical boundary between columns 5 and 6
    one = edge_weight(labels, 4.0)
    assert torch.equal((one[0, 0, 0] > 1).nonzero().flatten(), torch.tensor([5, 6]))
    three = edge_weight(labels, 4.0, width=3)
    assert torch.equal((three[0, 1, 4] > 1).nonzero().flatten(), torch.tensor([3, 4, 5, 6, 7, 8]))
    assert three.max() == 5.0 and three.min() == 1.0


def test_anchor_holds_the_encoder_near_its_reference():
    """latent_drift is 0 for the reference itself, scale-free, and --anchor-weight adds it to the
    loss (with its gradient reaching the encoder) and reports it."""
    from tessera.train_vae import Reconstruction, latent_drift, vae_loss

    ref = torch.randn(2, 16, 3, 4, 4)
    assert float(latent_drift(ref, ref)) == 0.0
    assert abs(float(latent_drift(1.1 * ref, ref)) - 0.01) < 1e-6  # a 10% move is 1% of the energy
    assert abs(float(latent_drift(11 * ref, 10 * ref)) - 0.01) < 1e-6
    torch.manual_seed(0)
    vae = make_vae("tiny", 8, 16)
    anchor = make_vae("tiny", 8, 16).encoder.requires_grad_(False)  # another encoder: drift > 0
    video = torch.rand(1, 3, 5, 32, 32) * 2 - 1
    labels = torch.randint(0, len(vae.cfg.palette), (1, 5, 32, 32))
    plain, parts = vae_loss(Reconstruction(vae, sample=False), video, labels, 1e-3, 4.0)
    assert "drift" not in parts
    held, parts = vae_loss(Reconstruction(vae, sample=False), video, labels, 1e-3, 4.0, anchor=anchor, anchor_weight=5.0)
    assert parts["drift"] > 0
    assert abs(float(held - plain) - 5.0 * parts["drift"]) < 1e-4
    held.backward()
    assert vae.encoder.out.weight.grad is not None and vae.encoder.out.weight.grad.abs().sum() > 0
