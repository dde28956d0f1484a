import random

import pytest
import torch

from tessera.dit import DiT, DiTConfig, TextConfig, TextEncoder
from tessera.tokenizer import WordTokenizer
from tessera.train_dit import context_mask_for, flow_loss, training_timesteps, TesseraModel


def tiny():
    torch.manual_seed(0)
    tok = WordTokenizer.for_world()
    return tok, TesseraModel(TextConfig(vocab_size=len(tok.vocab), dim=64, depth=1),
                             DiTConfig(latent_channels=8, dim=64, depth=2, heads=2, text_dim=64))


@torch.no_grad()
def tiny_live():
    """tiny() in eval mode with adaLN-zero undone, so the output depends on the input."""
    tok, model = tiny()
    model.eval()
    for p in model.dit.parameters():
        if p.dim() > 1 and float(p.abs().sum()) == 0:
            p.normal_(std=0.05)
    return tok, model


def test_any_latent_size_and_zero_init():
    tok, m = tiny()
    ids, mask = tok.batch(["a red circle moving right on a black background"])
    text = m.text_encoder(ids, mask)
    for T, H, W in [(1, 8, 8), (5, 8, 12), (9, 12, 8)]:
        x = torch.randn(1, 8, T, H, W)
        v = m.dit(x, torch.tensor([0.5]), text, mask.float(), torch.zeros_like(x), torch.zeros(1, 1, T, H, W))
        assert v.shape == x.shape
        assert v.abs().max() == 0  # adaLN-zero: output layer starts at zero


def test_padding_does_not_change_text_embeddings():
    tok, m = tiny()
    ids, mask = tok.batch(["a red circle moving right on a black background"])
    e1 = m.text_encoder(ids, mask)
    ids2 = ids.clone()
    ids2[mask == 0] = 5  # garbage in padded positions
    e2 = m.text_encoder(ids2, mask)
    n = int(mask.sum())
    assert torch.allclose(e1[:, :n], e2[:, :n], atol=1e-5)


def test_context_masks_cover_every_mode():
    rng = random.Random(0)
    assert context_mask_for("t2v", 5, rng).sum() == 0
    assert context_mask_for("first", 5, rng).tolist() == [1, 0, 0, 0, 0]
    fl = context_mask_for("first_last", 5, rng).tolist()
    assert fl == [1, 0, 0, 0, 1]
    fk = context_mask_for("first_k", 5, rng)
    assert fk[0] == 1 and fk[-1] == 0
    lk = context_mask_for("last_k", 5, rng)
    assert lk[-1] == 1 and lk[0] == 0


def test_training_timesteps_put_the_asked_share_next_to_pure_noise():
    rng = random.Random(0)
    plain = training_timesteps(20000, 4.0, 0.0, 0.95, rng)
    mixed = training_timesteps(20000, 4.0, 0.25, 0.95, rng)
    assert 0 < plain.min() and plain.max() < 1
    assert (plain > 0.97).float().mean() < 0.03  # what the shifted logit-normal alone gives
    high = (mixed >= 0.95).float().mean().item()
    assert abs(high - (0.25 + (plain >= 0.95).float().mean().item() * 0.75)) < 0.015
    assert mixed.max() <= 1.0 and (mixed > 0.99).float().mean() > 0.04
    assert torch.equal(training_timesteps(8, 4.0, 0.5, 0.9, random.Random(3)),
                       training_timesteps(8, 4.0, 0.5, 0.9, random.Random(3)))


def test_loss_ignores_context_frames_and_learns():
    tok, m = tiny()
    ids, mask = tok.batch(["a red circle moving right on a black background"] * 4)
    z0 = torch.randn(4, 8, 3, 4, 4)
    cm = torch.tensor([[1.0, 0, 0]] * 4)
    opt = torch.optim.Adam(m.parameters(), 3e-3)
    torch.manual_seed(1)
    first = None
    for _ in range(60):
        loss = flow_loss(m, z0, ids, mask, cm, torch.full((4,), 0.5))
        first = first or loss.item()
        opt.zero_grad(); loss.backward(); opt.step()
    assert loss.item() < 0.7 * first


def test_dit_over_an_8x_autoencoder_keeps_the_token_count_and_warm_starts_its_blocks():
    from tessera.train_dit import dit_config_for, warm_start
    from tessera.train_vae import make_vae

    tok = WordTokenizer.for_world()
    text_cfg = TextConfig(vocab_size=len(tok.vocab))
    old = TesseraModel(text_cfg, dit_config_for("tiny", make_vae("tiny", 16, 32)))
    new = TesseraModel(text_cfg, dit_config_for("tiny", make_vae("tiny", 8, 16)))
    assert (old.dit.cfg.patch, new.dit.cfg.patch) == ((1, 2, 2), (1, 4, 4))
    x16, x8 = torch.zeros(1, 32, 5, 8, 8), torch.zeros(1, 16, 5, 16, 16)  # one 128x128x17 clip each
    assert old.dit.patchify(x16).shape[1] == new.dit.patchify(x8).shape[1] == 80
    with torch.no_grad():
        for p in old.parameters():
            p.normal_()
    fresh = warm_start(new, old)
    assert fresh == ["dit.patch_in.weight", "dit.patch_out.bias", "dit.patch_out.weight"]  # shapes that differ
    assert torch.equal(new.dit.blocks[3].attn.qkv.weight, old.dit.blocks[3].attn.qkv.weight)
    assert torch.equal(new.text_encoder.embed.weight, old.text_encoder.embed.weight)


def test_word_skip_is_added_to_a_trained_model_and_separates_every_word():
    from tessera.train_dit import upgrade

    tok, model = tiny()
    model.eval()
    upgraded = upgrade(model, word_skip=True, abs_pos=False).eval()
    assert upgraded.text_encoder.cfg.word_skip and not model.text_encoder.cfg.word_skip
    ids, mask = tok.batch(["a red circle moving right on a black background", "a red circle moving left on a black background"])
    with torch.no_grad():
        out, base = upgraded.text_encoder(ids, mask), model.text_encoder(ids, mask)
        skip = upgraded.text_encoder.word_skip.weight
        # Every other weight is kept: the outputs move by the word path alone.
        assert torch.allclose(out - base, skip[ids], atol=1e-6)
        # The one word that differs reaches its own position distinctly, whatever the layers do.
        assert (out[0, 5] - out[1, 5]).norm() > 0.5 * (skip[tok.vocab["right"]] - skip[tok.vocab["left"]]).norm() > 0.5
        # The model and its EMA, upgraded apart, start from the same path.
        assert torch.equal(upgrade(model, True, False).text_encoder.word_skip.weight, skip)


@torch.no_grad()
def test_abs_pos_is_added_unchanged_then_tells_the_left_edge_from_the_right():
    from tessera.train_dit import upgrade

    tok, model = tiny_live()
    upgraded = upgrade(model, word_skip=False, abs_pos=True).eval()
    assert upgraded.dit.cfg.abs_pos and not model.dit.cfg.abs_pos
    ids, mask = tok.batch(["a red circle moving right on a black background"])
    text = model.text_encoder(ids, mask)
    x = torch.randn(1, 8, 3, 4, 6)
    args = (torch.tensor([0.9]), text, mask.float(), torch.zeros_like(x), torch.zeros(1, 1, 3, 4, 6))
    assert torch.allclose(upgraded.dit(x, *args), model.dit(x, *args), atol=1e-6)  # starts at zero
    # Rotary positions are relative: a clip that is the same everywhere gets the same velocity
    # everywhere. With clip fractions the left and right edges differ.
    flat = torch.ones(1, 8, 3, 4, 6)
    v = model.dit(flat, *args)
    assert torch.allclose(v[..., :2], v[..., -2:], atol=1e-5)  # the first and last columns of 1x2x2 patches
    upgraded.dit.abs_pos[-1].weight.normal_(std=0.05)
    v = upgraded.dit(flat, *args)
    assert (v[..., :2] - v[..., -2:]).abs().max() > 1e-3
    assert upgrade(model, False, True).dit.abs_pos[0].weight.equal(upgraded.dit.abs_pos[0].weight)  # seeded


@torch.no_grad()
def test_strengthen_positions_scales_faint_positions_to_the_asked_spread_and_never_weakens_them():
    from tessera.train_dit import position_spread, strengthen_positions, upgrade

    _, model = tiny()
    dit = upgrade(model, word_skip=False, abs_pos=True).dit
    dit.abs_pos[-1].weight.normal_(std=1e-3)  # faint, as 0.6.0's were
    faint = position_spread(dit)
    assert 0 < faint < 0.1
    direction = dit.abs_pos[-1].weight / dit.abs_pos[-1].weight.norm()
    assert abs(strengthen_positions(dit, 3.0) - faint) < 1e-7
    assert abs(position_spread(dit) - 3.0) < 1e-3
    assert torch.allclose(dit.abs_pos[-1].weight / dit.abs_pos[-1].weight.norm(), direction, atol=1e-6)  # what it learnt is kept
    strengthen_positions(dit, 1.0)  # already stronger: left alone
    assert abs(position_spread(dit) - 3.0) < 1e-3


@torch.no_grad()
def test_caption_positions_start_unchanged_then_let_one_word_move_the_object_s_place():
    from tessera.train_dit import upgrade

    tok, model = tiny_live()
    upgraded = upgrade(model, word_skip=False, abs_pos=False, caption_positions=True).eval()
    assert upgraded.dit.cfg.caption_positions and upgraded.dit.abs_pos is None
    ids, mask = tok.batch(["a red circle moving right on a black background", "a red circle moving left on a black background"])
    text = model.text_encoder(ids, mask)
    flat = torch.ones(2, 8, 3, 4, 6)
    args = (torch.tensor([1.0, 1.0]), text, mask.float(), torch.zeros_like(flat), torch.zeros(2, 1, 3, 4, 6))
    assert torch.allclose(upgraded.dit(flat, *args), model.dit(flat, *args), atol=1e-6)  # starts at zero
    upgraded.dit.caption_positions.weight.normal_(std=0.05)
    v = upgraded.dit(flat, *args)
    edges = v[..., :2] - v[..., -2:]  # first against last columns of 1x2x2 patches, per caption
    assert edges.abs().max() > 1e-3  # the place matters from a clip that is the same everywhere
    assert (edges[0] - edges[1]).abs().max() > 1e-3  # and one word changes how


@torch.no_grad()
def test_caption_pool_starts_unchanged_then_lets_the_shape_word_change_the_conditioning():
    from tessera.train_dit import upgrade

    tok, model = tiny_live()
    upgraded = upgrade(model, word_skip=False, abs_pos=False, caption_pool=3).eval()
    assert upgraded.dit.cfg.caption_pool == 3 and upgraded.dit.caption_positions is None
    ids, mask = tok.batch(["a red circle moving right on a black background", "a red square moving right on a black background"])
    text = model.text_encoder(ids, mask)
    noise = torch.randn(2, 8, 3, 4, 6, generator=torch.Generator().manual_seed(0))
    args = (torch.tensor([0.9, 0.9]), text, mask.float(), torch.zeros_like(noise), torch.zeros(2, 1, 3, 4, 6))
    assert torch.allclose(upgraded.dit(noise, *args), model.dit(noise, *args), atol=1e-6)  # starts at zero
    upgraded.dit.caption_pool.out.weight.normal_(std=0.05)
    pooled = upgraded.dit.caption_pool(text, mask.float())
    assert (pooled[0] - pooled[1]).abs().max() > 1e-3  # one word apart, the readings differ
    alone_ids, alone_mask = tok.batch(["a red square"])
    alone = upgraded.dit.caption_pool(model.text_encoder(alone_ids, alone_mask), alone_mask.float())
    padded_ids, padded_mask = tok.batch(["a red circle moving right on a black background", "a red square"])
    padded = upgraded.dit.caption_pool(model.text_encoder(padded_ids, padded_mask), padded_mask.float())
    assert padded_mask[1].sum() < padded_mask.shape[1]
    assert torch.allclose(padded[1], alone[0], atol=1e-5)  # padding is not read


@torch.no_grad()
def test_output_head_starts_unchanged_then_carries_the_input_patch_past_the_blocks():
    from tessera.train_dit import upgrade

    tok, model = tiny_live()
    upgraded = upgrade(model, word_skip=False, abs_pos=False, output_head=16).eval()
    ids, mask = tok.batch(["a red circle moving right on a black background"])
    text = model.text_encoder(ids, mask)
    g = torch.Generator().manual_seed(0)
    noisy = torch.randn(1, 8, 3, 4, 6, generator=g)
    args = (torch.tensor([0.2]), text, mask.float(), torch.zeros_like(noisy), torch.zeros(1, 1, 3, 4, 6))
    assert torch.allclose(upgraded.dit(noisy, *args), model.dit(noisy, *args), atol=1e-6)  # starts at zero
    for blk in upgraded.dit.blocks:  # blocks that pass nothing on: only the head can see the input
        blk.ada[-1].weight.zero_()
        blk.ada[-1].bias.zero_()
    upgraded.dit.patch_in.weight.zero_()
    upgraded.dit.output_head[-1].weight.normal_(std=0.05)
    other = noisy.clone()
    other[:, :, 1, 0, 0] += 1.0  # one latent cell of frame 1
    change = (upgraded.dit(other, *args) - upgraded.dit(noisy, *args)).abs().amax(dim=1)[0]  # (T, H, W)
    assert change[1, :2, :2].min() > 1e-4  # the token (1x2x2 patch) holding that cell changes
    change[1, :2, :2] = 0
    assert change.max() < 1e-6  # and no other


@torch.no_grad()
def test_strengthen_word_skip_scales_the_word_path_to_the_asked_norm():
    from tessera.train_dit import strengthen_word_skip, upgrade

    _, model = tiny()
    text = upgrade(model, word_skip=True, abs_pos=False).text_encoder
    before = text.word_skip.weight.norm(dim=-1).mean().item()
    assert abs(strengthen_word_skip(text, 4 * before) - before) < 1e-6
    assert abs(text.word_skip.weight.norm(dim=-1).mean().item() - 4 * before) < 1e-4
    strengthen_word_skip(text, before)  # already larger: left alone
    assert abs(text.word_skip.weight.norm(dim=-1).mean().item() - 4 * before) < 1e-4


def test_ema_only_weights_are_half_the_file_and_resume_from_the_ema(tmp_path):
    from tessera.train_dit import load_weights, save_weights

    tok = WordTokenizer.for_world()
    cfgs = (TextConfig(vocab_size=len(tok.vocab), dim=32, depth=1), DiTConfig(latent_channels=4, dim=32, depth=1, heads=2, text_dim=32))
    model, ema = TesseraModel(*cfgs), TesseraModel(*cfgs)
    with torch.no_grad():
        for p in model.parameters():
            p.add_(1.0)  # model and EMA differ everywhere
    meta = {"step": 3, "samples": 9, "latent_shift": 0.0, "latent_scale": 1.0}
    save_weights(model, ema, tmp_path / "full.pt", meta)
    save_weights(model, ema, tmp_path / "ema.pt", meta, ema_only=True)
    assert (tmp_path / "ema.pt").stat().st_size < 0.6 * (tmp_path / "full.pt").stat().st_size
    full_model, _ = load_weights(tmp_path / "full.pt", "model")
    slim_model, got_meta = load_weights(tmp_path / "ema.pt", "model")
    want_ema = {k: v.half().float() for k, v in ema.state_dict().items()}
    assert got_meta == meta
    assert all(torch.equal(v, want_ema[k]) for k, v in slim_model.state_dict().items())
    assert not all(torch.equal(v, want_ema[k]) for k, v in full_model.state_dict().items())


def test_a_mirror_pair_pool_keeps_pairs_together_and_per_pair_shares_draws():
    from tessera import data
    from tessera.train_dit import LatentPool, per_pair
    from tessera.train_vae import make_vae

    vae = make_vae("tiny", 8, 16).eval()
    bucket = data.Bucket(64, 64, 5, 1.0, 4)
    pool = LatentPool(vae, 0.0, 1.0, torch.device("cpu"), capacity=8, pairs="counterfactual")
    rng = random.Random(2)
    for _ in range(3):
        pool.add(bucket, 5, rng, bf16=False)  # rounded down to two pairs
    assert len(pool.latents[bucket]) == 4  # capacity 8 clips = 4 pairs
    z, objects, caps = pool.sample(bucket, 6, rng)
    assert z.shape[0] == len(caps) == 6
    assert objects.shape == (6, *z.shape[2:]) and objects.dtype == torch.bool
    for a, b in zip(caps[::2], caps[1::2]):  # one word changed, or two colours exchanged
        assert len(a.split()) == len(b.split()) and 1 <= sum(x != y for x, y in zip(a.split(), b.split())) <= 2
    drawn = per_pair(torch.arange(6.0), 2)
    assert drawn.tolist() == [0, 0, 2, 2, 4, 4]
    assert torch.equal(per_pair(torch.arange(3.0), 1), torch.arange(3.0))


@pytest.mark.parametrize("share,objects", [(0.0, 1), (1.0, 2)])
def test_the_latent_pool_renders_its_share_of_two_object_clips(share, objects):
    from tessera import data, world
    from tessera.train_dit import LatentPool
    from tessera.train_vae import make_vae

    vae = make_vae("tiny", 8, 16).eval()
    bucket = data.Bucket(64, 64, 5, 1.0, 4)
    pool = LatentPool(vae, 0.0, 1.0, torch.device("cpu"), capacity=8, two_object_share=share)
    pool.add(bucket, 4, random.Random(3), bf16=False)
    assert [len(world.parse_caption(c[0]).objects) for c in pool.captions[bucket]] == [objects] * 4


def test_channel_loss_weights_are_inverse_variances_with_mean_one():
    from tessera.train_dit import channel_loss_weights

    g = torch.Generator().manual_seed(0)
    stds = torch.tensor([0.7, 1.0, 1.4, 1.0])
    entries = [torch.randn(1, 4, 3, 8, 8, generator=g) * stds[:, None, None, None] for _ in range(20)]
    w = channel_loss_weights(entries)
    assert w.mean().item() == pytest.approx(1.0, abs=1e-6)
    # inverse variance (within sampling error): the 0.7-std channel weighs 4 times the 1.4-std one
    assert (w[0] / w[2]).item() == pytest.approx(4.0, rel=0.1)
    assert (w[1] / w[3]).item() == pytest.approx(1.0, rel=0.1)
    # a channel 100x quieter than the rest weighs 4x (the cap) the median channel, not 10,000x
    quiet = [torch.cat([e[:, :1] * 0.01, e[:, 1:]], dim=1) for e in entries]
    wq = channel_loss_weights(quiet, cap=4.0)
    assert (wq[0] / wq.median()).item() == pytest.approx(4.0, rel=1e-5)


def weighted_loss_case():
    """A tiny model, two clips of 8 x 3 x 4 x 4 latents at t = 0.7 with fixed noise, and the velocity
    it predicts there: `loss(**weights)` is flow_loss on them, `v` what each weighting is checked against."""
    tok, m = tiny()
    ids, mask = tok.batch(["a red circle moving right on a black background"] * 2)
    z0 = torch.randn(2, 8, 3, 4, 4, generator=torch.Generator().manual_seed(2))
    eps = torch.randn(2, 8, 3, 4, 4, generator=torch.Generator().manual_seed(3))
    cm, t = torch.zeros(2, 3), torch.full((2,), 0.7)
    with torch.no_grad():
        v = m(0.3 * z0 + 0.7 * eps, t, ids, mask, z0, cm[:, None, :, None, None].expand(2, 1, 3, 4, 4))

    def loss(**weights):
        with torch.no_grad():
            return flow_loss(m, z0, ids, mask, cm, t, eps, **weights)
    return loss, v, eps - z0


def test_channel_weights_scale_each_channels_share_of_the_flow_loss():
    loss, v, target = weighted_loss_case()
    plain = loss()
    ones = loss(channel_weight=torch.ones(8))
    only_first = loss(channel_weight=torch.tensor([8.0] + [0.0] * 7))
    assert ones.item() == pytest.approx(plain.item(), rel=1e-6)
    # all of the weight on channel 0: that channel's mean squared error
    assert only_first.item() == pytest.approx(((v[:, 0] - target[:, 0]) ** 2).mean().item(), rel=1e-5)


def test_a_resumed_optimizer_keeps_the_learning_rates_this_run_asks_for():
    from tessera.train_dit import param_groups, restore_optimizer, upgrade

    _, model = tiny()
    model = upgrade(model, word_skip=False, abs_pos=False, output_head=16)  # two groups: the rest and the head
    first = torch.optim.AdamW(param_groups(model, 1.5e-4, 1e-3), lr=1.5e-4)
    state = first.state_dict()
    resumed = torch.optim.AdamW(param_groups(model, 7e-5, 5e-4), lr=7e-5)
    resumed.load_state_dict(state)
    assert [g["base_lr"] for g in resumed.param_groups] == [1.5e-4, 1e-3]  # what load_state_dict alone does
    restore_optimizer(resumed, state, model, 7e-5, 5e-4)
    assert [g["base_lr"] for g in resumed.param_groups] == [7e-5, 5e-4]


def test_object_cells_mark_the_latent_cells_an_object_covers_on_the_frames_they_encode():
    from tessera.train_dit import object_cells

    labels = torch.full((2, 5, 16, 16), 3)  # 5 frames -> latent frames 0 (frame 0) and 1 (frames 1-4)
    labels[0, 0, 1, 1] = 5  # clip 0: frame 0, top-left cell
    labels[0, 3, 9, 2] = 5  # clip 0: frame 3, bottom-left cell
    cells = object_cells(labels, (2, 2, 2))
    expected = torch.zeros(2, 2, 2, 2, dtype=torch.bool)
    expected[0, 0, 0, 0] = expected[0, 1, 1, 0] = True
    assert torch.equal(cells, expected)  # clip 1 is all background


def test_object_cells_of_rendered_clips_cover_their_objects_and_little_else():
    from tessera import data
    from tessera.train_dit import object_cells

    _, labels, _ = data.render_batch(random.Random(0), 6, 128, 128, 17, two_object_p=0.5)
    cells = object_cells(labels, (5, 16, 16))
    share = cells.float().mean().item()
    assert 0.01 < share < 0.4
    # every object pixel of frame 0 lies in a marked cell of latent frame 0
    bg = labels.reshape(6, -1).mode(dim=1).values
    ys, xs = torch.nonzero(labels[:, 0] != bg[:, None, None], as_tuple=True)[1:]
    clip = torch.nonzero(labels[:, 0] != bg[:, None, None], as_tuple=True)[0]
    assert cells[clip, 0, ys // 8, xs // 8].all()


def test_cell_weights_make_the_flow_loss_a_weighted_mean_over_cells():
    from tessera.train_dit import object_cell_weights

    loss, v, target = weighted_loss_case()
    objects = torch.zeros(2, 3, 4, 4, dtype=torch.bool)
    objects[1, 2, 3, 0] = True
    plain = loss()
    ones = loss(cell_weight=object_cell_weights(objects, 1.0))
    only_object = loss(cell_weight=objects.float())
    weighted = loss(cell_weight=object_cell_weights(objects, 5.0))
    err = ((v - target) ** 2).mean(dim=1)  # (B, T, H, W): each cell's mean over channels
    assert ones.item() == pytest.approx(plain.item(), rel=1e-6)
    assert only_object.item() == pytest.approx(err[1, 2, 3, 0].item(), rel=1e-5)
    n = err.numel()
    assert weighted.item() == pytest.approx((err.sum() + 4 * err[1, 2, 3, 0]).item() / (n + 4), rel=1e-5)
