/**
 * The engine: turns a recipe request into a clip (MP4 + poster PNG + JSON sidecar).
 * Public surface: `generate`, `getEngineInfo`, `readRecipeFromFile` (see api.ts).
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type GuidanceHigh,
  type GuidanceInterval,
  type Mode,
  type Precision,
  type Recipe,
  type RecipeRequestParsed,
  recipeRequestSchema,
} from '../../preload/recipe.js';
import type { EngineInfo, Generate, GenerateHooks, GenerateResult, OutputTarget } from './api.js';
import { cpuFeatures, cpuModel } from './cpu.js';
import { type Frames, readFrames, sliceFrames, writeOutputs } from './media.js';
import { InputError, loopContext, planMode } from './modes.js';
import {
  defaultPrecision,
  type LoadedPack,
  loadPack,
  offeredBackends,
  onnxruntimeVersion,
  ort,
  resolvePackDir,
  transformerPath,
  transformerSession,
} from './pack.js';
import { appVersion } from './paths.js';
import { minObjectArea, paletteOf, presenceScore, twoObjectColors } from './presence.js';
import { expandPrompt, loadWorldSpec } from './prompt.js';
import { drawSeed, gaussian, Xoshiro128 } from './rng.js';
import {
  type Context,
  emptyContext,
  guidanceSchedule,
  guidedVelocity,
  type LatentShape,
  latentSize,
  sample,
} from './sampler.js';
import { flowTimesteps, remixStartIndex } from './scheduler.js';
import { cleanEstimate, guideTarget, type NoiseSearchResult, searchNoise, targetLogProb } from './search.js';

export type { EngineInfo, Generate, GenerateHooks, GenerateResult, OutputTarget } from './api.js';
export { readRecipeFromFile } from './media.js';
export { InputError } from './modes.js';
export { listPacks } from './pack.js';
export { expandPrompt } from './prompt.js';

export const ENGINE_NAME = 'tessera-engine';

/** Text embeddings kept per pack (oldest evicted first). */
const TEXT_CACHE_LIMIT = 256;
export const ENGINE_VERSION: string = appVersion();

/**
 * Loads a pack's sessions ahead of the first job and runs the transformer once at the default
 * size (its first run allocates buffers and is several times slower than later ones), and the
 * text encoder on the empty caption that every guided job uses. The worker calls this at start,
 * so the first job's first progress event comes one step after it arrives. `precision` (default:
 * the pack's) picks the transformer primed; the bench primes int8 this way before timing it.
 */
export async function warmUp(
  pack?: string,
  precision?: Precision,
): Promise<{ pack: string; provider: string; precision: Precision; loadMs: number; warmMs: number }> {
  const start = performance.now();
  const loaded = await loadPack(resolvePackDir(pack));
  const used = precision ?? defaultPrecision(loaded.index);
  if (transformerPath(loaded.index, used) === undefined) throw new InputError(missingVariant(loaded, used));
  const transformer = await transformerSession(loaded, used);
  const d = loaded.index.default;
  const cell = loaded.index.compression.spatial;
  const s: LatentShape = {
    C: loaded.index.latent_channels,
    T: 1 + (d.frames - 1) / loaded.index.compression.temporal,
    h: d.height / cell,
    w: d.width / cell,
  };
  const uncond = await textEmbeds(loaded, '');
  const L = loaded.index.text.max_length;
  const latents = new Float32Array(2 * latentSize(s));
  const dims = [2, s.C, s.T, s.h, s.w];
  await transformer.run({
    latents: new ort.Tensor('float32', latents, dims),
    timestep: new ort.Tensor('float32', Float32Array.of(1, 1), [2]),
    text_embeds: new ort.Tensor('float32', new Float32Array(2 * uncond.embeds.length), [2, L, loaded.textDim]),
    text_mask: new ort.Tensor('float32', new Float32Array(2 * L).fill(1), [2, L]),
    context: new ort.Tensor('float32', new Float32Array(latents.length), dims),
    context_mask: new ort.Tensor('float32', new Float32Array(2 * s.T * s.h * s.w), [2, 1, s.T, s.h, s.w]),
  });
  return {
    pack: loaded.index.name,
    provider: loaded.provider,
    precision: used,
    loadMs: loaded.loadMs,
    warmMs: performance.now() - start,
  };
}

export async function getEngineInfo(): Promise<EngineInfo> {
  return { onnxruntimeVersion, providers: offeredBackends() };
}

/** Everything about a job once defaults are resolved and inputs validated. */
interface Job {
  req: RecipeRequestParsed;
  seed: number;
  steps: number;
  guidance: number;
  guidanceInterval: GuidanceInterval;
  /** Stronger guidance at the highest noise levels; undefined when none applies. */
  guidanceHigh: GuidanceHigh | undefined;
  sampler: 'euler' | 'heun';
  precision: Precision;
  /** Noise-search candidates (1: none). */
  search: number;
  width: number;
  height: number;
  frames: number;
  shape: LatentShape;
}

function missingVariant(pack: LoadedPack, precision: Precision): string {
  return `Pack ${pack.index.name} has no ${precision} transformer (graphs.transformer.variants.${precision} in ${pack.dir}/model_index.json); re-export it with models/tessera/export.py --int8-only, or use precision fp32`;
}

function resolveJob(pack: LoadedPack, req: RecipeRequestParsed): Job {
  const idx = pack.index;
  const d = idx.default;
  if (!idx.modes.includes(req.mode)) throw new InputError(`Pack ${idx.name} does not support mode ${req.mode}`);
  const precision = req.precision ?? defaultPrecision(idx);
  if (transformerPath(idx, precision) === undefined) throw new InputError(missingVariant(pack, precision));
  const width = req.width ?? d.width;
  const height = req.height ?? d.height;
  if (!idx.sizes.some((s) => s.width === width && s.height === height)) {
    const allowed = idx.sizes.map((s) => `${s.width}x${s.height}`).join(', ');
    throw new InputError(`Size ${width}x${height} is not supported by pack ${idx.name} (allowed: ${allowed})`);
  }
  let frames = req.frames ?? d.frames;
  if (req.mode === 'image') {
    if (req.frames !== undefined && req.frames !== 1)
      throw new InputError(`Mode image makes 1 frame, not ${req.frames}`);
    frames = 1;
  } else if (!idx.frame_counts.includes(frames)) {
    throw new InputError(
      `${frames} frames is not supported by pack ${idx.name} (allowed: ${idx.frame_counts.join(', ')})`,
    );
  }
  if (req.strength !== undefined && req.mode !== 'remix') throw new InputError('strength applies to mode remix only');
  if (req.mode === 'remix' && req.strength === undefined) throw new InputError('Mode remix needs a strength in (0, 1]');
  const needsSource = ['i2v', 'extend_forward', 'extend_backward', 'bridge', 'remix'].includes(req.mode);
  if (needsSource && !req.source) throw new InputError(`Mode ${req.mode} needs a source file`);
  if (req.mode === 'bridge' && !req.sourceEnd) throw new InputError('Mode bridge needs a second clip (sourceEnd)');
  if (req.sourceEnd && req.mode !== 'bridge') throw new InputError('sourceEnd applies to mode bridge only');
  if (req.source && (req.mode === 't2v' || req.mode === 'image'))
    throw new InputError(`Mode ${req.mode} takes no source file (use i2v, extend, bridge, remix or loop)`);
  const cell = idx.compression.spatial;
  const shape: LatentShape = {
    C: idx.latent_channels,
    T: 1 + (frames - 1) / idx.compression.temporal,
    h: height / cell,
    w: width / cell,
  };
  return {
    req,
    seed: req.seed ?? drawSeed(),
    steps: req.steps ?? d.steps,
    guidance: req.guidance ?? d.guidance,
    guidanceInterval: req.guidanceInterval ?? d.guidance_interval ?? [0, 1],
    guidanceHigh: resolveGuidanceHigh(
      req.guidanceHigh,
      CAPTION_LAYOUT_MODES.has(req.mode) ? d.guidance_high : undefined,
    ),
    sampler: req.sampler ?? d.sampler,
    precision,
    search: req.search ?? d.noise_search?.candidates ?? 1,
    width,
    height,
    frames,
    shape,
  };
}

/**
 * Modes whose layout comes from the caption alone, where the pack's high-noise guidance band
 * applies by default. With context frames the frames set the layout, and a strong pull toward
 * the caption made extension seams jump (PACK_FORMAT.md, "Text").
 */
const CAPTION_LAYOUT_MODES: ReadonlySet<Mode> = new Set<Mode>(['t2v', 'image', 'remix']);

/** The request's high-noise guidance; absent means the pack's default, null means none. */
function resolveGuidanceHigh(
  asked: GuidanceHigh | null | undefined,
  packDefault: { from_t: number; guidance: number } | undefined,
): GuidanceHigh | undefined {
  if (asked === null) return undefined;
  if (asked !== undefined) return asked;
  return packDefault && { fromT: packDefault.from_t, guidance: packDefault.guidance };
}

async function textEmbeds(
  pack: LoadedPack,
  caption: string,
): Promise<{ embeds: Float32Array; mask: Float32Array; unknown: string[] }> {
  const L = pack.index.text.max_length;
  const enc = pack.tokenizer.encode(caption, L);
  let embeds = pack.textCache.get(caption);
  if (!embeds) {
    const out = await pack.sessions.text_encoder.run({
      input_ids: new ort.Tensor('int64', enc.inputIds, [1, L]),
      attention_mask: new ort.Tensor('int64', enc.attentionMask, [1, L]),
    });
    embeds = new Float32Array((out.text_embeds as ort.Tensor).data as Float32Array);
    if (pack.textCache.size >= TEXT_CACHE_LIMIT) {
      const oldest = pack.textCache.keys().next().value;
      if (oldest !== undefined) pack.textCache.delete(oldest);
    }
    pack.textCache.set(caption, embeds);
  }
  return { embeds, mask: Float32Array.from(enc.attentionMask, (v) => Number(v)), unknown: enc.unknown };
}

function framesToTensor(frames: Frames): ort.Tensor {
  const { width: W, height: H, count: F } = frames;
  const plane = W * H;
  const data = new Float32Array(3 * F * plane);
  for (let f = 0; f < F; f++)
    for (let i = 0; i < plane; i++)
      for (let c = 0; c < 3; c++)
        data[c * F * plane + f * plane + i] = (frames.data[(f * plane + i) * 3 + c] as number) / 127.5 - 1;
  return new ort.Tensor('float32', data, [1, 3, F, H, W]);
}

function tensorToFrames(t: ort.Tensor): Frames {
  const [, , F = 0, H = 0, W = 0] = t.dims;
  const src = t.data as Float32Array;
  const plane = W * H;
  const data = new Uint8Array(F * plane * 3);
  for (let f = 0; f < F; f++)
    for (let i = 0; i < plane; i++)
      for (let c = 0; c < 3; c++) {
        const v = Math.round(((src[c * F * plane + f * plane + i] as number) + 1) * 127.5);
        data[(f * plane + i) * 3 + c] = v < 0 ? 0 : Math.min(v, 255);
      }
  return { width: W, height: H, count: F, data };
}

async function vaeEncode(pack: LoadedPack, frames: Frames): Promise<Float32Array> {
  const out = await pack.sessions.vae_encoder.run({ video: framesToTensor(frames) });
  const raw = (out.latent as ort.Tensor).data as Float32Array;
  const { scaling_factor: scale, shift_factor: shift } = pack.index.vae;
  return Float32Array.from(raw, (v) => (v - shift) * scale);
}

async function vaeDecode(pack: LoadedPack, z: Float32Array, s: LatentShape): Promise<Frames> {
  const { scaling_factor: scale, shift_factor: shift } = pack.index.vae;
  const raw = Float32Array.from(z, (v) => v / scale + shift);
  const out = await pack.sessions.vae_decoder.run({ latent: new ort.Tensor('float32', raw, [1, s.C, s.T, s.h, s.w]) });
  return tensorToFrames(out.video as ort.Tensor);
}

interface DenoiseArgs {
  pack: LoadedPack;
  /** The job's transformer (its precision). */
  transformer: ort.InferenceSession;
  job: Job;
  shape: LatentShape;
  x: Float32Array;
  context: Context;
  startIndex: number;
  cond: { embeds: Float32Array; mask: Float32Array };
  uncond: { embeds: Float32Array; mask: Float32Array };
  hooks: GenerateHooks;
  timesteps: Float64Array;
  report: boolean;
  progressBefore?: { steps: number; elapsedMs: number };
}

/** The job's guided velocity: the transformer with its text and context inputs fixed. */
function jobVelocity(
  a: Pick<DenoiseArgs, 'pack' | 'transformer' | 'job' | 'shape' | 'context' | 'cond' | 'uncond'>,
): (x: Float32Array, t: number) => Promise<Float32Array> {
  const { pack, shape: s, context } = a;
  const size = latentSize(s);
  const L = pack.index.text.max_length;
  const D = a.cond.embeds.length / L;
  const dims = [s.C, s.T, s.h, s.w];
  const maskDims = [1, s.T, s.h, s.w];
  const build = (b: number) => {
    const cat = (x: Float32Array, y: Float32Array): Float32Array => {
      const out = new Float32Array(x.length * b);
      out.set(x, 0);
      if (b === 2) out.set(y, x.length);
      return out;
    };
    return {
      text_embeds: new ort.Tensor('float32', cat(a.cond.embeds, a.uncond.embeds), [b, L, D]),
      text_mask: new ort.Tensor('float32', cat(a.cond.mask, a.uncond.mask), [b, L]),
      context: new ort.Tensor('float32', cat(context.context, context.context), [b, ...dims]),
      context_mask: new ort.Tensor('float32', cat(context.mask, context.mask), [b, ...maskDims]),
    };
  };
  const fixed = { 1: build(1), 2: build(2) } as const;
  const run = async (latents: Float32Array, timestep: Float32Array, b: number): Promise<Float32Array> => {
    const out = await a.transformer.run({
      ...fixed[b === 2 ? 2 : 1],
      latents: new ort.Tensor('float32', latents, [b, ...dims]),
      timestep: new ort.Tensor('float32', timestep, [b]),
    });
    return (out.velocity as ort.Tensor).data as Float32Array;
  };
  const { guidance, guidanceInterval, guidanceHigh } = a.job;
  return guidedVelocity(run, guidanceSchedule(guidance, guidanceInterval, guidanceHigh), size);
}

async function denoise(a: DenoiseArgs): Promise<Float32Array> {
  return sample({
    x: a.x,
    shape: a.shape,
    timesteps: a.timesteps,
    startIndex: a.startIndex,
    sampler: a.job.sampler,
    velocity: jobVelocity(a),
    context: a.context,
    projection: a.pack.index.latent_rgb_projection,
    previewEvery: Math.max(1, Math.round((a.timesteps.length - 1) / 10)),
    previewScale: 4,
    onProgress: a.report ? a.hooks.onProgress : undefined,
    onPreview: a.report ? a.hooks.onPreview : undefined,
    ...(a.progressBefore ? { progressBefore: a.progressBefore } : {}),
    signal: a.hooks.signal,
  });
}

/**
 * Noise search for a text-to-video job (PACK_FORMAT.md, "Noise search"): a caption of one object
 * is scored by the pack's guide, one of two objects by both colours' presence when the pack asks
 * for it; undefined when neither applies.
 */
async function runNoiseSearch(
  a: Omit<DenoiseArgs, 'x' | 'startIndex' | 'report'>,
  noise: Float32Array,
  caption: string,
): Promise<NoiseSearchResult | undefined> {
  const { pack, job } = a;
  const settings = pack.index.default.noise_search;
  if (job.req.mode !== 't2v' || job.search <= 1 || !settings) return undefined;
  const velocity = jobVelocity(a);
  const score = guideScore(pack, caption, job.shape) ?? colorScore(pack, caption, job.shape, velocity);
  if (!score) return undefined;
  return searchNoise({
    seed: job.seed,
    noise,
    timesteps: a.timesteps,
    settings: { ...settings, candidates: job.search },
    velocity,
    score,
    onProgress: a.hooks.onProgress,
    totalSteps: job.search * settings.screen_steps + (a.timesteps.length - 1),
    signal: a.hooks.signal,
  });
}

type CandidateScore = (x: Float32Array, tStar: number) => Promise<number>;

/** One object: the guide's log-probability of its shape and motion. */
function guideScore(pack: LoadedPack, caption: string, s: LatentShape): CandidateScore | undefined {
  const heads = pack.index.graphs.guide?.heads;
  const guide = pack.guide;
  const target = heads && guide ? guideTarget(caption, heads) : undefined;
  if (!guide || !target) return undefined;
  const dims = [1, s.C, s.T, s.h, s.w];
  return async (x, t) => {
    const out = await guide.run({
      latents: new ort.Tensor('float32', x, dims),
      timestep: new ort.Tensor('float32', Float32Array.of(t), [1]),
    });
    return targetLogProb((out.logits as ort.Tensor).data as Float32Array, target);
  };
}

/** Two objects: both colours' presence in the decoded estimate of the clean clip at t*. */
function colorScore(
  pack: LoadedPack,
  caption: string,
  s: LatentShape,
  velocity: (x: Float32Array, t: number) => Promise<Float32Array>,
): CandidateScore | undefined {
  if (!pack.index.default.noise_search?.screen_colors) return undefined;
  const spec = loadWorldSpec();
  const colors = twoObjectColors(caption, spec.object_colors);
  if (!colors) return undefined;
  const palette = paletteOf(spec);
  const wanted = colors.map((c) => palette.names.indexOf(c));
  const small = spec.sizes.small;
  if (typeof small !== 'number') throw new Error('World spec: sizes.small must be a number (the smallest object size)');
  return async (x, t) => {
    const frames = await vaeDecode(pack, cleanEstimate(x, await velocity(x, t), t), s);
    return presenceScore(frames, palette.colors, wanted, minObjectArea(frames.width, frames.height, small));
  };
}

/** Runs the model for a resolved job and returns the decoded output frames (no files). */
export async function renderFrames(
  request: RecipeRequestParsed,
  hooks: GenerateHooks = {},
): Promise<{ frames: Frames; recipe: Omit<Recipe, 'createdAt'>; pack: LoadedPack }> {
  const timings: Record<string, number> = {};
  const t0 = performance.now();
  const mark = (name: string, since: number): number => {
    const now = performance.now();
    timings[name] = Math.round((now - since) * 10) / 10;
    return now;
  };
  let packDir: string;
  try {
    packDir = resolvePackDir(request.pack);
  } catch (err) {
    throw new InputError((err as Error).message);
  }
  let pack: LoadedPack;
  try {
    pack = await loadPack(packDir);
  } catch (err) {
    // A pack the user named that cannot be used is bad input; a broken built-in pack is not.
    if (request.pack) throw new InputError((err as Error).message);
    throw err;
  }
  const job = resolveJob(pack, request);
  // A precision other than the pack's default loads here on its first job (counted as load time).
  let transformer: ort.InferenceSession;
  try {
    transformer = await transformerSession(pack, job.precision);
  } catch (err) {
    if (request.pack) throw new InputError((err as Error).message);
    throw err;
  }
  let t = mark('load', t0);
  hooks.signal?.throwIfAborted();

  const expansion = expandPrompt(request.prompt);
  const cond = await textEmbeds(pack, expansion.caption);
  const uncond = await textEmbeds(pack, request.negativePrompt ?? '');
  t = mark('text', t);

  const s = job.shape;
  const io = {
    read: async (path: string): Promise<Frames> => {
      try {
        return await readFrames(path, { width: job.width, height: job.height, fit: request.fit ?? 'crop' });
      } catch (err) {
        throw new InputError((err as Error).message);
      }
    },
    encode: (frames: Frames) => vaeEncode(pack, frames),
  };
  const plan = await planMode(
    { mode: request.mode, frames: job.frames, source: request.source, sourceEnd: request.sourceEnd },
    s,
    io,
  );
  t = mark('encode_source', t);

  const rng = new Xoshiro128(job.seed);
  const timesteps = flowTimesteps(job.steps, pack.shift);
  let context = plan.context;
  if (plan.needsFirstFrame) {
    // Loop without an image: generate the first latent frame (a 1-frame clip) first.
    const s1: LatentShape = { ...s, T: 1 };
    const x1 = gaussian(rng, latentSize(s1));
    const z0 = await denoise({
      pack,
      transformer,
      job,
      shape: s1,
      x: x1,
      context: emptyContext(s1),
      startIndex: 0,
      cond,
      uncond,
      hooks,
      timesteps,
      report: false,
    });
    context = loopContext(s, z0);
    t = mark('denoise_first_frame', t);
  }
  let noise = gaussian(rng, latentSize(s));
  const searched = await runNoiseSearch(
    { pack, transformer, job, shape: s, context, cond, uncond, hooks, timesteps },
    noise,
    expansion.caption,
  );
  if (searched) {
    noise = searched.noise;
    t = mark('search', t);
  }
  const progressBefore = searched ? { steps: searched.steps, elapsedMs: searched.elapsedMs } : undefined;
  let startIndex = 0;
  let x = noise;
  if (plan.remixLatent) {
    startIndex = remixStartIndex(timesteps, request.strength ?? 1);
    const ts = timesteps[startIndex] as number;
    const z = plan.remixLatent;
    x = Float32Array.from(noise, (n, i) => (1 - ts) * (z[i] as number) + ts * n);
  }
  const z = await denoise({
    pack,
    transformer,
    job,
    shape: s,
    x,
    context,
    startIndex,
    cond,
    uncond,
    hooks,
    timesteps,
    report: true,
    ...(progressBefore ? { progressBefore } : {}),
  });
  t = mark('denoise', t);
  hooks.signal?.throwIfAborted();
  const decoded = await vaeDecode(pack, z, s);
  t = mark('decode', t);
  const frames = sliceFrames(decoded, plan.keep[0], plan.keep[1]);

  const recipe: Omit<Recipe, 'createdAt'> = {
    mode: request.mode,
    prompt: request.prompt,
    expandedPrompt: expansion.caption,
    // Words the expander could not place, and any caption word the pack's tokenizer lacks.
    unknownWords: [...new Set([...expansion.unknownWords, ...cond.unknown])],
    ...(request.negativePrompt !== undefined ? { negativePrompt: request.negativePrompt } : {}),
    seed: job.seed,
    steps: job.steps,
    guidance: job.guidance,
    guidanceInterval: job.guidanceInterval,
    ...(job.guidanceHigh ? { guidanceHigh: job.guidanceHigh } : {}),
    sampler: job.sampler,
    width: job.width,
    height: job.height,
    frames: job.frames,
    fps: pack.index.fps,
    ...(request.source !== undefined ? { source: request.source } : {}),
    ...(request.sourceEnd !== undefined ? { sourceEnd: request.sourceEnd } : {}),
    ...(request.fit !== undefined ? { fit: request.fit } : {}),
    ...(request.strength !== undefined ? { strength: request.strength } : {}),
    pack: { name: pack.index.name, version: pack.index.version },
    precision: job.precision,
    search: job.search,
    ...(searched ? { searchCandidate: searched.candidate } : {}),
    engine: {
      name: ENGINE_NAME,
      version: ENGINE_VERSION,
      onnxruntime: onnxruntimeVersion,
      provider: pack.provider,
      cpu: cpuModel(),
      cpuFeatures: cpuFeatures(),
    },
    timings,
  };
  return { frames, recipe, pack };
}

// The engine's API re-renders recipes with the one shared definition (it lives with the schema).
export { requestFromRecipe } from '../../preload/recipe.js';

/** Parses a request, naming the bad field in an InputError. */
export function parseRequest(request: unknown): RecipeRequestParsed {
  const parsed = recipeRequestSchema.safeParse(request);
  if (!parsed.success) {
    throw new InputError(parsed.error.issues.map((i) => `${i.path.join('.') || 'request'}: ${i.message}`).join('; '));
  }
  return parsed.data;
}

export const generate: Generate = async (request, target: OutputTarget, hooks: GenerateHooks = {}) => {
  const start = performance.now();
  const req = parseRequest(request);
  const { frames, recipe: partial } = await renderFrames(req, hooks);
  const timings = partial.timings ?? {};
  const recipe: Recipe = { ...partial, timings, createdAt: new Date().toISOString() };
  await mkdir(target.outDir, { recursive: true });
  const files = {
    videoPath: join(target.outDir, `${target.baseName}.mp4`),
    posterPath: join(target.outDir, `${target.baseName}.png`),
    recipePath: join(target.outDir, `${target.baseName}.json`),
  };
  const tEnc = performance.now();
  // The encode and total timings are known only after writing; the files carry what came before.
  await writeOutputs(frames, recipe.fps, recipe, files, hooks.signal);
  timings.encode = Math.round((performance.now() - tEnc) * 10) / 10;
  timings.total = Math.round((performance.now() - start) * 10) / 10;
  const result: GenerateResult = {
    recipe,
    ...files,
    frames: frames.count,
    width: frames.width,
    height: frames.height,
    durationSec: frames.count / recipe.fps,
  };
  return result;
};
