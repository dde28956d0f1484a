"""Every exported graph matches its PyTorch module on random inputs (max abs diff < 1e-4)."""
import numpy as np
import onnx
import onnxruntime as ort
import pytest
import torch

from tessera import export
from tessera.dit import DiTConfig, TextConfig
from tessera.tokenizer import WordTokenizer
from tessera.train_dit import TesseraModel
from tessera.train_vae import make_vae


def run(path, feeds):
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return sess.run(None, {k: v.numpy() for k, v in feeds.items()})[0]


# The 16x and the 8x autoencoder with patches of 32x32 pixels, as train_dit.dit_config_for makes
# them, and the 8x one with a DiT refined to 1x2x2 patches (patch_resize.py: scaled rotary positions).
# The second also has an attention-pooled caption and an output head (DiTConfig.caption_pool, output_head).
@pytest.mark.parametrize("spatial,channels,p,position_scale,caption_pool,output_head",
                         [(16, 32, 2, 1.0, 0, 0), (8, 16, 4, 1.0, 3, 48), (8, 16, 2, 0.5, 0, 0)])
def test_graphs_match_torch_at_other_sizes(tmp_path, spatial, channels, p, position_scale, caption_pool, output_head):
    torch.manual_seed(0)
    tok = WordTokenizer.for_world()
    model = TesseraModel(TextConfig(vocab_size=len(tok.vocab), dim=64, depth=1, word_skip=True),
                         DiTConfig(latent_channels=channels, dim=64, depth=2, heads=2, text_dim=64,
                                   patch=(1, p, p), abs_pos=True, caption_positions=True,
                                   position_scale=position_scale, caption_pool=caption_pool,
                                   output_head=output_head)).eval()
    for p in [*model.dit.parameters(), model.text_encoder.word_skip.weight]:  # undo the zero init so
        if p.dim() > 1:  # the comparison means something
            torch.nn.init.normal_(p, std=0.05)
    vae = make_vae(spatial=spatial, latent_channels=channels).eval()
    with torch.no_grad():  # float16 values, as the weights files hold: the pack stores them as float16
        for p in list(model.parameters()) + list(vae.parameters()):
            p.copy_(p.half().float())
    meta = {"latent_shift": 0.1, "latent_scale": 1.5, "step": 0}
    export.write_pack(tmp_path / "pack", model, vae, meta, "0.0.0-test")
    pack = tmp_path / "pack"
    with torch.no_grad():
        ids, mask = tok.batch(["a small blue square moving up and a large yellow triangle standing still on a gray background", ""])
        got = run(pack / "text_encoder/model.onnx", {"input_ids": ids, "attention_mask": mask})
        text = model.text_encoder(ids, mask)
        assert np.abs(got - text.numpy()).max() < 1e-4
        h, w = 256 // spatial, 384 // spatial  # a 256x384 clip's latents (4x6 patches of 32x32 pixels)
        lat = torch.randn(2, channels, 3, h, w)
        cm = torch.zeros(2, 1, 3, h, w)
        cm[:, :, -1] = 1
        feeds = {"latents": lat, "timestep": torch.tensor([0.3, 0.9]), "text_embeds": text, "text_mask": mask.float(),
                 "context": torch.randn_like(lat), "context_mask": cm}
        want = model.dit(*feeds.values()).numpy()
        assert np.abs(run(pack / "transformer/model.onnx", feeds) - want).max() < 1e-4
        one = {k: v[:, :, :1] if v.dim() == 5 else v for k, v in feeds.items()}  # one latent frame: an image
        assert np.abs(run(pack / "transformer/model.onnx", one) - model.dit(*one.values()).numpy()).max() < 1e-4
        # The transformer is exported with ONNX Runtime's fused operators (tessera/fused_ops.py).
        graph = onnx.load(str(pack / "transformer/model.onnx")).graph
        assert {"RotaryEmbedding", "MultiHeadAttention", "FastGelu"} <= {n.op_type for n in graph.node}
        # Every weight matrix is stored as float16 (fp16_storage.py).
        matrices = [i for i in graph.initializer if len(i.dims) == 2]
        assert matrices and all(i.data_type == onnx.TensorProto.FLOAT16 for i in matrices)
        video = torch.rand(1, 3, 5, 64, 96) * 2 - 1
        assert np.abs(run(pack / "vae_encoder/model.onnx", {"video": video}) - vae.encoder(video)[0].numpy()).max() < 1e-4
        z = torch.randn(1, channels, 2, 64 // spatial, 96 // spatial)
        assert np.abs(run(pack / "vae_decoder/model.onnx", {"latent": z}) - vae.decoder(z).numpy()).max() < 1e-4


def test_preview_projection_names_the_colours_of_a_trained_autoencoders_cells():
    """The live preview's linear map, fitted on the shipped autoencoder, gives each latent cell of
    held-out clips its palette colour: backgrounds almost always, cells an object covers mostly."""
    import json
    import random
    from pathlib import Path

    from tessera import data, world
    from tessera.train_vae import load_weights

    root = Path(__file__).resolve().parent.parent
    vae, _ = load_weights(root / "weights" / "vae8.pt")
    vae.eval()
    index = json.loads((root / "packs" / "tessera-tiny" / "model_index.json").read_text())
    shift, scale = index["vae"]["shift_factor"], index["vae"]["scaling_factor"]
    proj = export.fit_rgb_projection(vae, shift, scale, n=16)
    video, labels, _ = data.render_batch(random.Random(123), 16, 128, 128, 9, two_object_p=0.5)
    with torch.no_grad():
        z = (vae.encoder(video)[0] - shift) * scale  # (16, C, 3, 16, 16)
    rgb = (z.permute(0, 2, 3, 4, 1) @ torch.tensor(proj["weight"]) + torch.tensor(proj["bias"])).clamp(0, 1)
    pal = torch.tensor([world.PALETTE[n] for n in world.PALETTE_NAMES], dtype=torch.float32) / 255
    seen = ((rgb[..., None, :] - pal) ** 2).sum(-1).argmin(-1)  # (16, 3, 16, 16) palette class per cell
    lab = torch.as_tensor(labels)[:, [0, 4, 8]].long()  # the frame each latent frame ends on
    share = torch.nn.functional.one_hot(lab, len(pal)).float().permute(0, 1, 4, 2, 3)
    share = torch.nn.functional.avg_pool3d(share, (1, 8, 8)).permute(0, 1, 3, 4, 2)  # (16, 3, 16, 16, P)
    top, cls = share.max(-1)
    background = lab.reshape(16, -1).mode(1).values[:, None, None, None]
    pure = top >= 0.75
    bg_cells, obj_cells = pure & (cls == background), pure & (cls != background)
    assert obj_cells.sum() > 100
    assert (seen[bg_cells] == cls[bg_cells]).float().mean() > 0.9
    assert (seen[obj_cells] == cls[obj_cells]).float().mean() > 0.55
