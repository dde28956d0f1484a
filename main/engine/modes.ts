/**
 * Per-mode context (models/PACK_FORMAT.md, "Context"): which latent frames are known,
 * what they hold, and which decoded pixel frames are new and therefore written out.
 */
import type { Mode } from '../../preload/recipe.js';
import { type Frames, sliceFrames } from './media.js';
import { type Context, emptyContext, type LatentShape } from './sampler.js';

export class InputError extends Error {
  override name = 'InputError';
}

export interface ModeIO {
  /** Reads a clip or image already fitted to the target size. */
  read(path: string): Promise<Frames>;
  /** VAE-encodes frames (1 + 4k of them) to normalised latents [C, T', h, w]. */
  encode(frames: Frames): Promise<Float32Array>;
}

export interface ModePlan {
  context: Context;
  /** Remix: the source's normalised latents, noised to the start time by the caller. */
  remixLatent?: Float32Array;
  /** Loop without a source image: the first latent frame must be generated first. */
  needsFirstFrame: boolean;
  /** Decoded pixel frames to write, [start, end). */
  keep: [number, number];
  /** Latent frames of context used (for the record). */
  contextLatents: number;
}

export interface ModeRequest {
  mode: Mode;
  frames: number;
  source?: string;
  sourceEnd?: string;
}

/** Context latents for extend: about half the clip. */
export function extendContextLatents(T: number): number {
  return Math.max(1, Math.floor((T - 1) / 2));
}

/** Context latents at each end of a bridge. */
export function bridgeContextLatents(T: number): number {
  return Math.max(1, Math.floor((T - 1) / 4));
}

/** Copies latent frame `from` of z ([C, Tz, h, w]) into context frame `to` and marks it known. */
export function placeLatent(ctx: Context, s: LatentShape, z: Float32Array, Tz: number, from: number, to: number): void {
  const hw = s.h * s.w;
  for (let c = 0; c < s.C; c++) {
    const src = z.subarray(c * Tz * hw + from * hw, c * Tz * hw + (from + 1) * hw);
    ctx.context.set(src, c * s.T * hw + to * hw);
  }
  ctx.mask.fill(1, to * hw, (to + 1) * hw);
}

/** Loop: the first latent frame z0 ([C, 1, h, w]) is context at the first and the last position. */
export function loopContext(s: LatentShape, z0: Float32Array): Context {
  const ctx = emptyContext(s);
  placeLatent(ctx, s, z0, 1, 0, 0);
  placeLatent(ctx, s, z0, 1, 0, s.T - 1);
  return ctx;
}

function concatFrames(parts: Frames[]): Frames {
  const first = parts[0] as Frames;
  const data = new Uint8Array(parts.reduce((n, p) => n + p.data.length, 0));
  let off = 0;
  for (const p of parts) {
    data.set(p.data, off);
    off += p.data.length;
  }
  return { width: first.width, height: first.height, count: parts.reduce((n, p) => n + p.count, 0), data };
}

function need(path: string | undefined, mode: Mode, what: string): string {
  if (!path) throw new InputError(`Mode ${mode} needs ${what} (source)`);
  return path;
}

async function forwardContext(
  ctx: Context,
  s: LatentShape,
  io: ModeIO,
  path: string,
  kWanted: number,
): Promise<number> {
  const clip = await io.read(path);
  const k = Math.min(kWanted, Math.floor((clip.count - 1) / 4) + 1);
  const n = 4 * (k - 1) + 1;
  const z = await io.encode(sliceFrames(clip, clip.count - n, clip.count));
  for (let i = 0; i < k; i++) placeLatent(ctx, s, z, k, i, i);
  return k;
}

async function backwardContext(
  ctx: Context,
  s: LatentShape,
  io: ModeIO,
  path: string,
  kWanted: number,
  label: string,
): Promise<number> {
  const clip = await io.read(path);
  if (clip.count < 4)
    throw new InputError(`${label} ${path} is too short: it has ${clip.count} frame(s), at least 4 are needed`);
  const k = Math.min(kWanted, Math.floor(clip.count / 4));
  const z = await io.encode(concatFrames([sliceFrames(clip, 0, 1), sliceFrames(clip, 0, 4 * k)]));
  for (let i = 1; i <= k; i++) placeLatent(ctx, s, z, k + 1, i, s.T - k - 1 + i);
  return k;
}

/** Builds the context for a mode, reading and encoding its sources. */
export async function planMode(req: ModeRequest, s: LatentShape, io: ModeIO): Promise<ModePlan> {
  const F = req.frames;
  const ctx = emptyContext(s);
  const plan: ModePlan = { context: ctx, needsFirstFrame: false, keep: [0, F], contextLatents: 0 };
  switch (req.mode) {
    case 't2v':
    case 'image':
      return plan;
    case 'i2v': {
      const img = await io.read(need(req.source, req.mode, 'an image file'));
      const z = await io.encode(sliceFrames(img, 0, 1));
      placeLatent(ctx, s, z, 1, 0, 0);
      plan.contextLatents = 1;
      return plan;
    }
    case 'extend_forward': {
      const k = await forwardContext(
        ctx,
        s,
        io,
        need(req.source, req.mode, 'a clip to extend'),
        extendContextLatents(s.T),
      );
      plan.contextLatents = k;
      plan.keep = [4 * (k - 1) + 1, F];
      return plan;
    }
    case 'extend_backward': {
      const k = await backwardContext(
        ctx,
        s,
        io,
        need(req.source, req.mode, 'a clip to extend'),
        extendContextLatents(s.T),
        'Clip',
      );
      plan.contextLatents = k;
      plan.keep = [0, F - 4 * k];
      return plan;
    }
    case 'bridge': {
      const kb = bridgeContextLatents(s.T);
      const a = need(req.source, req.mode, 'clip A');
      if (!req.sourceEnd) throw new InputError('Mode bridge needs clip B (sourceEnd)');
      const ka = await forwardContext(ctx, s, io, a, kb);
      const kEnd = await backwardContext(ctx, s, io, req.sourceEnd, kb, 'Clip B');
      if (ka + kEnd >= s.T) throw new InputError(`A bridge of ${F} frames is too short; choose more frames`);
      plan.contextLatents = ka + kEnd;
      plan.keep = [4 * (ka - 1) + 1, F - 4 * kEnd];
      return plan;
    }
    case 'loop': {
      // The last decoded frame comes back to the first: drop it so the loop does not stutter.
      plan.keep = [0, F - 1];
      plan.contextLatents = 2;
      if (req.source) {
        const img = await io.read(req.source);
        const z = await io.encode(sliceFrames(img, 0, 1));
        plan.context = loopContext(s, z);
      } else {
        plan.needsFirstFrame = true;
      }
      return plan;
    }
    case 'remix': {
      const clip = await io.read(need(req.source, req.mode, 'a clip to remix'));
      const parts = [sliceFrames(clip, 0, Math.min(F, clip.count))];
      // A shorter source is held on its last frame up to the clip length.
      for (let i = clip.count; i < F; i++) parts.push(sliceFrames(clip, clip.count - 1, clip.count));
      plan.remixLatent = await io.encode(concatFrames(parts));
      return plan;
    }
  }
}
