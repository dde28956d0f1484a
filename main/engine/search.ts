/**
 * Noise search (models/PACK_FORMAT.md, "Noise search"): the pack's attribute guide, a classifier
 * of noisy latents, picks the starting noise among a few candidates. The tiny model takes a single
 * object's direction largely from the noise rather than the caption, so a short, coarse look at
 * where each candidate is heading, scored for the caption's shape and motion, chooses one that
 * agrees with the caption; the chosen noise is then sampled exactly as without search. Two-object
 * captions are screened without the guide, for both colours in the decoded estimate of the clean
 * clip (presence.ts), when the pack asks for it (`screen_colors`).
 */
import type { StepProgress } from './api.js';
import { gaussian, Xoshiro128 } from './rng.js';

export interface NoiseSearchSettings {
  candidates: number;
  /** Candidates are screened from t = 1 down to the first schedule time <= screen_to. */
  screen_to: number;
  /** Euler steps of the screening. */
  screen_steps: number;
  /** Two-object captions: screen for both colours (presence.ts). */
  screen_colors?: boolean;
}

/** One attribute group of the guide's logits: [start, end) and the caption's class in it. */
export interface GroupTarget {
  start: number;
  end: number;
  index: number;
}

/**
 * What the guide should read for a canonical caption with exactly one object: for each group of
 * `heads` (logit order), the one class whose words occur in the object's phrase. Undefined for
 * two objects, the empty caption, or a phrase that names no class (or several) of a group.
 */
export function guideTarget(caption: string, heads: Record<string, string[]>): GroupTarget[] | undefined {
  const m = /^a (.+) on an? [a-z]+ background$/.exec(caption.trim());
  if (!m?.[1] || m[1].includes(' and ')) return undefined;
  const phrase = ` ${m[1]} `;
  const target: GroupTarget[] = [];
  let start = 0;
  for (const classes of Object.values(heads)) {
    const hits = classes.flatMap((c, i) => (phrase.includes(` ${c} `) ? [i] : []));
    if (hits.length !== 1) return undefined;
    target.push({ start, end: start + classes.length, index: hits[0] as number });
    start += classes.length;
  }
  return target;
}

/** Sum over groups of log_softmax(group logits)[class]. */
export function targetLogProb(logits: Float32Array, target: readonly GroupTarget[]): number {
  let total = 0;
  for (const g of target) {
    let max = -Infinity;
    for (let i = g.start; i < g.end; i++) max = Math.max(max, logits[i] as number);
    let sum = 0;
    for (let i = g.start; i < g.end; i++) sum += Math.exp((logits[i] as number) - max);
    total += (logits[g.start + g.index] as number) - max - Math.log(sum);
  }
  return total;
}

/** The seed of candidate c >= 1 (candidate 0 is the job's own seed), mod 2^32. */
export function candidateSeed(seed: number, c: number): number {
  return (seed + c * 0x9e3779b9) % 0x100000000;
}

/** The screening times: n equal steps from 1 down to the first schedule time <= screenTo. */
export function screeningTimes(timesteps: Float64Array, screenTo: number, n: number): number[] {
  const tStar = timesteps.find((t) => t <= screenTo) ?? 0;
  return Array.from({ length: n + 1 }, (_, j) => 1 - ((1 - tStar) * j) / n);
}

export interface NoiseSearchOptions {
  seed: number;
  /** Candidate 0: the noise the job would use without search. */
  noise: Float32Array;
  timesteps: Float64Array;
  settings: NoiseSearchSettings;
  /** The job's guided velocity (context already applied by the caller, if any). */
  velocity: (x: Float32Array, t: number) => Promise<Float32Array>;
  /** A candidate's score at the end of its screening (x at time t*); the highest wins. */
  score: (x: Float32Array, tStar: number) => Promise<number>;
  /** Progress in units of screening steps; `total` is the whole job's (search + sampling). */
  onProgress?: (p: StepProgress) => void;
  totalSteps: number;
  signal?: AbortSignal;
}

export interface NoiseSearchResult {
  noise: Float32Array;
  candidate: number;
  scores: number[];
  /** Screening steps run and their time, for the sampler's progress that follows. */
  steps: number;
  elapsedMs: number;
}

export async function searchNoise(o: NoiseSearchOptions): Promise<NoiseSearchResult> {
  const times = screeningTimes(o.timesteps, o.settings.screen_to, o.settings.screen_steps);
  const tStar = times[times.length - 1] as number;
  const start = performance.now();
  const scores: number[] = [];
  let best = { noise: o.noise, candidate: 0, score: -Infinity };
  let done = 0;
  for (let c = 0; c < o.settings.candidates; c++) {
    const noise = c === 0 ? o.noise : gaussian(new Xoshiro128(candidateSeed(o.seed, c)), o.noise.length);
    const x = Float32Array.from(noise);
    for (let j = 0; j + 1 < times.length; j++) {
      o.signal?.throwIfAborted();
      const t = times[j] as number;
      const dt = (times[j + 1] as number) - t;
      const v = await o.velocity(x, t);
      for (let i = 0; i < x.length; i++) x[i] = (x[i] as number) + dt * (v[i] as number);
      done++;
      const elapsedMs = performance.now() - start;
      o.onProgress?.({ step: done, total: o.totalSteps, elapsedMs, etaMs: (elapsedMs / done) * (o.totalSteps - done) });
    }
    const score = await o.score(x, tStar);
    scores.push(score);
    if (score > best.score) best = { noise, candidate: c, score };
  }
  return { noise: best.noise, candidate: best.candidate, scores, steps: done, elapsedMs: performance.now() - start };
}

/**
 * The rectified-flow estimate of the clean latents from x at time t (x_t = (1 - t) x_0 + t noise,
 * v = noise - x_0): x_0 = x_t - t v.
 */
export function cleanEstimate(x: Float32Array, v: Float32Array, t: number): Float32Array {
  return Float32Array.from(x, (xi, i) => xi - t * (v[i] as number));
}
