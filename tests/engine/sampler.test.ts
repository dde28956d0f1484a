/**
 * The TypeScript sampler against the PyTorch reference (models/tessera/sampling.py), run with
 * a toy velocity model by fixtures/make_sampler_reference.py: schedules, Euler, Heun, CFG
 * batching, context re-imposition and the remix start all have to agree.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type Context,
  type GuidanceAt,
  guidanceSchedule,
  guidedVelocity,
  type LatentShape,
  sample,
  type TransformerRun,
} from '../../main/engine/sampler.js';
import { flowTimesteps, remixStartIndex } from '../../main/engine/scheduler.js';

interface Reference {
  shape: [number, number, number, number];
  steps: number;
  guidance: number;
  shift: number;
  noise: number[];
  context: number[];
  mask: number[];
  remix_latent: number[];
  schedules: Record<string, number[]>;
  cases: { sampler: 'euler' | 'heun'; context: boolean; strength: number; out: number[] }[];
}

const ref = JSON.parse(
  readFileSync(join(import.meta.dirname, 'fixtures', 'sampler_reference.json'), 'utf8'),
) as Reference;
const [C, T, h, w] = ref.shape;
const shape: LatentShape = { C, T, h, w };
const size = C * T * h * w;

/** The toy model of the fixture: v[b] = 0.3 x[b] + t[b] + mean(text[b]); row 0 cond (0.2), row 1 uncond (-0.1). */
const toy: TransformerRun = async (latents, timestep, batch) => {
  const textMean = [0.2, -0.1];
  const out = new Float32Array(latents.length);
  for (let b = 0; b < batch; b++)
    for (let i = 0; i < size; i++) {
      const k = b * size + i;
      out[k] = 0.3 * (latents[k] as number) + (timestep[b] as number) + (textMean[b] as number);
    }
  return out;
};

describe('sampler vs the PyTorch reference', () => {
  it('schedules match', () => {
    for (const [key, expected] of Object.entries(ref.schedules)) {
      const [steps, shift] = key.split(',').map(Number);
      const t = flowTimesteps(steps ?? 1, shift ?? 1);
      expected.forEach((v, i) => {
        expect(t[i]).toBeCloseTo(v, 12);
      });
    }
  });

  for (const c of ref.cases) {
    it(`${c.sampler}${c.context ? ' with context' : ''}${c.strength < 1 ? ` remix ${c.strength}` : ''} matches`, async () => {
      const timesteps = flowTimesteps(ref.steps, ref.shift);
      const context: Context = c.context
        ? { context: Float32Array.from(ref.context), mask: Float32Array.from(ref.mask) }
        : { context: new Float32Array(size), mask: new Float32Array(T * h * w) };
      let x = Float32Array.from(ref.noise);
      let startIndex = 0;
      if (c.strength < 1) {
        startIndex = remixStartIndex(timesteps, c.strength);
        const ts = timesteps[startIndex] as number;
        x = Float32Array.from(ref.noise, (n, i) => (1 - ts) * (ref.remix_latent[i] as number) + ts * n);
      }
      const steps: number[] = [];
      const out = await sample({
        x,
        shape,
        timesteps,
        startIndex,
        sampler: c.sampler,
        velocity: guidedVelocity(toy, guidanceSchedule(ref.guidance), size),
        context,
        projection: { weight: Array.from({ length: C }, () => [0.1, 0.1, 0.1]), bias: [0.5, 0.5, 0.5] },
        onProgress: (p) => steps.push(p.step),
      });
      expect(steps.length).toBe(ref.steps - startIndex);
      c.out.forEach((v, i) => {
        expect(out[i]).toBeCloseTo(v, 4);
      });
    });
  }
});

/**
 * Runs the guided toy velocity at each t: the toy's conditional row is 0.3 x + t + 0.2 and its
 * unconditional row 0.3 x + t - 0.1, so scale g gives 0.3 x + t - 0.1 + 0.3 g, and the
 * conditional pass alone 0.3 x + t + 0.2. Returns the batch of every run and the velocities.
 */
async function guideToy(g: GuidanceAt, ts: number[]) {
  const batches: number[] = [];
  const counting: TransformerRun = async (latents, timestep, batch) => {
    batches.push(batch);
    return toy(latents, timestep, batch);
  };
  const x = Float32Array.from(ref.noise.slice(0, size));
  const velocity = guidedVelocity(counting, g, size);
  const vs: Float32Array[] = [];
  for (const t of ts) vs.push(await velocity(x, t));
  const expectScale = (v: Float32Array | undefined, t: number, scale: number | 'cond') => {
    for (let i = 0; i < size; i++) {
      const base = 0.3 * (x[i] as number) + t;
      expect(v?.[i]).toBeCloseTo(scale === 'cond' ? base + 0.2 : base - 0.1 + 0.3 * scale, 5);
    }
  };
  return { batches, vs, expectScale };
}

describe('guidance by noise level', () => {
  it('runs the conditional pass alone outside [lo, hi] and guides inside it', async () => {
    const { batches, vs, expectScale } = await guideToy(guidanceSchedule(4, [0, 0.6]), [0.9, 0.3]);
    expect(batches).toEqual([1, 2]);
    expectScale(vs[0], 0.9, 'cond'); // above hi
    expectScale(vs[1], 0.3, 4);
  });

  it('uses the high value from fromT up, the base inside the interval, and 1 elsewhere', () => {
    const g = guidanceSchedule(3, [0, 0.6], { fromT: 0.8, guidance: 6 });
    expect([1, 0.9, 0.8, 0.7, 0.6, 0.2, 0].map(g)).toEqual([6, 6, 6, 1, 3, 3, 3]);
    expect([1, 0.5].map(guidanceSchedule(3))).toEqual([3, 3]);
  });

  it('guides with the high value at a high noise level in one batched run', async () => {
    const g = guidanceSchedule(3, [0, 1], { fromT: 0.8, guidance: 6 });
    const { batches, vs, expectScale } = await guideToy(g, [0.9, 0.3]);
    expect(batches).toEqual([2, 2]);
    expectScale(vs[0], 0.9, 6);
    expectScale(vs[1], 0.3, 3);
  });
});
