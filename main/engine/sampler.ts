/**
 * The denoising loop: classifier-free guidance with the conditional and unconditional passes
 * batched as B = 2 in one transformer run, Euler or Heun updates on the flow schedule,
 * context re-imposed before every transformer call, progress, previews and cancel.
 */
import type { Sampler } from '../../preload/recipe.js';
import type { PreviewImage, StepProgress } from './api.js';
import { encodePng, pngDataUrl } from './png.js';
import { eulerPredict, eulerUpdate, heunUpdate, predictX0 } from './scheduler.js';

/** Latent geometry of one sample: [C, T, h, w]. */
export interface LatentShape {
  C: number;
  T: number;
  h: number;
  w: number;
}

export function latentSize(s: LatentShape): number {
  return s.C * s.T * s.h * s.w;
}

/** Known latent frames: `context` [C,T,h,w] and `mask` [1,T,h,w] (1 = known). */
export interface Context {
  context: Float32Array;
  mask: Float32Array;
}

export function emptyContext(s: LatentShape): Context {
  return { context: new Float32Array(latentSize(s)), mask: new Float32Array(s.T * s.h * s.w) };
}

export function hasContext(c: Context): boolean {
  return c.mask.some((m) => m !== 0);
}

/** x = x * (1 - m) + context * m, in place. */
export function applyContext(x: Float32Array, c: Context, s: LatentShape): void {
  const plane = s.T * s.h * s.w;
  for (let ch = 0; ch < s.C; ch++) {
    const off = ch * plane;
    for (let i = 0; i < plane; i++) {
      const m = c.mask[i] as number;
      if (m !== 0) x[off + i] = (x[off + i] as number) * (1 - m) + (c.context[off + i] as number) * m;
    }
  }
}

/** One transformer evaluation on a batch: returns velocity for every batch row. */
export type TransformerRun = (latents: Float32Array, timestep: Float32Array, batch: number) => Promise<Float32Array>;

/** The guidance scale g(t) of a job; 1 means the conditional pass alone. */
export type GuidanceAt = (t: number) => number;

/**
 * g(t): `high.guidance` for t >= `high.fromT`, else `guidance` for t inside `interval`, else 1
 * (PACK_FORMAT.md, "Text").
 */
export function guidanceSchedule(
  guidance: number,
  interval: readonly [number, number] = [0, 1],
  high?: { fromT: number; guidance: number },
): GuidanceAt {
  return (t) => {
    if (high && t >= high.fromT) return high.guidance;
    return t >= interval[0] && t <= interval[1] ? guidance : 1;
  };
}

/**
 * Guided velocity: v = v_uncond + g(t) (v_cond - v_uncond). Batch row 0 is conditional and
 * row 1 unconditional, in one run; where g(t) = 1 only the conditional row is run.
 */
export function guidedVelocity(
  run: TransformerRun,
  guidance: GuidanceAt,
  size: number,
): (x: Float32Array, t: number) => Promise<Float32Array> {
  return async (x, t) => {
    const g = guidance(t);
    if (g === 1) return run(x, Float32Array.of(t), 1);
    const batch = new Float32Array(2 * size);
    batch.set(x, 0);
    batch.set(x, size);
    const out = await run(batch, Float32Array.of(t, t), 2);
    const v = new Float32Array(size);
    for (let i = 0; i < size; i++) {
      const c = out[i] as number;
      const u = out[size + i] as number;
      v[i] = u + g * (c - u);
    }
    return v;
  };
}

export interface PreviewProjection {
  weight: number[][];
  bias: number[];
}

/** RGB preview of the middle latent frame of an estimate z0: h x w cells, upscaled by `scale`. */
export function previewPng(
  z0: Float32Array,
  s: LatentShape,
  proj: PreviewProjection,
  scale = 4,
): { png: Buffer; width: number; height: number } {
  const t = Math.floor(s.T / 2);
  const W = s.w * scale;
  const H = s.h * scale;
  const rgb = new Uint8Array(W * H * 3);
  const plane = s.T * s.h * s.w;
  for (let y = 0; y < s.h; y++) {
    for (let x = 0; x < s.w; x++) {
      const px = [0, 0, 0];
      for (let k = 0; k < 3; k++) {
        let v = proj.bias[k] as number;
        for (let ch = 0; ch < s.C; ch++)
          v += (z0[ch * plane + t * s.h * s.w + y * s.w + x] as number) * ((proj.weight[ch] as number[])[k] as number);
        px[k] = Math.round(Math.min(1, Math.max(0, v)) * 255);
      }
      for (let dy = 0; dy < scale; dy++)
        for (let dx = 0; dx < scale; dx++) {
          const o = ((y * scale + dy) * W + x * scale + dx) * 3;
          rgb[o] = px[0] as number;
          rgb[o + 1] = px[1] as number;
          rgb[o + 2] = px[2] as number;
        }
    }
  }
  return { png: encodePng(rgb, W, H), width: W, height: H };
}

export interface SampleOptions {
  x: Float32Array;
  shape: LatentShape;
  timesteps: Float64Array;
  startIndex: number;
  sampler: Sampler;
  velocity: (x: Float32Array, t: number) => Promise<Float32Array>;
  context: Context;
  projection: PreviewProjection;
  previewEvery?: number;
  previewScale?: number;
  onProgress?: (p: StepProgress) => void;
  onPreview?: (p: PreviewImage) => void;
  /** Work reported before this loop (noise search): counted in step, total and elapsed. */
  progressBefore?: { steps: number; elapsedMs: number };
  signal?: AbortSignal;
}

/** Runs the schedule from startIndex to t = 0; returns the final x (context applied). */
export async function sample(o: SampleOptions): Promise<Float32Array> {
  const { x, shape, timesteps, context } = o;
  const useCtx = hasContext(context);
  const n = timesteps.length - 1;
  const total = n - o.startIndex;
  const every = o.previewEvery ?? 5;
  const start = performance.now();
  for (let i = o.startIndex; i < n; i++) {
    o.signal?.throwIfAborted();
    const t = timesteps[i] as number;
    const tNext = timesteps[i + 1] as number;
    const dt = tNext - t;
    if (useCtx) applyContext(x, context, shape);
    const v1 = await o.velocity(x, t);
    const done = i - o.startIndex + 1;
    const wantPreview = o.onPreview && (done % every === 0 || done === total);
    const x0 = wantPreview ? predictX0(x, v1, t) : undefined;
    if (o.sampler === 'heun' && tNext > 0) {
      const xp = eulerPredict(x, v1, dt);
      if (useCtx) applyContext(xp, context, shape);
      o.signal?.throwIfAborted();
      const v2 = await o.velocity(xp, tNext);
      heunUpdate(x, v1, v2, dt);
    } else {
      eulerUpdate(x, v1, dt);
    }
    const elapsedMs = performance.now() - start;
    const before = o.progressBefore ?? { steps: 0, elapsedMs: 0 };
    o.onProgress?.({
      step: before.steps + done,
      total: before.steps + total,
      elapsedMs: before.elapsedMs + elapsedMs,
      etaMs: (elapsedMs / done) * (total - done),
    });
    if (x0 && o.onPreview) {
      const p = previewPng(x0, shape, o.projection, o.previewScale ?? 4);
      o.onPreview({ step: done, width: p.width, height: p.height, dataUrl: pngDataUrl(p.png) });
    }
  }
  if (useCtx) applyContext(x, context, shape);
  return x;
}
