import torch

from tessera.train_vae import make_vae


def small_vae():
    torch.manual_seed(0)
    return make_vae().eval()


def test_shapes_any_length_and_aspect():
    vae = small_vae()
    for F, H, W in [(1, 64, 64), (9, 64, 96), (17, 96, 64)]:
        x = torch.rand(1, 3, F, H, W) * 2 - 1
        mean, logvar = vae.encoder(x)
        assert mean.shape == (1, 32, 1 + (F - 1) // 4, H // 16, W // 16)
        assert vae.decoder(mean).shape == (1, 3, F, H, W)


@torch.no_grad()
def test_encoder_and_decoder_are_causal():
    vae = small_vae()
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
