/** Argument parsing for the `tessera` CLI (pure: no I/O, so it is unit-tested). */
import { basename, dirname, extname, resolve } from 'node:path';
import type { RecipeRequest } from '../../preload/recipe.js';
import { MODES, type Mode, precisionSchema } from '../../preload/recipe.js';

export class UsageError extends Error {
  override name = 'UsageError';
}

export const USAGE = `usage:
  tessera generate --prompt TEXT [--negative TEXT] [--seed N] [--width W] [--height H] [--frames F]
                   [--steps S] [--guidance G] [--sampler euler|heun] [--pack DIR]
                   [--guidance-interval LO,HI] [--guidance-high G,FROM_T|off]  # g(t), PACK_FORMAT.md "Text"
                   [--precision fp32|int8]                     # int8: the pack's quantised transformer
                   [--search N]                                # noise-search candidates (1: off)
                   [--image PATH [--fit crop|letterbox]]       # image-to-video
                   [--extend CLIP --direction forward|backward]
                   [--bridge CLIP_A CLIP_B]
                   [--video CLIP --strength X]                # remix
                   [--loop [--image PATH]]
                   [--mode MODE --source PATH --source-end PATH]
                   [--recipe CLIP.mp4|RECIPE.json]            # re-render; other flags override
                   --out OUT.mp4 [--json] [--quiet]
  tessera expand "PROMPT" [--json]
  tessera info [--json]
  tessera packs [--json]
  tessera bench [--quick] [--no-torch] [--steps S] [--frames F] [--sampler NAME] [--out BENCH.json]`;

export interface GenerateArgs {
  /** The request; with `recipePath`, only the flags given, to override the loaded recipe. */
  request: RecipeRequest;
  /** `--recipe`: re-render from a clip's embedded recipe or a JSON sidecar. */
  recipePath?: string;
  outDir: string;
  baseName: string;
  json: boolean;
  quiet: boolean;
}

type FlagSpec = { arity: 0 | 1 | 2 };
const GENERATE_FLAGS: Record<string, FlagSpec> = {
  prompt: { arity: 1 },
  negative: { arity: 1 },
  seed: { arity: 1 },
  width: { arity: 1 },
  height: { arity: 1 },
  frames: { arity: 1 },
  steps: { arity: 1 },
  guidance: { arity: 1 },
  'guidance-interval': { arity: 1 },
  'guidance-high': { arity: 1 },
  sampler: { arity: 1 },
  pack: { arity: 1 },
  precision: { arity: 1 },
  search: { arity: 1 },
  image: { arity: 1 },
  extend: { arity: 1 },
  direction: { arity: 1 },
  bridge: { arity: 2 },
  video: { arity: 1 },
  strength: { arity: 1 },
  loop: { arity: 0 },
  mode: { arity: 1 },
  source: { arity: 1 },
  'source-end': { arity: 1 },
  fit: { arity: 1 },
  recipe: { arity: 1 },
  out: { arity: 1 },
  json: { arity: 0 },
  quiet: { arity: 0 },
};

/** Parses `--flag value` pairs against a flag table; repeated or unknown flags are errors. */
export function parseFlags(
  argv: string[],
  table: Record<string, FlagSpec>,
): { flags: Map<string, string[]>; positional: string[] } {
  const flags = new Map<string, string[]>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const spec = table[name];
    if (!spec) throw new UsageError(`unknown flag --${name}`);
    if (flags.has(name)) throw new UsageError(`--${name} given twice`);
    if (spec.arity === 0) {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`);
      flags.set(name, []);
      continue;
    }
    const values: string[] = eq >= 0 ? [arg.slice(eq + 1)] : [];
    while (values.length < spec.arity) {
      const v = argv[++i];
      if (v === undefined || (v.startsWith('--') && v.length > 2))
        throw new UsageError(`--${name} needs ${spec.arity === 2 ? 'two values' : 'a value'}`);
      values.push(v);
    }
    flags.set(name, values);
  }
  return { flags, positional };
}

function int(name: string, v: string | undefined, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) throw new UsageError(`--${name} must be a whole number, got "${v}"`);
  const n = Number(v);
  if (n < min || n > max) throw new UsageError(`--${name} must be between ${min} and ${max}, got ${v}`);
  return n;
}

function num(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${name} must be a number, got "${v}"`);
  return n;
}

export function parseGenerate(argv: string[]): GenerateArgs {
  const { flags, positional } = parseFlags(argv, GENERATE_FLAGS);
  if (positional.length) throw new UsageError(`unexpected argument "${positional[0]}"`);
  const one = (n: string): string | undefined => flags.get(n)?.[0];
  const prompt = one('prompt');
  const recipePath = one('recipe');
  if (prompt === undefined && !recipePath) throw new UsageError('--prompt is required (or --recipe CLIP)');
  const out = one('out');
  if (!out) throw new UsageError('--out is required');
  if (extname(out).toLowerCase() !== '.mp4') throw new UsageError(`--out must name an .mp4 file, got "${out}"`);

  const chosen: { mode: Mode; source?: string; sourceEnd?: string }[] = [];
  const image = one('image');
  if (flags.has('loop')) chosen.push({ mode: 'loop', source: image });
  else if (image) chosen.push({ mode: 'i2v', source: image });
  const extend = one('extend');
  const direction = one('direction');
  if (direction && !extend) throw new UsageError('--direction needs --extend');
  if (extend) {
    if (direction && direction !== 'forward' && direction !== 'backward')
      throw new UsageError(`--direction must be forward or backward, got "${direction}"`);
    chosen.push({ mode: direction === 'backward' ? 'extend_backward' : 'extend_forward', source: extend });
  }
  const bridge = flags.get('bridge');
  if (bridge) chosen.push({ mode: 'bridge', source: bridge[0], sourceEnd: bridge[1] });
  const video = one('video');
  if (video) chosen.push({ mode: 'remix', source: video });
  const modeFlag = one('mode');
  if (modeFlag) {
    if (!(MODES as readonly string[]).includes(modeFlag))
      throw new UsageError(`--mode must be one of ${MODES.join(', ')}, got "${modeFlag}"`);
    chosen.push({ mode: modeFlag as Mode, source: one('source'), sourceEnd: one('source-end') });
  } else if (flags.has('source') || flags.has('source-end')) {
    throw new UsageError('--source and --source-end need --mode');
  }
  if (chosen.length > 1) throw new UsageError(`choose one mode; got ${chosen.map((c) => c.mode).join(' and ')}`);
  const frames = int('frames', one('frames'), 1, 1000);
  // With --recipe, the mode comes from the recipe unless a mode flag is given.
  const picked = chosen[0] ?? (recipePath ? undefined : { mode: frames === 1 ? ('image' as const) : ('t2v' as const) });
  const strength = num('strength', one('strength'));
  if (!recipePath && strength !== undefined && picked?.mode !== 'remix')
    throw new UsageError('--strength needs --video (remix)');
  if (picked?.mode === 'remix' && strength === undefined && !recipePath)
    throw new UsageError('--video needs --strength X with X in (0, 1]');
  if (strength !== undefined && !(strength > 0 && strength <= 1))
    throw new UsageError(`--strength must be in (0, 1], got ${strength}`);
  const sampler = one('sampler');
  if (sampler !== undefined && sampler !== 'euler' && sampler !== 'heun')
    throw new UsageError(`--sampler must be euler or heun, got "${sampler}"`);
  const precisionText = one('precision');
  const precision = precisionText === undefined ? undefined : precisionSchema.safeParse(precisionText).data;
  if (precisionText !== undefined && precision === undefined)
    throw new UsageError(`--precision must be ${precisionSchema.options.join(' or ')}, got "${precisionText}"`);
  const fit = one('fit');
  if (fit !== undefined && fit !== 'crop' && fit !== 'letterbox')
    throw new UsageError(`--fit must be crop or letterbox, got "${fit}"`);
  const guidance = num('guidance', one('guidance'));
  if (guidance !== undefined && (guidance < 0 || guidance > 30))
    throw new UsageError(`--guidance must be between 0 and 30, got ${guidance}`);
  const intervalText = one('guidance-interval');
  let guidanceInterval: [number, number] | undefined;
  if (intervalText !== undefined) {
    const parts = intervalText.split(',').map((x) => Number(x.trim()));
    const [lo, hi] = parts;
    if (parts.length !== 2 || lo === undefined || hi === undefined || !(lo >= 0 && lo <= hi && hi <= 1))
      throw new UsageError(`--guidance-interval must be LO,HI with 0 <= LO <= HI <= 1, got "${intervalText}"`);
    guidanceInterval = [lo, hi];
  }
  const highText = one('guidance-high');
  let guidanceHigh: { guidance: number; fromT: number } | null | undefined;
  if (highText === 'off') guidanceHigh = null;
  else if (highText !== undefined) {
    const parts = highText.split(',').map((x) => Number(x.trim()));
    const [g, fromT] = parts;
    if (
      parts.length !== 2 ||
      g === undefined ||
      fromT === undefined ||
      !(g >= 0 && g <= 30 && fromT >= 0 && fromT <= 1)
    )
      throw new UsageError(
        `--guidance-high must be G,FROM_T with 0 <= G <= 30 and 0 <= FROM_T <= 1, or off; got "${highText}"`,
      );
    guidanceHigh = { guidance: g, fromT };
  }
  const abs = (p: string | undefined): string | undefined => (p === undefined ? undefined : resolve(p));

  const request = {
    mode: picked?.mode,
    prompt,
    negativePrompt: one('negative'),
    seed: int('seed', one('seed'), 0, 0xffffffff),
    steps: int('steps', one('steps'), 1, 500),
    search: int('search', one('search'), 1, 16),
    guidance,
    guidanceInterval,
    guidanceHigh,
    sampler,
    width: int('width', one('width'), 1, 8192),
    height: int('height', one('height'), 1, 8192),
    frames,
    source: abs(picked?.source),
    sourceEnd: abs(picked?.sourceEnd),
    fit,
    strength,
    pack: one('pack'),
    precision,
  };
  for (const key of Object.keys(request) as (keyof typeof request)[])
    if (request[key] === undefined) delete request[key];
  const outPath = resolve(out);
  return {
    // Without --recipe, prompt is set (checked above); with it, these are overrides.
    request: request as RecipeRequest,
    ...(recipePath ? { recipePath: resolve(recipePath) } : {}),
    outDir: dirname(outPath),
    baseName: basename(outPath, extname(outPath)),
    json: flags.has('json'),
    quiet: flags.has('quiet'),
  };
}
