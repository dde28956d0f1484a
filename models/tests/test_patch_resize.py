"""Refining a trained DiT's patches (patch_resize.py) keeps what its blocks compute."""
import pytest
import torch

from tessera.dit import DiT, DiTConfig, rope_3d
from tessera.patch_resize import refine_patches, resize_patch_in, resize_patch_out

C = 4
OLD, NEW = (1, 4, 4), (1, 2, 2)


def upsample(x):  # (..., T, H, W) nearest, x2 in H and W
    return x.repeat_interleave(2, -2).repeat_interleave(2, -1)


def test_input_projection_embeds_a_fine_patch_as_the_coarse_one_embeds_it_upsampled():
    torch.manual_seed(0)
    w = torch.randn(8, C * 16)
    fine = torch.randn(C, 1, 2, 2)
    got = resize_patch_in(w, C, OLD, NEW) @ fine.reshape(-1)
    want = w @ upsample(fine).reshape(-1)
    assert torch.allclose(got, want, atol=1e-5)


def test_output_projection_reads_the_coarse_prediction_back_downsampled():
    torch.manual_seed(0)
    w, b, h = torch.randn(C * 16, 8), torch.randn(C * 16), torch.randn(8)
    wf, bf = resize_patch_out(w, b, C, OLD, NEW)
    coarse = (w @ h + b).reshape(C, 1, 4, 4)
    want = coarse.reshape(C, 1, 2, 2, 2, 2).mean(dim=(3, 5))  # each fine cell: the mean of its 2x2 offsets
    assert torch.allclose((wf @ h + bf).reshape(C, 1, 2, 2), want, atol=1e-5)


def test_scaled_rotary_positions_put_fine_tokens_where_the_coarse_ones_were():
    cos4, sin4 = rope_3d(2, 4, 4, 32, 100.0, "cpu")
    cos8, sin8 = rope_3d(2, 8, 8, 32, 100.0, "cpu", space_scale=0.5)
    def every_other(table):  # the 8x8 grid's tokens at even h and w: where the 4x4 grid's tokens sit
        return table.reshape(2, 8, 8, -1)[:, ::2, ::2].reshape(-1, table.shape[-1])

    assert torch.allclose(every_other(cos8), cos4, atol=1e-6)
    assert torch.allclose(every_other(sin8), sin4, atol=1e-6)


def test_refined_model_keeps_the_blocks_and_serves_finer_latents():
    torch.manual_seed(0)
    coarse = DiT(DiTConfig(latent_channels=C, patch=OLD, dim=32, depth=2, heads=2, text_dim=16, abs_pos=True)).eval()
    for p in coarse.parameters():  # undo the zero init so the copy is checked on real values
        torch.nn.init.normal_(p, std=0.05)
    fine = refine_patches(coarse, NEW).eval()
    assert fine.cfg.patch == NEW and fine.cfg.position_scale == 0.5
    assert coarse.cfg.patch == OLD and coarse.patch_in.weight.shape[1] == (2 * C + 1) * 16  # the source is untouched
    for name, p in fine.state_dict().items():
        if not name.startswith(("patch_in.", "patch_out.")):
            assert torch.equal(p, coarse.state_dict()[name]), name
    lat = torch.randn(1, C, 2, 6, 10)  # divisible by 2 but not by 4: only the fine model takes it
    out = fine(lat, torch.tensor([0.5]), torch.randn(1, 3, 16), torch.ones(1, 3), torch.zeros_like(lat),
               torch.zeros(1, 1, 2, 6, 10))
    assert out.shape == lat.shape and torch.isfinite(out).all()


def test_refinement_must_divide_the_patch():
    coarse = DiT(DiTConfig(latent_channels=C, patch=OLD, dim=32, depth=1, heads=2, text_dim=16))
    with pytest.raises(ValueError, match="must divide"):
        refine_patches(coarse, (1, 3, 3))
