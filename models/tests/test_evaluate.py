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


def _squares(frames: list[list[tuple[str, int, int, int]]]) -> np.ndarray:
    """64x64 frames on black; frames[f] lists (colour, x, y, side) squares drawn in frame f."""
    video = np.empty((len(frames), 64, 64, 3), np.uint8)
    video[:] = world.PALETTE["black"]
    for f, squares in enumerate(frames):
        for color, x, y, side in squares:
            video[f, y:y + side, x:x + side] = world.PALETTE[color]
    return video


def test_presence_score_is_the_share_of_frames_where_the_rarer_colour_is_an_object():
    from tessera.judge import min_object_area, presence_score

    assert min_object_area(64, 64) == pytest.approx(0.1 * (0.2 * 64) ** 2)  # 16.4 pixels
    both = [("red", 2, 2, 10), ("blue", 30, 30, 10)]
    assert presence_score(_squares([both] * 4), ["red", "blue"]) == pytest.approx(1 + 1e-3 * np.log1p(100))
    # blue an object in one frame of four, a 3x3 speck (9 pixels) in another: the same case as
    # tests/engine/presence.test.ts, so the engine and the evaluation agree
    speck = [("red", 2, 2, 10), ("blue", 30, 30, 3)]
    only_red = [("red", 2, 2, 10)]
    assert 0.25 < presence_score(_squares([both, speck, only_red, only_red]), ["red", "blue"]) < 0.26
    assert presence_score(_squares([only_red]), ["red", "blue"]) == 0.0


@pytest.mark.skipif(not (PACK / "model_index.json").exists(), reason="no pack exported yet")
def test_two_object_search_screens_colours_only_when_the_pack_asks_and_keeps_the_best():
    from tessera.evaluate import TWO_PROMPTS, OnnxPipeline
    from tessera.sampling import schedule

    pipe = OnnxPipeline(PACK)
    opts = pipe.index["default"]["noise_search"]
    prompt, seed = TWO_PROMPTS[3], 3
    noise = np.random.default_rng(seed).standard_normal((1, 16, 5, 16, 16)).astype(np.float32)
    ts = schedule(4, pipe.sched["shift"])
    emb, mask = pipe.text([prompt, ""])

    def vel(x, t):  # the conditional pass alone keeps the test quick
        feeds = {"latents": x, "timestep": np.array([t], np.float32), "text_embeds": emb[:1], "text_mask": mask[:1],
                 "context": np.zeros_like(x), "context_mask": np.zeros((1, 1, *x.shape[2:]), np.float32)}
        return pipe.s["transformer"].run(None, feeds)[0]

    opts["screen_colors"] = False
    assert pipe.screening_score(prompt, opts) is None
    assert pipe.search_noise(prompt, seed, noise, ts, vel, candidates=3) is noise
    opts["screen_colors"] = True
    chosen = pipe.search_noise(prompt, seed, noise, ts, vel, candidates=3)
    score = pipe.screening_score(prompt, opts)
    t_s = next(t for t in ts if t <= opts["screen_to"])
    screen = [1 - (1 - t_s) * j / opts["screen_steps"] for j in range(opts["screen_steps"] + 1)]
    candidates = [noise] + [np.random.default_rng([seed, c]).standard_normal(noise.shape).astype(np.float32)
                            for c in (1, 2)]
    scores = []
    for x in candidates:
        for j in range(opts["screen_steps"]):
            x = x + (screen[j + 1] - screen[j]) * vel(x, screen[j])
        scores.append(score(x, t_s, vel))
    assert any(np.array_equal(chosen, c) for c in candidates)
    assert np.array_equal(chosen, candidates[int(np.argmax(scores))])
