import { describe, expect, it } from 'vitest';
import { gaussian, Xoshiro128 } from '../../main/engine/rng.js';
import { flowTimesteps } from '../../main/engine/scheduler.js';
import { candidateSeed, guideTarget, screeningTimes, searchNoise, targetLogProb } from '../../main/engine/search.js';

const HEADS = {
  shape: ['circle', 'square', 'triangle'],
  motion: ['moving left', 'moving right', 'moving up', 'moving down', 'standing still', 'growing', 'shrinking'],
};

describe('noise search', () => {
  it('reads the caption of one object into one class per group, and nothing else', () => {
    expect(guideTarget('a small red triangle moving left on a black background', HEADS)).toEqual([
      { start: 0, end: 3, index: 2 },
      { start: 3, end: 10, index: 0 },
    ]);
    expect(guideTarget('a blue circle growing on a white background', HEADS)?.[1]?.index).toBe(5);
    expect(
      guideTarget('a red circle growing and a blue square moving up on a black background', HEADS),
    ).toBeUndefined();
    expect(guideTarget('', HEADS)).toBeUndefined();
    expect(guideTarget('a red blob growing on a black background', HEADS)).toBeUndefined();
  });

  it('scores the log-probability of the target classes, group by group', () => {
    const logits = Float32Array.of(1, 2, 3, 0, 0, 0, 0, 0, 0, Math.log(4));
    const target = [
      { start: 0, end: 3, index: 2 },
      { start: 3, end: 10, index: 6 },
    ];
    const shape = 3 - Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3));
    const motion = Math.log(4) - Math.log(6 + 4);
    expect(targetLogProb(logits, target)).toBeCloseTo(shape + motion, 5);
  });

  it('derives candidate seeds mod 2^32 and screens down to the first schedule time <= screen_to', () => {
    expect(candidateSeed(7, 0)).toBe(7);
    expect(candidateSeed(0xffffffff, 1)).toBe(0xffffffff + 0x9e3779b9 - 0x100000000);
    const ts = flowTimesteps(30, 2);
    const times = screeningTimes(ts, 0.7, 5);
    const tStar = ts.find((t) => t <= 0.7) as number;
    expect(times).toHaveLength(6);
    expect(times[0]).toBe(1);
    expect(times[5]).toBeCloseTo(tStar, 12);
    expect(tStar).toBeLessThanOrEqual(0.7);
  });

  it('keeps the candidate the guide scores highest and reports every screening step', async () => {
    const size = 64;
    const seed = 42;
    const noise = gaussian(new Xoshiro128(seed), size);
    // A guide that prefers latents with a large mean in "circle" (class 0); velocity 0 keeps
    // each candidate at its noise, so the expected winner is the candidate of largest mean.
    const mean = (x: Float32Array) => x.reduce((a, b) => a + b, 0) / x.length;
    const guide = (x: Float32Array) => Float32Array.of(10 * mean(x), 0, 0, 0, 0, 0, 0, 0, 0, 0);
    const target = guideTarget('a red circle growing on a black background', HEADS) ?? [];
    const progress: number[] = [];
    const candidates = 5;
    const res = await searchNoise({
      seed,
      noise,
      timesteps: flowTimesteps(10, 2),
      settings: { candidates, screen_to: 0.7, screen_steps: 3 },
      velocity: async (x) => new Float32Array(x.length),
      score: async (x) => targetLogProb(guide(x), target),
      onProgress: (p) => progress.push(p.step),
      totalSteps: candidates * 3 + 10,
    });
    const all = [noise, ...[1, 2, 3, 4].map((c) => gaussian(new Xoshiro128(candidateSeed(seed, c)), size))];
    const means = all.map(mean);
    const want = means.indexOf(Math.max(...means));
    expect(res.candidate).toBe(want);
    expect(Array.from(res.noise)).toEqual(Array.from(all[want] as Float32Array));
    expect(res.scores).toHaveLength(candidates);
    expect(res.steps).toBe(candidates * 3);
    expect(progress).toEqual(Array.from({ length: candidates * 3 }, (_, i) => i + 1));
  });
});
