"""The --words probe measures what it says: a word the model cannot tell apart moves nothing."""
import torch

from tessera.dit import DiTConfig, TextConfig
from tessera.probe import WORD_SWAPS, word_sensitivity
from tessera.tokenizer import WordTokenizer
from tessera.train_dit import TesseraModel


def listening_model(tok: WordTokenizer) -> TesseraModel:
    """A tiny random model whose output depends on its caption (adaLN-zero undone)."""
    torch.manual_seed(0)
    model = TesseraModel(TextConfig(vocab_size=len(tok.vocab), dim=32, depth=1),
                         DiTConfig(latent_channels=4, dim=32, depth=1, heads=2, text_dim=32, patch=(1, 2, 2))).eval()
    with torch.no_grad():
        for p in model.dit.parameters():
            if p.dim() > 1 and float(p.abs().sum()) == 0:
                p.normal_(std=0.1)
    return model


@torch.no_grad()
def test_word_sensitivity_is_zero_for_words_the_encoder_merges():
    tok = WordTokenizer.for_world()
    model = listening_model(tok)
    emb = model.text_encoder.embed.weight
    emb[tok.vocab["left"]] = emb[tok.vocab["right"]]  # the encoder cannot tell left from right
    sens = word_sensitivity(model, tok, latent_channels=4, h=4, ts=(1.0, 0.5), n=2)
    assert set(sens) == set(WORD_SWAPS)
    assert all(v == 0.0 for v in sens["direction left/right"].values())
    assert all(v > 0.01 for v in sens["colour"].values())
    assert all(v > 0.0 for v in sens["direction right/up"].values())


@torch.no_grad()
def test_caption_gains_are_zero_for_a_word_kind_the_encoder_merges():
    from tessera import world
    from tessera.probe import caption_gains
    from tessera.train_vae import make_vae

    tok = WordTokenizer.for_world()
    model = listening_model(tok)
    vae = make_vae("tiny", 8, 4).eval()
    emb = model.text_encoder.embed.weight
    for word in ("left", "up", "down"):  # the encoder cannot tell one direction from another
        emb[tok.vocab[word]] = emb[tok.vocab["right"]]
    if model.text_encoder.word_skip is not None:
        for word in ("left", "up", "down"):
            model.text_encoder.word_skip.weight[tok.vocab[word]] = model.text_encoder.word_skip.weight[tok.vocab["right"]]
    gains = caption_gains(model, vae, {"latent_shift": 0.0, "latent_scale": 1.0}, tok, n=4, ts=(1.0, 0.5))
    assert set(gains) == set(world.COUNTERFACTUALS) | {"shape_by_pair"}
    assert all(v == 0.0 for v in gains["mirror"].values())
    assert all(v != 0.0 for v in gains["shape"].values())
    for pair, row in gains["shape_by_pair"].items():
        own, other = pair.split("->")
        assert own != other and {own, other} <= set(world.SHAPES)
        assert set(row) == set(gains["shape"])


@torch.no_grad()
def test_caption_pool_reading_names_the_word_a_query_is_built_to_read():
    from tessera.probe import caption_pool_reading

    tok = WordTokenizer.for_world()
    torch.manual_seed(0)
    model = TesseraModel(TextConfig(vocab_size=len(tok.vocab), dim=32, depth=1),
                         DiTConfig(latent_channels=4, dim=32, depth=1, heads=2, text_dim=32, patch=(1, 2, 2),
                                   caption_pool=2)).eval()
    caption = "a large blue square moving up on a white background"
    ids, mask = tok.batch([caption])
    square = model.text_encoder(ids, mask)[0, caption.split().index("square") + 1]  # after [BOS]
    pool = model.dit.caption_pool
    pool.key.weight.copy_(torch.eye(32))
    pool.key.bias.zero_()
    pool.queries[1] = 50 * square / square.norm()  # query 1 points at the square's key
    reading = caption_pool_reading(model, tok, captions=(caption,))
    first = reading["queries"][caption][1][0].split()
    assert first[0] == "square" and float(first[1]) > 0.9
    assert reading["norm_caption_pool"] == 0.0  # zero-initialised: nothing reaches adaLN yet
    assert reading["norm_mean_pool"] > 0.0


def test_held_out_clips_keep_earlier_probes_clips_and_filter_by_shape():
    import random

    from tessera import data
    from tessera.probe import held_out_clips

    video, caps = held_out_clips(3)
    old_video, _, old_caps = data.render_batch(random.Random(2024), 3, 128, 128, 17, two_object_p=0.0)
    assert caps == old_caps and torch.equal(video, old_video)
    video, caps = held_out_clips(3, "square")
    assert video.shape == (3, 3, 17, 128, 128)
    assert all(" square " in c for c in caps)


@torch.no_grad()
def test_shape_channels_sees_no_difference_between_a_shape_and_itself():
    from tessera.probe import shape_channels
    from tessera.train_vae import make_vae

    torch.manual_seed(0)
    vae = make_vae("tiny", 8, 16).eval()
    same = shape_channels(vae, n=2, shapes=("square", "square"))
    other = shape_channels(vae, n=2, shapes=("square", "triangle"))
    assert same["difference_share_one_scale"] == 0.0 and max(same["difference_rms"]) == 0.0
    assert len(other["latent_std"]) == 16 and other["difference_share_per_channel"] > 0.0
