/**
 * `npm run frames:cpus`: are a recipe's frames the same on a CPU whose onnxruntime kernels differ?
 * onnxruntime (MLAS) picks its matmul and activation kernels by the CPU's vector features
 * (AVX-512 / VNNI on some machines, AVX2 on many laptops), so the same recipe can round
 * differently. This renders one small recipe natively and again under `qemu-x86_64` emulating
 * another CPU (default `EPYC-Rome`: AVX2 and FMA, no AVX-512, which QEMU 7.2's TCG runs),
 * once per transformer precision, and compares the frames value by value. Emulation is about 100x
 * slower, hence the small recipe (9 frames, 3 Heun steps, no noise search): about 2.5 minutes.
 * Reports; never asserts. Needs `qemu-user` (`apt-get install qemu-user`).
 *
 *   npm run frames:cpus [-- --cpu MODEL] [--precision fp32|int8] [--out FILE]
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { type Precision, precisionSchema } from '../../preload/recipe.js';
import { cpuFeatures } from '../engine/cpu.js';

const RECIPE = {
  prompt: 'a red circle moving right on a black background',
  seed: 1,
  frames: 9,
  steps: 3,
  search: 1,
} as const;

/** Child mode: render RECIPE at `precision` and write the raw RGB frames to `outFile`. */
async function renderTo(precision: Precision, outFile: string): Promise<void> {
  const { parseRequest, renderFrames } = await import('../engine/index.js');
  const { frames } = await renderFrames(parseRequest({ ...RECIPE, precision }));
  writeFileSync(outFile, frames.data);
}

interface Comparison {
  precision: Precision;
  nativeSha256: string;
  emulatedSha256: string;
  values: number;
  differing: number;
  differingBy8OrMore: number;
  maxDifference: number;
  emulatedSeconds: number;
}

function renderInChild(precision: Precision, outFile: string, emulateCpu?: string): number {
  const loader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  const nodeArgs = ['--import', loader, fileURLToPath(import.meta.url), '--render', precision, outFile];
  // qemu-x86_64 runs this same node binary with the emulated CPU's features.
  const cmd = emulateCpu ? 'qemu-x86_64' : process.execPath;
  const args = emulateCpu ? ['-cpu', emulateCpu, process.execPath, ...nodeArgs] : nodeArgs;
  const start = performance.now();
  const run = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (run.error) throw new Error(`${cmd} could not start: ${run.error.message}`);
  if (run.status !== 0)
    throw new Error(`${cmd} exited ${run.status}: ${run.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  return (performance.now() - start) / 1000;
}

function compare(precision: Precision, native: Uint8Array, emulated: Uint8Array, seconds: number): Comparison {
  if (native.length !== emulated.length) throw new Error(`frame sizes differ: ${native.length} vs ${emulated.length}`);
  let differing = 0;
  let big = 0;
  let max = 0;
  for (let i = 0; i < native.length; i++) {
    const d = Math.abs((native[i] ?? 0) - (emulated[i] ?? 0));
    if (d > 0) differing++;
    if (d >= 8) big++;
    if (d > max) max = d;
  }
  const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
  return {
    precision,
    nativeSha256: sha(native),
    emulatedSha256: sha(emulated),
    values: native.length,
    differing,
    differingBy8OrMore: big,
    maxDifference: max,
    emulatedSeconds: Math.round(seconds),
  };
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    options: {
      render: { type: 'string' },
      cpu: { type: 'string', default: 'EPYC-Rome' },
      precision: { type: 'string', multiple: true },
      out: { type: 'string', default: 'test-output/frames-cpus.json' },
    },
    allowPositionals: true,
  });
  if (values.render) {
    const outFile = positionals[0];
    if (!outFile) throw new Error('--render PRECISION needs an output file');
    await renderTo(precisionSchema.parse(values.render), outFile);
    return;
  }
  if (spawnSync('qemu-x86_64', ['--version']).error) {
    console.error('frames:cpus needs qemu-x86_64 to emulate another CPU: apt-get install qemu-user');
    process.exit(2);
  }
  const precisions = (values.precision ?? ['fp32', 'int8']).map((p) => precisionSchema.parse(p));
  const dir = mkdtempSync(join(tmpdir(), 'tessera-frames-'));
  const results: Comparison[] = [];
  try {
    for (const precision of precisions) {
      const nativeFile = join(dir, `native-${precision}.rgb`);
      const emulatedFile = join(dir, `emulated-${precision}.rgb`);
      renderInChild(precision, nativeFile);
      const seconds = renderInChild(precision, emulatedFile, values.cpu);
      results.push(compare(precision, readFileSync(nativeFile), readFileSync(emulatedFile), seconds));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`native: ${cpuFeatures().join(' ') || 'features unknown'}; emulated: qemu -cpu ${values.cpu}`);
  console.log(`recipe: ${JSON.stringify(RECIPE)}`);
  for (const r of results) {
    console.log(
      `${r.precision}: ${r.differing} of ${r.values} values differ (${r.differingBy8OrMore} by 8 or more, max ${r.maxDifference}); ` +
        `native ${r.nativeSha256.slice(0, 12)}, emulated ${r.emulatedSha256.slice(0, 12)} (${r.emulatedSeconds} s)`,
    );
  }
  const out = resolve(values.out);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(
    out,
    `${JSON.stringify({ nativeCpuFeatures: cpuFeatures(), emulatedCpu: values.cpu, recipe: RECIPE, results }, null, 2)}\n`,
  );
  console.log(`wrote ${out}`);
}

await main();
