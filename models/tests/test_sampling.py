"""The reference sampler's guidance schedule g(t) and the export step that ships it."""
import json

import torch

from tessera.export import DEFAULT_PRECISION, GUIDANCE, NOISE_SEARCH, SAMPLING, SCHEDULER, set_sampler_defaults
from tessera.sampling import guidance_at, sample


def test_guidance_at_prefers_the_high_value_then_the_interval_then_one():
    high = {"from_t": 0.8, "guidance": 6.0}
    got = [guidance_at(t, 3.0, (0.0, 0.6), high) for t in (1.0, 0.9, 0.8, 0.7, 0.6, 0.0)]
    assert got == [6.0, 6.0, 6.0, 1.0, 3.0, 3.0]
    assert guidance_at(0.95, 3.0) == 3.0  # no high value: the base everywhere in [0, 1]


class ToyVelocity(torch.nn.Module):
    """Conditional rows (text sum 1) predict +1, unconditional rows (text sum 0) 0, so a guided
    step moves x by exactly -g * dt: the scale used at each step can be read back."""

    def forward(self, x, t, text, text_mask, context, cmask):
        return text.sum((1, 2)).view(-1, 1, 1, 1, 1).expand_as(x).clone()


def test_sample_applies_the_high_guidance_above_from_t_only():
    noise = torch.zeros(1, 2, 1, 2, 2)
    cond, uncond = torch.ones(1, 1, 1), torch.zeros(1, 1, 1)
    mask = torch.ones(1, 1)
    steps, shift = 10, 1.0  # t = 1, 0.9, ..., 0: four steps start at t >= 0.7, six below
    high = {"from_t": 0.7, "guidance": 5.0}
    x = sample(ToyVelocity(), cond, mask, uncond, mask, noise, steps=steps, guidance=2.0, shift=shift,
               guidance_high=high)
    # x_0 = sum over steps of (t_next - t) * g(t): 0.4 of the path at g = 5, 0.6 at g = 2
    assert torch.allclose(x, torch.full_like(x, -(0.4 * 5.0 + 0.6 * 2.0)), atol=1e-5)
    plain = sample(ToyVelocity(), cond, mask, uncond, mask, noise, steps=steps, guidance=2.0, shift=shift)
    assert torch.allclose(plain, torch.full_like(plain, -2.0), atol=1e-5)


def test_set_sampler_defaults_rewrites_sampler_settings_and_scheduler_only(tmp_path):
    (tmp_path / "scheduler").mkdir()
    index = {"name": "p", "default": {"width": 128, "steps": 50, "guidance": 4.0, "sampler": "euler"}, "graphs": {"x": 1}}
    (tmp_path / "model_index.json").write_text(json.dumps(index))
    (tmp_path / "scheduler" / "scheduler_config.json").write_text(json.dumps({"shift": 1.0}))
    set_sampler_defaults(tmp_path)
    got = json.loads((tmp_path / "model_index.json").read_text())
    # no transformer variants: the precision default is fp32, the one every pack has
    assert got["default"] == {"width": 128, **SAMPLING, **GUIDANCE, "precision": "fp32"}
    assert got["graphs"] == {"x": 1} and got["name"] == "p"
    assert json.loads((tmp_path / "scheduler" / "scheduler_config.json").read_text()) == SCHEDULER
    # a pack with a guide has noise search settings, and they are the sampler's too
    index["default"]["noise_search"] = {"candidates": 2, "screen_to": 0.5, "screen_steps": 3, "screen_colors": True}
    (tmp_path / "model_index.json").write_text(json.dumps(index))
    set_sampler_defaults(tmp_path)
    got = json.loads((tmp_path / "model_index.json").read_text())
    assert got["default"] == {"width": 128, **SAMPLING, **GUIDANCE, "precision": "fp32", "noise_search": NOISE_SEARCH}
    # a pack with the int8 variant gets DEFAULT_PRECISION (int8), replacing what it had
    index["graphs"] = {"transformer": {"path": "t.onnx", "variants": {"int8": {"path": "q.onnx"}}}}
    index["default"]["precision"] = "fp32"
    (tmp_path / "model_index.json").write_text(json.dumps(index))
    set_sampler_defaults(tmp_path)
    got = json.loads((tmp_path / "model_index.json").read_text())
    assert DEFAULT_PRECISION == "int8" and got["default"]["precision"] == "int8"
