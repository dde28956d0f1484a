"""The attribute guide: its exported graph matches PyTorch, and its score reads the caption's classes."""
import json

import numpy as np
import onnxruntime as ort
import torch
import torch.nn.functional as F

from tessera import export, world
from tessera.guide import (HEADS, GuideConfig, LatentGuide, caption_log_prob, load_guide, save_guide,
                           target_groups)


def small_guide() -> LatentGuide:
    torch.manual_seed(0)
    guide = LatentGuide(GuideConfig(latent_channels=16, width=16, depth=2)).eval()
    with torch.no_grad():  # float16 values, as save_guide stores them
        for p in guide.parameters():
            p.copy_(p.half().float())
    return guide


def test_guide_graph_matches_torch_at_other_sizes(tmp_path):
    guide = small_guide()
    save_guide(tmp_path / "guide.pt", guide, {"step": 0})
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "model_index.json").write_text(json.dumps({"default": {}, "graphs": {}}))
    export.add_guide(pack, tmp_path / "guide.pt")
    index = json.loads((pack / "model_index.json").read_text())
    assert index["graphs"]["guide"]["heads"] == HEADS
    assert index["default"]["noise_search"]["candidates"] > 1
    sess = ort.InferenceSession(str(pack / index["graphs"]["guide"]["path"]), providers=["CPUExecutionProvider"])
    for shape in [(2, 16, 5, 16, 16), (1, 16, 9, 16, 24), (1, 16, 1, 24, 16)]:
        x, t = torch.randn(shape), torch.rand(shape[0])
        got = sess.run(None, {"latents": x.numpy(), "timestep": t.numpy()})[0]
        with torch.no_grad():
            want = guide.logits(x, t).numpy()
        assert got.shape == (shape[0], sum(len(v) for v in HEADS.values()))
        assert np.abs(got - want).max() < 1e-4


def test_weights_round_trip(tmp_path):
    guide = small_guide()
    save_guide(tmp_path / "g.pt", guide, {"step": 3})
    loaded, meta = load_guide(tmp_path / "g.pt")
    x, t = torch.randn(1, 16, 2, 8, 8), torch.tensor([0.4])
    assert meta["step"] == 3
    assert torch.equal(loaded.logits(x, t), guide.logits(x, t))


def test_score_is_log_probability_of_the_captions_classes():
    guide = small_guide()
    x, t = torch.randn(2, 16, 5, 8, 8), torch.tensor([0.3, 0.9])
    groups = target_groups("a small red triangle moving left on a black background", HEADS)
    shape_i, motion_i = HEADS["shape"].index("triangle"), HEADS["motion"].index("moving left")
    n_shapes = len(HEADS["shape"])
    assert groups == [(0, n_shapes, shape_i), (n_shapes, n_shapes + len(HEADS["motion"]), motion_i)]
    with torch.no_grad():
        logits = guide(x, t)
        want = F.log_softmax(logits["shape"], 1)[:, shape_i] + F.log_softmax(logits["motion"], 1)[:, motion_i]
        flat = guide.logits(x, t).numpy()
    for b in range(2):
        assert abs(caption_log_prob(flat[b], groups) - float(want[b])) < 1e-5
    # one group only: that group's log-probability alone
    assert abs(caption_log_prob(flat[0], groups[:1]) - float(F.log_softmax(logits["shape"], 1)[0, shape_i])) < 1e-5
    assert target_groups("a red circle standing still and a blue square growing on a black background", HEADS) is None
    assert target_groups("not a caption", HEADS) is None
    assert set(HEADS) <= set(vars(world.Obj("red", "circle", "medium", "growing")))  # groups name Obj fields
