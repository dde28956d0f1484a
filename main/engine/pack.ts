/**
 * Model packs (models/PACK_FORMAT.md, format 1): find, load and validate a pack, choose the
 * execution provider, and create its onnxruntime sessions once per pack folder. The transformer
 * may come in more than one precision (graphs.transformer.variants); the default one loads with
 * the pack, another only when a job asks for it (`transformerSession`).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import * as ort from 'onnxruntime-node';
import { z } from 'zod';
import { type Precision, precisionSchema } from '../../preload/recipe.js';
import { type GraphSource, optimizedGraphSource } from './optimizedGraphs.js';
import { APP_ROOT } from './paths.js';
import { WordLevelTokenizer } from './tokenizer.js';

export const REPO_ROOT = APP_ROOT;
export const BUILTIN_PACKS_DIR = join(REPO_ROOT, 'models', 'packs');
export const DEFAULT_PACK_NAME = 'tessera-tiny';
/** The user's own packs: TESSERA_PACKS_DIR, else ~/.tessera/packs. */
export function userPacksDir(): string {
  return process.env.TESSERA_PACKS_DIR ?? join(homedir(), '.tessera', 'packs');
}

export const PACK_FORMAT = 1;
export const GRAPH_NAMES = ['text_encoder', 'transformer', 'vae_encoder', 'vae_decoder'] as const;
export type GraphName = (typeof GRAPH_NAMES)[number];
/** Graphs a pack may leave out; the guide enables noise search (PACK_FORMAT.md, "Noise search"). */
export type OptionalGraphName = 'guide';

/** Input and output names each graph must have (PACK_FORMAT.md, "Graphs"). */
export const GRAPH_IO: Record<GraphName | OptionalGraphName, { inputs: string[]; outputs: string[] }> = {
  text_encoder: { inputs: ['input_ids', 'attention_mask'], outputs: ['text_embeds'] },
  transformer: {
    inputs: ['latents', 'timestep', 'text_embeds', 'text_mask', 'context', 'context_mask'],
    outputs: ['velocity'],
  },
  vae_encoder: { inputs: ['video'], outputs: ['latent'] },
  vae_decoder: { inputs: ['latent'], outputs: ['video'] },
  guide: { inputs: ['latents', 'timestep'], outputs: ['logits'] },
};

/** Transformer precisions (the recipe's): fp32 is `graphs.transformer.path`, others `variants.<name>.path`. */
export const PRECISIONS = precisionSchema.options;
export type { Precision };
/** What a pack without `default.precision` (made before variants existed) runs. */
export const FALLBACK_PRECISION: Precision = 'fp32';

const positiveInt = z.number().int().positive();
const graphSchema = z.object({ path: z.string() });
const modelIndexSchema = z.object({
  format: z.literal(PACK_FORMAT),
  name: z.string().min(1),
  version: z.string().min(1),
  fps: z.number().positive(),
  latent_channels: positiveInt,
  compression: z.object({ temporal: positiveInt, spatial: positiveInt }),
  patch_size: z.tuple([positiveInt, positiveInt, positiveInt]),
  sizes: z.array(z.object({ name: z.string().optional(), width: positiveInt, height: positiveInt })).min(1),
  frame_counts: z.array(positiveInt).min(1),
  default: z.object({
    width: positiveInt,
    height: positiveInt,
    frames: positiveInt,
    steps: positiveInt,
    guidance: z.number().min(0),
    /** Optional: where guidance applies; absent means every step ([0, 1]). */
    guidance_interval: z.tuple([z.number().min(0).max(1), z.number().min(0).max(1)]).optional(),
    /** Optional: guidance for t >= from_t instead of `guidance` (PACK_FORMAT.md, "Text"); absent means none. */
    guidance_high: z.object({ from_t: z.number().min(0).max(1), guidance: z.number().min(0) }).optional(),
    sampler: z.enum(['euler', 'heun']),
    /** Optional: the transformer precision a job gets when it asks for none; absent means fp32. */
    precision: precisionSchema.optional(),
    /** Optional: noise search with graphs.guide (PACK_FORMAT.md); absent means none. */
    noise_search: z
      .object({
        candidates: positiveInt,
        screen_to: z.number().gt(0).lt(1),
        screen_steps: positiveInt,
        /** Optional: screen two-object captions for both colours (PACK_FORMAT.md); absent means off. */
        screen_colors: z.boolean().optional(),
      })
      .optional(),
  }),
  modes: z.array(z.string()),
  text: z.object({ max_length: positiveInt }),
  vae: z.object({ scaling_factor: z.number(), shift_factor: z.number() }),
  latent_rgb_projection: z.object({
    weight: z.array(z.array(z.number()).length(3)),
    bias: z.array(z.number()).length(3),
  }),
  graphs: z.object({
    text_encoder: graphSchema,
    /** Optional variants of the same graph (same inputs and outputs), e.g. a quantised int8 file. */
    transformer: graphSchema.extend({ variants: z.object({ int8: graphSchema.optional() }).optional() }),
    vae_encoder: graphSchema,
    vae_decoder: graphSchema,
    /** Optional: attribute groups in logit order; each group names an attribute of the caption's object. */
    guide: graphSchema.extend({ heads: z.record(z.string(), z.array(z.string()).min(1)) }).optional(),
  }),
});
export type ModelIndex = z.infer<typeof modelIndexSchema>;

/** The transformer file for a precision, relative to the pack; undefined when the pack lacks it. */
export function transformerPath(index: ModelIndex, precision: Precision): string | undefined {
  return precision === 'fp32' ? index.graphs.transformer.path : index.graphs.transformer.variants?.[precision]?.path;
}

export function defaultPrecision(index: ModelIndex): Precision {
  return index.default.precision ?? FALLBACK_PRECISION;
}

const schedulerConfigSchema = z.object({ num_train_timesteps: z.number().optional(), shift: z.number().positive() });

export interface PackInfo {
  dir: string;
  index: ModelIndex;
  shift: number;
  tokenizer: WordLevelTokenizer;
}

export interface LoadedPack extends PackInfo {
  /** `transformer` is the pack's default precision; other precisions are in `transformers`. */
  sessions: Record<GraphName, ort.InferenceSession>;
  /** The attribute guide, when the pack has one (noise search). */
  guide?: ort.InferenceSession;
  /** Transformer sessions by precision, created on first use (the default one at load). */
  transformers: Map<Precision, Promise<ort.InferenceSession>>;
  provider: string;
  loadMs: number;
  /** Text embeddings per caption, [L, D] each. */
  textCache: Map<string, Float32Array>;
  textDim: number;
}

function readJson(path: string, what: string): unknown {
  if (!existsSync(path)) throw new Error(`Pack is missing ${what}: ${path}`);
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`Pack file ${path} is not valid JSON: ${(err as Error).message}`);
  }
}

function describeZod(err: z.ZodError): string {
  return err.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
}

/** Reads and validates a pack folder's JSON and files (no sessions). */
export function readPackInfo(dir: string): PackInfo {
  const indexPath = join(dir, 'model_index.json');
  const raw = readJson(indexPath, 'model_index.json');
  const format = (raw as { format?: unknown }).format;
  if (format !== PACK_FORMAT) {
    throw new Error(`Pack ${dir} has format ${String(format)}; this engine reads pack format ${PACK_FORMAT}`);
  }
  const parsed = modelIndexSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`Pack ${indexPath} is invalid: ${describeZod(parsed.error)}`);
  const index = parsed.data;
  if (index.latent_rgb_projection.weight.length !== index.latent_channels) {
    throw new Error(
      `Pack ${indexPath}: latent_rgb_projection.weight has ${index.latent_rgb_projection.weight.length} rows, expected latent_channels = ${index.latent_channels}`,
    );
  }
  const cell = index.compression.spatial * index.patch_size[1];
  for (const s of index.sizes) {
    if (s.width % cell !== 0 || s.height % cell !== 0) {
      throw new Error(`Pack ${indexPath}: size ${s.width}x${s.height} is not a multiple of ${cell}`);
    }
  }
  for (const f of index.frame_counts) {
    if ((f - 1) % index.compression.temporal !== 0)
      throw new Error(`Pack ${indexPath}: frame count ${f} is not 1 + ${index.compression.temporal}k`);
  }
  for (const g of GRAPH_NAMES) {
    const p = join(dir, index.graphs[g].path);
    if (!existsSync(p)) throw new Error(`Pack is missing the ${g} graph: ${p}`);
  }
  if (index.graphs.guide && !existsSync(join(dir, index.graphs.guide.path)))
    throw new Error(`Pack is missing the guide graph: ${join(dir, index.graphs.guide.path)}`);
  if (index.default.noise_search && !index.graphs.guide)
    throw new Error(`Pack ${indexPath}: default.noise_search needs a guide graph (graphs.guide)`);
  // Variants are checked here too, so a pack that lists one it lacks is refused up front rather
  // than failing the first job that asks for that precision.
  for (const precision of PRECISIONS.filter((p) => p !== 'fp32')) {
    const rel = transformerPath(index, precision);
    if (rel !== undefined && !existsSync(join(dir, rel)))
      throw new Error(
        `Pack is missing the transformer ${precision} variant (graphs.transformer.variants.${precision}): ${join(dir, rel)}`,
      );
  }
  if (transformerPath(index, defaultPrecision(index)) === undefined) {
    throw new Error(
      `Pack ${indexPath}: default.precision is ${defaultPrecision(index)} but graphs.transformer.variants has no ${defaultPrecision(index)} entry`,
    );
  }
  const sched = schedulerConfigSchema.safeParse(
    readJson(join(dir, 'scheduler', 'scheduler_config.json'), 'scheduler/scheduler_config.json'),
  );
  if (!sched.success)
    throw new Error(`Pack ${dir}/scheduler/scheduler_config.json is invalid: ${describeZod(sched.error)}`);
  const tokPath = join(dir, 'tokenizer', 'tokenizer.json');
  if (!existsSync(tokPath)) throw new Error(`Pack is missing tokenizer/tokenizer.json: ${tokPath}`);
  const tokenizer = WordLevelTokenizer.fromFile(tokPath);
  return { dir, index, shift: sched.data.shift, tokenizer };
}

export interface PackSummary {
  name: string;
  version?: string;
  dir: string;
  builtin: boolean;
  /** Why the pack cannot be used, when it cannot. */
  error?: string;
}

/** Lists packs in the app's models/packs and the user packs folder. */
export function listPacks(userDir = userPacksDir()): PackSummary[] {
  const out: PackSummary[] = [];
  for (const [root, builtin] of [
    [BUILTIN_PACKS_DIR, true],
    [userDir, false],
  ] as const) {
    if (!existsSync(root)) continue;
    for (const entry of readdirSync(root)) {
      const dir = join(root, entry);
      if (!statSync(dir).isDirectory()) continue;
      try {
        const info = readPackInfo(dir);
        out.push({ name: info.index.name, version: info.index.version, dir, builtin });
      } catch (err) {
        out.push({ name: entry, dir, builtin, error: (err as Error).message });
      }
    }
  }
  return out;
}

/** Resolves a pack name or folder path to a folder. */
export function resolvePackDir(pack?: string): string {
  if (!pack) return join(BUILTIN_PACKS_DIR, DEFAULT_PACK_NAME);
  if (isAbsolute(pack) || pack.includes('/') || pack.includes('\\') || pack.startsWith('.')) return resolve(pack);
  for (const root of [BUILTIN_PACKS_DIR, userPacksDir()]) {
    const dir = join(root, pack);
    if (existsSync(join(dir, 'model_index.json'))) return dir;
  }
  const byName = listPacks().find((p) => p.name === pack && !p.error);
  if (byName) return byName.dir;
  throw new Error(`No pack named "${pack}" in ${BUILTIN_PACKS_DIR} or ${userPacksDir()}`);
}

/** Accelerated providers in order of preference; CPU is the fallback. */
const PREFERRED = ['cuda', 'dml', 'coreml', 'webgpu'] as const;

export function offeredBackends(): string[] {
  return ort.listSupportedBackends().map((b) => b.name);
}

const ORT_BIN_DIR = join(
  dirname(createRequire(import.meta.url).resolve('onnxruntime-node')),
  '..',
  'bin',
  'napi-v6',
  process.platform,
  process.arch,
);

/**
 * Whether an accelerated provider is worth trying here. Providers that onnxruntime-node does
 * not bundle (CUDA, TensorRT) need their add-on library on disk; WebGPU on Linux needs a GPU
 * render node (/dev/dri/renderD*), else Dawn only finds a software adapter or none.
 */
function worthTrying(name: string): boolean {
  const backend = ort.listSupportedBackends().find((b) => b.name === name);
  if (!backend) return false;
  if (!backend.bundled) {
    const lib =
      process.platform === 'win32' ? `onnxruntime_providers_${name}.dll` : `libonnxruntime_providers_${name}.so`;
    if (!existsSync(join(ORT_BIN_DIR, lib))) return false;
  }
  if (name === 'webgpu' && process.platform === 'linux') {
    return existsSync('/dev/dri') && readdirSync('/dev/dri').some((f) => f.startsWith('renderD'));
  }
  return true;
}

function sessionOptions(provider: string, source: GraphSource): ort.InferenceSession.SessionOptions {
  return {
    executionProviders: provider === 'cpu' ? ['cpu'] : [provider, 'cpu'],
    graphOptimizationLevel: source.level,
    // Writing the optimised graph makes onnxruntime warn that it is CPU-specific, which the cache key handles.
    ...(source.saveTo ? { optimizedModelFilePath: source.saveTo, logSeverityLevel: 3 as const } : {}),
    executionMode: 'sequential',
    intraOpNumThreads: Number(process.env.TESSERA_THREADS) || availableParallelism(),
    interOpNumThreads: 1,
    enableCpuMemArena: true,
  };
}

async function createSession(
  path: string,
  provider: string,
  graph: GraphName | OptionalGraphName,
  precision?: Precision,
): Promise<ort.InferenceSession> {
  let session: ort.InferenceSession;
  const what = precision ? `${graph} graph (${precision})` : `${graph} graph`;
  const source = optimizedGraphSource(path, provider, ort.env.versions.common);
  try {
    try {
      session = await ort.InferenceSession.create(source.path, sessionOptions(provider, source));
      source.commit();
    } catch (err) {
      source.discard();
      if (source.path === path) throw err;
      // A damaged cached graph: load the pack's own file instead (the cache entry is gone now).
      session = await ort.InferenceSession.create(path, sessionOptions(provider, { path, level: 'all' }));
    }
  } catch (err) {
    throw new Error(`Cannot load the ${what} ${path} (${provider}): ${(err as Error).message}`);
  }
  const io = GRAPH_IO[graph];
  const missingIn = io.inputs.filter((n) => !session.inputNames.includes(n));
  const missingOut = io.outputs.filter((n) => !session.outputNames.includes(n));
  if (missingIn.length || missingOut.length) {
    throw new Error(
      `The ${what} ${path} does not match pack format ${PACK_FORMAT}: missing ${[...missingIn.map((n) => `input ${n}`), ...missingOut.map((n) => `output ${n}`)].join(', ')}`,
    );
  }
  return session;
}

function checkShapes(info: PackInfo, sessions: Record<GraphName, ort.InferenceSession>): number {
  const meta = (
    s: ort.InferenceSession,
    name: string,
    list: 'inputMetadata' | 'outputMetadata',
  ): readonly (string | number)[] | undefined => {
    const m = s[list].find((x) => x.name === name);
    return m?.isTensor ? m.shape : undefined;
  };
  const C = info.index.latent_channels;
  const latentShape = meta(sessions.transformer, 'latents', 'inputMetadata');
  if (latentShape && typeof latentShape[1] === 'number' && latentShape[1] !== C) {
    throw new Error(
      `Pack ${info.dir}: transformer takes ${latentShape[1]} latent channels, model_index.json says ${C}`,
    );
  }
  const textShape = meta(sessions.text_encoder, 'text_embeds', 'outputMetadata');
  const tShape = meta(sessions.transformer, 'text_embeds', 'inputMetadata');
  const dim = [textShape?.[2], tShape?.[2]].find((d): d is number => typeof d === 'number') ?? 0;
  if (typeof textShape?.[2] === 'number' && typeof tShape?.[2] === 'number' && textShape[2] !== tShape[2]) {
    throw new Error(
      `Pack ${info.dir}: text_encoder gives ${textShape[2]}-dim embeddings, transformer takes ${tShape[2]}`,
    );
  }
  return dim;
}

const loaded = new Map<string, { stamp: string; pack: Promise<LoadedPack> }>();

/** Optimum's name for the quantised transformer, which models/tessera/export.py writes. */
const INT8_FILE = join('transformer', 'model_quantized.onnx');

/** Changes when the pack is re-exported (model_index.json or a graph rewritten). */
function packStamp(dir: string): string {
  const files = ['model_index.json', ...[...GRAPH_NAMES, 'guide'].map((g) => join(g, 'model.onnx')), INT8_FILE];
  return files
    .map((f) => {
      try {
        const st = statSync(join(dir, f));
        return `${st.mtimeMs}:${st.size}`;
      } catch {
        return '-';
      }
    })
    .join('|');
}

/**
 * Loads a pack once per folder: validates it, picks the provider (the first of CUDA, DirectML,
 * CoreML, WebGPU that onnxruntime-node offers and that loads the graphs, else CPU; or
 * TESSERA_PROVIDER), and creates the four sessions, reused by every later job.
 */
export function loadPack(dir: string): Promise<LoadedPack> {
  const key = resolve(dir);
  const stamp = packStamp(key);
  const cached = loaded.get(key);
  if (cached && cached.stamp === stamp) return cached.pack;
  if (cached) {
    // The pack was re-exported on disk (e.g. trained weights replaced random ones): reload it.
    cached.pack.then((old) => releaseSessions(old)).catch(() => {});
  }
  const pack = openPack(key);
  loaded.set(key, { stamp, pack });
  pack.catch(() => {
    if (loaded.get(key)?.pack === pack) loaded.delete(key);
  });
  return pack;
}

async function releaseSessions(pack: LoadedPack): Promise<void> {
  // The default transformer is in both maps, so transformers come from `transformers` only.
  const others = GRAPH_NAMES.filter((g) => g !== 'transformer').map((g) => pack.sessions[g]);
  const transformers = await Promise.allSettled(pack.transformers.values());
  await Promise.all([
    ...others.map((s) => s.release()),
    ...(pack.guide ? [pack.guide.release()] : []),
    ...transformers.flatMap((r) => (r.status === 'fulfilled' ? [r.value.release()] : [])),
  ]);
}

/**
 * The transformer session for a precision: the default one was created with the pack, another is
 * created on first use with the pack's provider and cached (a failed load is retried next time).
 * Callers check first that the pack has the precision (`transformerPath`).
 */
export function transformerSession(pack: LoadedPack, precision: Precision): Promise<ort.InferenceSession> {
  const cached = pack.transformers.get(precision);
  if (cached) return cached;
  const rel = transformerPath(pack.index, precision);
  if (rel === undefined) return Promise.reject(new Error(`Pack ${pack.index.name} has no ${precision} transformer`));
  const session = createSession(join(pack.dir, rel), pack.provider, 'transformer', precision);
  pack.transformers.set(precision, session);
  session.catch(() => {
    if (pack.transformers.get(precision) === session) pack.transformers.delete(precision);
  });
  return session;
}

async function openPack(dir: string): Promise<LoadedPack> {
  const start = performance.now();
  const info = readPackInfo(dir);
  const offered = offeredBackends();
  const forced = process.env.TESSERA_PROVIDER;
  const candidates = forced ? [forced] : [...PREFERRED.filter((p) => offered.includes(p) && worthTrying(p)), 'cpu'];
  let lastError: Error | undefined;
  for (const provider of candidates) {
    try {
      const sessions = {} as Record<GraphName, ort.InferenceSession>;
      const precision = defaultPrecision(info.index);
      for (const g of GRAPH_NAMES) {
        if (g !== 'transformer') sessions[g] = await createSession(join(dir, info.index.graphs[g].path), provider, g);
      }
      // Only the default precision's transformer loads now (readPackInfo checked that it is listed).
      const rel = transformerPath(info.index, precision) ?? info.index.graphs.transformer.path;
      sessions.transformer = await createSession(join(dir, rel), provider, 'transformer', precision);
      const textDim = checkShapes(info, sessions);
      const transformers = new Map([[precision, Promise.resolve(sessions.transformer)]]);
      const guidePath = info.index.graphs.guide?.path;
      const guide = guidePath ? await createSession(join(dir, guidePath), provider, 'guide') : undefined;
      return {
        ...info,
        sessions,
        ...(guide ? { guide } : {}),
        transformers,
        provider,
        loadMs: performance.now() - start,
        textCache: new Map(),
        textDim,
      };
    } catch (err) {
      lastError = err as Error;
      if (provider === 'cpu' || forced) throw err;
    }
  }
  throw lastError ?? new Error('No execution provider could load the pack');
}

/** Releases every cached session (tests and shutdown). */
export async function releasePacks(): Promise<void> {
  const all = [...loaded.values()];
  loaded.clear();
  for (const entry of all) {
    try {
      await releaseSessions(await entry.pack);
    } catch {
      // a pack that failed to load holds no sessions
    }
  }
}

export const onnxruntimeVersion: string = ort.env.versions.node ?? ort.env.versions.common;
export { ort };
