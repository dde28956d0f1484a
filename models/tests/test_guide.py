"""The attribute guide: its exported graph matches PyTorch, and its score reads the caption's classes."""
import json

import numpy as np
import onnxruntime as ort
import torch
import torch.nn.functional as F

from tessera import export, world
from tessera.guide import HEADS, GuideConfig, LatentGuide, load_guide, save_guide, target_for


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
    target = target_for("a small red triangle moving left on a black background")
    shape_i, motion_i = HEADS["shape"].index("triangle"), HEADS["motion"].index("moving left")
    assert target.sum() == 2 and target[shape_i] == 1 and target[len(HEADS["shape"]) + motion_i] == 1
    with torch.no_grad():
        logits = guide(x, t)
        want = F.log_softmax(logits["shape"], 1)[:, shape_i] + F.log_softmax(logits["motion"], 1)[:, motion_i]
        assert torch.allclose(guide.score(x, t, target[None].expand(2, -1)), want)
        shape_only = target.clone()
        shape_only[len(HEADS["shape"]):] = 0  # an all-zero group asks for nothing
        assert torch.allclose(guide.score(x, t, shape_only[None]), F.log_softmax(logits["shape"], 1)[:, shape_i])
    assert target_for("a red circle standing still and a blue square growing on a black background") is None
    assert set(HEADS) <= set(vars(world.Obj("red", "circle", "medium", "growing")))  # groups name Obj fields
