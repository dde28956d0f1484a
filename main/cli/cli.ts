/**
 * The `tessera` command line: generate, expand, info, packs, bench.
 * Exit codes: 0 success, 2 bad input (one line on stderr), 1 anything else.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ZodError } from 'zod';
import type { Recipe } from '../../preload/recipe.js';
import { sameKernels } from '../engine/cpu.js';
import {
  generate,
  getEngineInfo,
  InputError,
  listPacks,
  readRecipeFromFile,
  requestFromRecipe,
} from '../engine/index.js';
import { loadPack, resolvePackDir } from '../engine/pack.js';
import { expandPrompt } from '../engine/prompt.js';
import { parseFlags, parseGenerate, USAGE, UsageError } from './args.js';
import { runBench } from './bench.js';

class ExitError extends Error {
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
  }
}

async function cmdGenerate(argv: string[]): Promise<void> {
  const args = parseGenerate(argv);
  let request = args.request;
  let recipe: Recipe | undefined;
  if (args.recipePath) {
    try {
      recipe = await readRecipeFromFile(args.recipePath);
    } catch (err) {
      throw new InputError(`--recipe: ${(err as Error).message}`);
    }
    request = { ...requestFromRecipe(recipe), ...args.request };
  }
  const tty = process.stderr.isTTY && !args.quiet;
  const result = await generate(
    request,
    { outDir: args.outDir, baseName: args.baseName },
    {
      onProgress: (p) => {
        if (args.quiet) return;
        const line = `step ${p.step}/${p.total}  ${(p.elapsedMs / 1000).toFixed(1)}s  eta ${(p.etaMs / 1000).toFixed(1)}s`;
        if (tty) process.stderr.write(`\r${line}   `);
        else if (p.step === p.total) process.stderr.write(`${line}\n`);
      },
    },
  );
  if (tty) process.stderr.write('\n');
  const r = result.recipe;
  if (recipe && recipe.pack.name === r.pack.name && recipe.pack.version !== r.pack.version) {
    // Same seed, other weights: the frames cannot match the original clip's.
    process.stderr.write(
      `note: ${args.recipePath} was made with ${recipe.pack.name} ${recipe.pack.version}; rendered with ${r.pack.version}, so its frames differ\n`,
    );
  } else if (recipe && r.precision === 'int8' && sameKernels(recipe.engine, r.engine) === false) {
    // int8 rounds activations to 256 levels, so the last-bit differences between CPUs' kernels
    // can move a level and with it an edge pixel; float32 stays within one level (engine README).
    const cpu = (e: typeof r.engine) => `"${e.cpu}"${e.cpuFeatures?.length ? ` (${e.cpuFeatures.join(' ')})` : ''}`;
    process.stderr.write(
      `note: ${args.recipePath} was rendered with the int8 transformer on ${cpu(recipe.engine)}; on this CPU, ${cpu(r.engine)}, its frames can differ at object edges (--precision fp32 matches across CPUs for new clips)\n`,
    );
  }
  if (args.json) {
    process.stdout.write(
      `${JSON.stringify({
        video: result.videoPath,
        poster: result.posterPath,
        recipePath: result.recipePath,
        frames: result.frames,
        width: result.width,
        height: result.height,
        durationSec: result.durationSec,
        prompt: r.prompt,
        expandedPrompt: r.expandedPrompt,
        unknownWords: r.unknownWords,
        provider: r.engine.provider,
        timings: r.timings,
        recipe: r,
      })}\n`,
    );
    return;
  }
  process.stdout.write(
    [
      `prompt:    ${r.prompt}`,
      `caption:   ${r.expandedPrompt}${r.unknownWords.length ? `   (could not place: ${r.unknownWords.join(', ')})` : ''}`,
      `seed:      ${r.seed}   steps ${r.steps} ${r.sampler}   guidance ${r.guidance}${r.guidanceHigh ? ` (${r.guidanceHigh.guidance} for t >= ${r.guidanceHigh.fromT})` : ''}   ${r.width}x${r.height}   mode ${r.mode}`,
      `provider:  ${r.engine.provider} (onnxruntime ${r.engine.onnxruntime})`,
      `wrote:     ${result.videoPath} (${result.frames} frames, ${result.durationSec.toFixed(2)} s)`,
      `           ${result.posterPath}`,
      `           ${result.recipePath}`,
      `timings:   ${Object.entries(r.timings ?? {})
        .map(([k, v]) => `${k} ${Math.round(v)}ms`)
        .join(', ')}`,
      '',
    ].join('\n'),
  );
}

function cmdExpand(argv: string[]): void {
  const { flags, positional } = parseFlags(argv, { json: { arity: 0 } });
  if (positional.length === 0) throw new UsageError('expand needs a prompt');
  const e = expandPrompt(positional.join(' '));
  if (flags.has('json')) {
    process.stdout.write(`${JSON.stringify(e)}\n`);
    return;
  }
  process.stdout.write(`${e.caption}\n`);
  if (e.unknownWords.length) process.stdout.write(`could not place: ${e.unknownWords.join(', ')}\n`);
  for (const n of e.notes) process.stdout.write(`note: ${n}\n`);
}

async function cmdInfo(argv: string[]): Promise<void> {
  const { flags } = parseFlags(argv, { json: { arity: 0 }, pack: { arity: 1 } });
  const info = await getEngineInfo();
  const dir = resolvePackDir(flags.get('pack')?.[0]);
  let pack: Record<string, unknown>;
  try {
    const p = await loadPack(dir);
    pack = {
      dir,
      name: p.index.name,
      version: p.index.version,
      provider: p.provider,
      loadMs: Math.round(p.loadMs),
      fps: p.index.fps,
      sizes: p.index.sizes.map((s) => `${s.width}x${s.height}`),
      frameCounts: p.index.frame_counts,
      default: p.index.default,
      modes: p.index.modes,
    };
  } catch (err) {
    pack = { dir, error: (err as Error).message };
  }
  const out = {
    engine: 'tessera-engine',
    onnxruntime: info.onnxruntimeVersion,
    providersOffered: info.providers,
    pack,
  };
  if (flags.has('json')) process.stdout.write(`${JSON.stringify(out)}\n`);
  else process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
}

function cmdPacks(argv: string[]): void {
  const { flags } = parseFlags(argv, { json: { arity: 0 } });
  const packs = listPacks();
  if (flags.has('json')) process.stdout.write(`${JSON.stringify(packs)}\n`);
  else
    for (const p of packs)
      process.stdout.write(
        `${p.name}\t${p.version ?? '-'}\t${p.builtin ? 'built-in' : 'user'}\t${p.dir}${p.error ? `\tERROR ${p.error}` : ''}\n`,
      );
}

async function main(argv: string[]): Promise<void> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case 'generate':
      return cmdGenerate(rest);
    case 'expand':
      return cmdExpand(rest);
    case 'info':
      return cmdInfo(rest);
    case 'packs':
      return cmdPacks(rest);
    case 'bench': {
      const { flags } = parseFlags(rest, {
        steps: { arity: 1 },
        frames: { arity: 1 },
        sampler: { arity: 1 },
        quick: { arity: 0 },
        'no-torch': { arity: 0 },
        out: { arity: 1 },
        pack: { arity: 1 },
      });
      const out = resolve(flags.get('out')?.[0] ?? 'test-output/bench.json');
      const report = await runBench({
        steps: flags.has('steps') ? Number(flags.get('steps')?.[0]) : undefined,
        frames: flags.has('frames') ? Number(flags.get('frames')?.[0]) : undefined,
        sampler: flags.get('sampler')?.[0] === 'heun' ? 'heun' : undefined,
        scaling: !flags.has('quick'),
        torch: !flags.has('quick') && !flags.has('no-torch'),
        pack: flags.get('pack')?.[0],
        log: (line) => process.stdout.write(`${line}\n`),
      });
      mkdirSync(dirname(out), { recursive: true });
      writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
      process.stdout.write(`wrote ${out}\n`);
      return;
    }
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(`${USAGE}\n`);
      return;
    default:
      throw new UsageError(`unknown command "${cmd}"`);
  }
}

try {
  await main(process.argv.slice(2));
  process.exitCode = 0;
} catch (err) {
  const e = err as Error;
  const bad = e instanceof UsageError || e instanceof InputError || e instanceof ZodError || e instanceof ExitError;
  const msg = e instanceof ZodError ? e.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') : e.message;
  process.stderr.write(`tessera: ${msg.split('\n')[0]}\n`);
  if (e instanceof UsageError) process.stderr.write('run `tessera help` for usage\n');
  process.exitCode = bad ? 2 : 1;
}
