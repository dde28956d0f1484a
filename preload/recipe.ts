/**
 * The recipe: everything needed to (re-)render a clip. Shared by the renderer (as types),
 * the main process, the worker and the engine (as runtime schemas). Plain TypeScript + zod,
 * no Node or DOM imports, so every layer may import it.
 */
import { z } from 'zod';

export const MODES = ['t2v', 'image', 'i2v', 'extend_forward', 'extend_backward', 'bridge', 'remix', 'loop'] as const;
export const modeSchema = z.enum(MODES);
export type Mode = z.infer<typeof modeSchema>;

export const samplerSchema = z.enum(['euler', 'heun']);
export type Sampler = z.infer<typeof samplerSchema>;

export const fitSchema = z.enum(['letterbox', 'crop']);
export type Fit = z.infer<typeof fitSchema>;

/**
 * The transformer's numeric precision: fp32, or the pack's dynamically quantised int8 variant
 * (smaller and faster on CPU, slightly different frames). Part of the recipe because the two give
 * different clips from the same seed.
 */
export const precisionSchema = z.enum(['fp32', 'int8']);
export type Precision = z.infer<typeof precisionSchema>;

/** A 32-bit unsigned seed. */
export const seedSchema = z.number().int().min(0).max(0xffffffff);

/**
 * Noise levels [lo, hi] (t = 1 is pure noise) where classifier-free guidance applies; outside it
 * only the conditional pass runs. Guidance at the highest noise levels erases small objects
 * (Kynkäänniemi et al. 2024, "Applying guidance in a limited interval"), and skipping it there
 * also saves the unconditional pass.
 */
export const guidanceIntervalSchema = z
  .tuple([z.number().min(0).max(1), z.number().min(0).max(1)])
  .refine(([lo, hi]) => lo <= hi, { message: 'guidance interval must be [lo, hi] with lo <= hi' });
export type GuidanceInterval = z.infer<typeof guidanceIntervalSchema>;

/**
 * A stronger guidance at the highest noise levels: `guidance` for t >= `fromT` instead of the
 * job's base value. A small model decides an object's shape and layout there, from the caption,
 * and a stronger pull there makes it follow the caption more often (PACK_FORMAT.md, "Text").
 */
export const guidanceHighSchema = z.object({
  fromT: z.number().min(0).max(1),
  guidance: z.number().min(0).max(30),
});
export type GuidanceHigh = z.infer<typeof guidanceHighSchema>;

/** What a person (or the CLI) asks for. Optional fields fall back to the pack's defaults. */
export const recipeRequestSchema = z.object({
  mode: modeSchema.default('t2v'),
  prompt: z.string().max(500),
  negativePrompt: z.string().max(500).optional(),
  seed: seedSchema.optional(),
  steps: z.number().int().min(1).max(500).optional(),
  guidance: z.number().min(0).max(30).optional(),
  guidanceInterval: guidanceIntervalSchema.optional(),
  /** Absent: the pack's default.guidance_high; null: none (the base guidance at every level). */
  guidanceHigh: guidanceHighSchema.nullable().optional(),
  sampler: samplerSchema.optional(),
  width: z.number().int().positive().optional(),
  height: z.number().int().positive().optional(),
  frames: z.number().int().positive().optional(),
  /** Image (i2v) or clip (extend, remix, bridge's first clip, loop's source image) path. */
  source: z.string().min(1).optional(),
  /** Bridge only: the clip the bridge leads into. */
  sourceEnd: z.string().min(1).optional(),
  /** How an image of another aspect ratio is fitted to the target size. */
  fit: fitSchema.optional(),
  /** Remix only: how far the source is noised, (0, 1]. */
  strength: z.number().gt(0).max(1).optional(),
  /** Pack name; the engine picks the built-in pack when absent. */
  pack: z.string().optional(),
  /** Transformer precision; the pack's default.precision when absent. */
  precision: precisionSchema.optional(),
  /**
   * Noise-search candidates (the pack's attribute guide picks the starting noise, PACK_FORMAT.md);
   * the pack's default.noise_search.candidates when absent; 1 turns it off.
   */
  search: z.number().int().min(1).max(16).optional(),
});
export type RecipeRequest = z.input<typeof recipeRequestSchema>;
export type RecipeRequestParsed = z.output<typeof recipeRequestSchema>;

/** A request with every default resolved, plus what the engine recorded while rendering. */
export const recipeSchema = z.object({
  mode: modeSchema,
  prompt: z.string(),
  expandedPrompt: z.string(),
  unknownWords: z.array(z.string()),
  negativePrompt: z.string().optional(),
  seed: seedSchema,
  steps: z.number().int(),
  guidance: z.number(),
  /** Absent in recipes from before the interval existed: guidance applied at every step. */
  guidanceInterval: guidanceIntervalSchema.optional(),
  /** Absent when none applied (and in recipes from before it existed). */
  guidanceHigh: guidanceHighSchema.optional(),
  sampler: samplerSchema,
  width: z.number().int(),
  height: z.number().int(),
  frames: z.number().int(),
  fps: z.number(),
  source: z.string().optional(),
  sourceEnd: z.string().optional(),
  fit: fitSchema.optional(),
  strength: z.number().optional(),
  pack: z.object({ name: z.string(), version: z.string() }),
  /** Absent in recipes from before int8 variants existed: those ran the fp32 transformer. */
  precision: precisionSchema.optional(),
  /** Noise-search candidates asked for; absent in recipes from before search existed (none ran). */
  search: z.number().int().optional(),
  /** The candidate noise the search chose (0: the seed's own); absent when no search ran. */
  searchCandidate: z.number().int().optional(),
  engine: z.object({
    name: z.literal('tessera-engine'),
    version: z.string(),
    onnxruntime: z.string(),
    provider: z.string(),
    /**
     * The CPU's model name and the vector features that pick onnxruntime's kernels (Linux only;
     * both absent in recipes from before 0.12.2's int8 default). int8 frames depend on the
     * kernels, so a re-render on a CPU with other features can differ at object edges.
     */
    cpu: z.string().optional(),
    cpuFeatures: z.array(z.string()).optional(),
  }),
  timings: z.record(z.string(), z.number()).optional(),
  createdAt: z.string(),
});
export type Recipe = z.infer<typeof recipeSchema>;

/**
 * The request that renders `recipe` again: the same frames with its own seed (a clip's recipe
 * read back from its MP4 or sidecar), or a new take with another `seed`. Settings a recipe from
 * an older engine lacks are spelled out as it ran then, so a pack whose defaults have changed
 * does not change the clip.
 */
export function requestFromRecipe(recipe: Recipe, seed = recipe.seed): RecipeRequestParsed {
  const request: RecipeRequestParsed = {
    mode: recipe.mode,
    prompt: recipe.prompt,
    negativePrompt: recipe.negativePrompt,
    seed,
    steps: recipe.steps,
    guidance: recipe.guidance,
    guidanceInterval: recipe.guidanceInterval ?? [0, 1],
    guidanceHigh: recipe.guidanceHigh ?? null,
    sampler: recipe.sampler,
    width: recipe.width,
    height: recipe.height,
    frames: recipe.frames,
    source: recipe.source,
    sourceEnd: recipe.sourceEnd,
    fit: recipe.fit,
    strength: recipe.strength,
    pack: recipe.pack.name,
    // fp32 before int8 variants existed; no noise search before it existed.
    precision: recipe.precision ?? 'fp32',
    search: recipe.search ?? 1,
  };
  for (const key of Object.keys(request) as (keyof RecipeRequestParsed)[])
    if (request[key] === undefined) delete request[key];
  return request;
}
