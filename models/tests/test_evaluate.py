"""The evaluation's own plumbing, on the shipped pack with very few steps (what it generates is
judged by the evaluation itself, not here)."""
import random
from pathlib import Path

import numpy as np
import pytest

from tessera import world

PACK = Path(__file__).resolve().parent.parent / "packs" / "tessera-tiny"


@pytest.mark.skipif(not (PACK / "model_index.json").exists(), reason="no pack exported yet")
def test_generate_and_judge_goes_prompt_by_seed_and_keeps_each_prompts_first_clip():
    from tessera.evaluate import TWO_PROMPTS, OnnxPipeline, generate_and_judge

    pipe = OnnxPipeline(PACK)
    prompts, seeds = TWO_PROMPTS[:2], [5, 9]
    verdicts, captions, firsts = generate_and_judge(pipe, prompts, seeds, steps=2, sampler="euler")
    assert captions == [prompts[0], prompts[0], prompts[1], prompts[1]]
    assert len(verdicts) == 4 and all(len(v.objects) == 2 for v in verdicts)
    assert len(firsts) == 2 and firsts[0].shape == (17, 128, 128, 3)
    assert np.array_equal(firsts[1], pipe.generate(prompts[1], 5, steps=2, sampler="euler"))


@pytest.mark.skipif(not (PACK / "model_index.json").exists(), reason="no pack exported yet")
def test_autoencoder_report_gives_psnr_per_frame_and_object_pixel_errors_per_shape(tmp_path):
    from tessera.evaluate import OnnxPipeline, evaluate_autoencoder

    res = evaluate_autoencoder(OnnxPipeline(PACK), tmp_path, n=3)
    assert len(res["psnr_db_by_frame"]) == 17
    assert res["psnr_db"] == pytest.approx(float(np.mean(res["psnr_db_by_frame"])), abs=3.0)
    assert min(res["psnr_db_by_frame"]) > 15.0  # a real reconstruction, not noise
    assert sum(e["clips"] for e in res["object_pixels"].values()) == 3
    assert all(0.0 <= e["extra"] < 0.5 and 0.0 <= e["missing"] < 0.5 for e in res["object_pixels"].values())
    assert (tmp_path / "autoencoder_sheet.png").exists()

def test_object_pixel_errors_count_a_stray_row_beyond_an_edge():
    from tessera.evaluate import object_pixel_errors

    rng = random.Random(5)
    s = world.sample_scene(rng, 128, 128, 17, objects=1)
    video, labels = world.render(s)
    assert object_pixel_errors(video, labels, s) == pytest.approx((0.0, 0.0), abs=0.02)  # anti-aliased edges only
    o = labels == world.PALETTE_NAMES.index(s.objects[0].color)
    grown = video.copy()
    above = np.roll(o, -1, axis=1) & ~o  # one row of pixels just above the object, in its colour
    grown[above] = world.PALETTE[s.objects[0].color]
    extra, missing = object_pixel_errors(grown, labels, s)
    assert extra == pytest.approx(above.sum() / o.sum(), abs=0.02) and extra > 0.03
    assert missing == pytest.approx(0.0, abs=0.02)
