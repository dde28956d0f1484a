/**
 * `tessera bench`: in one run on a pack at its default size and steps: cold and warm clip time
 * (recipe to MP4 on disk), ms per denoising step and per transformer call, the denoiser's
 * estimated GFLOP/s against this machine's measured matmul peak, peak RSS, the Heun sampler at a
 * fifth of the steps, the transformer precision other than the pack's default (float32 or int8)
 * when the pack has it, and (--scaling) how time grows with frames and size. Reports; never asserts.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Precision } from '../../preload/recipe.js';
import { cpuFeatures } from '../engine/cpu.js';
import { generate, warmUp } from '../engine/index.js';
import { loadPack, REPO_ROOT, resolvePackDir, transformerPath } from '../engine/pack.js';
import { estimateTransformerGflop, measureMatmulPeak, type TransformerConfig } from '../engine/peak.js';
import { guidanceSchedule } from '../engine/sampler.js';
import { flowTimesteps } from '../engine/scheduler.js';
import { forkWorkerSpawner } from '../node/forkWorker.js';
import { ensureWorkerBuilt } from '../node/workerBuild.js';

interface WorkerStart {
  readyMs: number;
  firstProgressMs: number;
}

/** The median start and every sample: one start swings by a few hundred ms on a 2-core machine. */
interface WorkerStarts extends WorkerStart {
  samples: WorkerStart[];
}

/** Starts of a fresh worker each; the first also fills the optimised-graph cache if it is empty. */
const WORKER_STARTS = 5;

async function workerStarts(pack: string | undefined, outDir: string): Promise<WorkerStarts> {
  const samples: WorkerStart[] = [];
  for (let i = 0; i < WORKER_STARTS; i++) samples.push(await workerStart(pack, outDir));
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  return {
    readyMs: median(samples.map((s) => s.readyMs)),
    firstProgressMs: median(samples.map((s) => s.firstProgressMs)),
    samples,
  };
}

/**
 * Starts a real inference worker (child_process.fork, as the web host does), sends the default
 * job the moment it reports ready, and times worker start -> ready -> first progress event.
 * The job is cancelled after its first step.
 */
async function workerStart(pack: string | undefined, outDir: string): Promise<WorkerStart> {
  // The bundled worker, as the app and the web host run it (rebuilt first if a source changed).
  const worker = forkWorkerSpawner({ entry: await ensureWorkerBuilt(REPO_ROOT) })();
  const start = performance.now();
  try {
    return await new Promise<WorkerStart>((resolve, reject) => {
      let readyMs = 0;
      const timer = setTimeout(() => reject(new Error('no progress from the worker within 120 s')), 120_000);
      worker.onExit((exit) => reject(new Error(exit.reason)));
      worker.onMessage((raw) => {
        const m = raw as { type: string; error?: { message: string } };
        if (m.type === 'ready') {
          readyMs = performance.now() - start;
          worker.send({
            type: 'generate',
            jobId: 'bench-start',
            request: { prompt: 'a red circle moving right on a black background', seed: 1, ...(pack ? { pack } : {}) },
            target: { outDir, baseName: 'worker-start' },
          });
        } else if (m.type === 'progress') {
          clearTimeout(timer);
          resolve({ readyMs, firstProgressMs: performance.now() - start });
          worker.send({ type: 'cancel', jobId: 'bench-start' });
        } else if (m.type === 'failed') {
          clearTimeout(timer);
          reject(new Error(m.error?.message ?? 'job failed'));
        }
      });
    });
  } finally {
    worker.kill();
  }
}

interface TorchTiming {
  torch?: string;
  ms_per_step: number;
  threads?: number;
}

/**
 * The same denoiser in PyTorch eager (models/tessera/bench_torch.py, on the pack's own weights)
 * through models/.venv; a reason instead when that is not available.
 */
async function torchStep(
  packDir: string,
  run: { frames: number; width: number; height: number },
): Promise<TorchTiming | string> {
  const python = join(REPO_ROOT, 'models', '.venv', 'bin', 'python');
  if (!existsSync(python)) return 'models/.venv is missing (run models/setup.sh)';
  if (!existsSync(join(REPO_ROOT, 'models', 'tessera', 'bench_torch.py')))
    return 'models/tessera/bench_torch.py is missing';
  try {
    const args = ['-m', 'tessera.bench_torch', '--frames', String(run.frames), '--width', String(run.width)];
    args.push('--height', String(run.height), '--repeats', '5', '--pack', packDir);
    const { stdout } = await promisify(execFile)(python, args, { cwd: join(REPO_ROOT, 'models'), timeout: 600_000 });
    const last = stdout.trim().split('\n').pop() ?? '';
    return JSON.parse(last) as TorchTiming;
  } catch (err) {
    return `PyTorch run failed: ${(err as Error).message.split('\n')[0]}`;
  }
}

export interface BenchOptions {
  steps?: number;
  frames?: number;
  sampler?: 'euler' | 'heun';
  scaling?: boolean;
  /** Also time the denoiser in PyTorch eager (slow: about half a minute). */
  torch?: boolean;
  pack?: string;
  log: (line: string) => void;
}

interface Run {
  label: string;
  width: number;
  height: number;
  frames: number;
  steps: number;
  sampler: string;
  precision: Precision;
  totalSec: number;
  clipSec: number;
  msPerStep: number;
  msPerCall: number;
  gflopPerCall: number;
  gflops: number;
  timings: Record<string, number>;
  /** sha256 of the poster PNG (the first frame): the same on two machines only if their frames are. */
  firstFrameSha256: string;
}

export async function runBench(o: BenchOptions): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-bench-'));
  const packDir = resolvePackDir(o.pack);
  const runs: Run[] = [];
  let config: TransformerConfig | undefined;
  try {
    config = JSON.parse(readFileSync(join(packDir, 'transformer', 'config.json'), 'utf8')) as TransformerConfig;
  } catch {
    config = undefined;
  }
  const once = async (
    label: string,
    extra: {
      width?: number;
      height?: number;
      frames?: number;
      steps?: number;
      sampler?: 'euler' | 'heun';
      precision?: Precision;
      guidanceInterval?: [number, number];
    },
  ): Promise<Run> => {
    const stepTimes: number[] = [];
    let last = 0;
    const start = performance.now();
    const res = await generate(
      {
        prompt: 'a red circle moving right on a black background',
        seed: 1,
        steps: o.steps,
        sampler: o.sampler,
        frames: o.frames,
        pack: o.pack,
        ...extra,
      },
      { outDir: dir, baseName: `${label}-${runs.length}` },
      {
        onProgress: (p) => {
          stepTimes.push(p.elapsedMs - last);
          last = p.elapsedMs;
        },
      },
    );
    const totalSec = (performance.now() - start) / 1000;
    const r = res.recipe;
    // Noise search (PACK_FORMAT.md) reports its screening steps first; per-step figures are the sampler's.
    const samplerTimes = stepTimes.slice(-r.steps);
    const sorted = [...samplerTimes].sort((a, b) => a - b);
    const msPerStep = sorted[Math.floor(sorted.length / 2)] ?? 0;
    // Heun runs two transformer calls per step except the last.
    const callsPerStep = r.sampler === 'heun' ? (2 * r.steps - 1) / r.steps : 1;
    // Steps where g(t) = 1 (outside the guidance interval and band) run batch 1, the others batch 2:
    // per call figures use the mean step time and the mean batch (B = 2 only when every step is guided).
    const g = guidanceSchedule(r.guidance, r.guidanceInterval ?? [0, 1], r.guidanceHigh);
    const pack = await loadPack(packDir);
    const ts = flowTimesteps(r.steps, pack.shift).slice(0, r.steps);
    const guided = ts.filter((t) => g(t) !== 1).length / r.steps;
    const meanMsPerStep = samplerTimes.reduce((a, b) => a + b, 0) / Math.max(1, samplerTimes.length);
    const msPerCall = (guided === 1 ? msPerStep : meanMsPerStep) / callsPerStep;
    const batch = 1 + guided;
    const gflopPerCall = config
      ? estimateTransformerGflop(
          config,
          1 + (r.frames - 1) / pack.index.compression.temporal,
          r.height / pack.index.compression.spatial,
          r.width / pack.index.compression.spatial,
          pack.index.text.max_length,
          batch,
        )
      : 0;
    const run: Run = {
      label,
      width: r.width,
      height: r.height,
      frames: r.frames,
      steps: r.steps,
      sampler: r.sampler,
      // Recipes from this engine always say; fp32 is what older ones ran.
      precision: r.precision ?? 'fp32',
      totalSec,
      clipSec: res.durationSec,
      msPerStep,
      msPerCall,
      gflopPerCall,
      gflops: msPerCall > 0 ? gflopPerCall / (msPerCall / 1000) : 0,
      timings: r.timings ?? {},
      firstFrameSha256: createHash('sha256').update(readFileSync(res.posterPath)).digest('hex'),
    };
    runs.push(run);
    const t = run.timings;
    o.log(
      [
        label.padEnd(14),
        `${r.width}x${r.height}x${r.frames}`.padEnd(12),
        `${r.steps} ${r.sampler}`.padEnd(9),
        `${totalSec.toFixed(2)} s`.padStart(8),
        `${res.durationSec.toFixed(2)} s`.padStart(8),
        `${msPerStep.toFixed(1)}`.padStart(8),
        `${msPerCall.toFixed(1)}`.padStart(8),
        `${run.gflops.toFixed(1)}`.padStart(7),
        `  load ${Math.round(t.load ?? 0)} text ${Math.round(t.text ?? 0)} denoise ${Math.round(t.denoise ?? 0)} decode ${Math.round(t.decode ?? 0)} encode ${Math.round(t.encode ?? 0)} ms`,
        `  frame 0 ${run.firstFrameSha256.slice(0, 12)}`,
      ].join(' '),
    );
    return run;
  };
  try {
    o.log(
      `tessera bench: ${cpus().length} cores, ${cpus()[0]?.model ?? 'cpu'} (${cpuFeatures().join(' ') || 'features unknown'}), node ${process.version}`,
    );
    const peak = await measureMatmulPeak();
    o.log(`matmul peak (onnxruntime, 512x512 float32, best of 15): ${peak.toFixed(1)} GFLOP/s`);
    o.log('run            size         steps        total     clip  ms/step  ms/call  GFLOP/s  phases');
    let start: WorkerStarts | { failed: string };
    try {
      start = await workerStarts(o.pack, dir);
      const firsts = start.samples.map((s) => s.firstProgressMs.toFixed(0)).join(', ');
      o.log(
        `worker start (bundled worker, fork, pack on disk), median of ${WORKER_STARTS}: ready ${start.readyMs.toFixed(0)} ms, first progress ${start.firstProgressMs.toFixed(0)} ms (each: ${firsts})`,
      );
    } catch (err) {
      start = { failed: (err as Error).message };
      o.log(`worker start: failed (${start.failed})`);
    }
    await once('cold', {});
    const warmDefault = await once('warm', {});
    // Guidance at every step: each call is B = 2, as PyTorch is timed below.
    const warmCfg = await once('warm-cfg-all', { guidanceInterval: [0, 1] });
    const pack = await loadPack(packDir);
    // The other sampler for comparison: Euler at three times Heun's steps (about 1.5x its calls),
    // or Heun at a third of Euler's.
    const steps = o.steps ?? pack.index.default.steps;
    const sampler = o.sampler ?? pack.index.default.sampler;
    const other =
      sampler === 'heun'
        ? { sampler: 'euler' as const, steps: 3 * steps }
        : { sampler: 'heun' as const, steps: Math.max(2, Math.round(steps / 3)) };
    await once(`warm-${other.sampler}`, other);
    // The other precision (float32 when the pack's default is int8, from 0.12.2; int8 otherwise),
    // so both are timed on the same clip whichever the pack defaults to.
    const alt: Precision = warmDefault.precision === 'int8' ? 'fp32' : 'int8';
    let altCfg: Run | undefined;
    if (transformerPath(pack.index, alt) !== undefined) {
      // A non-default session loads on first use. warmUp primes one call, yet one run measured its
      // first int8 clip at 1.7x the next one's time per call: a cold clip first, reported.
      await warmUp(o.pack, alt);
      await once(`cold-${alt}`, { precision: alt });
      const altRun = await once(`warm-${alt}`, { precision: alt });
      altCfg = await once(`warm-${alt}-cfg`, { precision: alt, guidanceInterval: [0, 1] });
      const byPrecision = (a: Run, b: Run): [Run, Run] => (a.precision === 'int8' ? [a, b] : [b, a]);
      for (const [what, pair] of [
        ['default guidance interval', byPrecision(warmDefault, altRun)],
        ['B = 2', byPrecision(warmCfg, altCfg)],
      ] as const) {
        const [int8, fp32] = pair;
        o.log(
          `transformer call (${what}): int8 ${int8.msPerCall.toFixed(1)} ms | fp32 ${fp32.msPerCall.toFixed(1)} ms | ${(fp32.msPerCall / int8.msPerCall).toFixed(2)}x`,
        );
      }
    } else {
      o.log(`warm-${alt.padEnd(9)} skipped: pack ${pack.index.name} has no ${alt} transformer variant`);
    }
    if (o.scaling) {
      for (const frames of pack.index.frame_counts) await once(`frames-${frames}`, { frames });
      for (const s of pack.index.sizes) await once(`size-${s.width}x${s.height}`, { width: s.width, height: s.height });
    }
    const warm = warmCfg;
    let torch: (TorchTiming & { ratio: number }) | { skipped: string } | undefined;
    if (o.torch && warm) {
      o.log('timing the same denoiser in PyTorch eager (models/tessera/bench_torch.py) ...');
      const t = await torchStep(packDir, warm);
      if (typeof t === 'string') {
        torch = { skipped: t };
        o.log(`PyTorch comparison skipped: ${t}`);
      } else {
        torch = { ...t, ratio: t.ms_per_step / warm.msPerCall };
        o.log(
          `denoiser call (B = 2): onnxruntime ${warm.precision} ${warm.msPerCall.toFixed(1)} ms | PyTorch eager float32 ${t.ms_per_step.toFixed(1)} ms (torch ${t.torch ?? '?'}, ${t.threads ?? '?'} threads) | ${torch.ratio.toFixed(1)}x`,
        );
        if (altCfg) {
          o.log(
            `  and onnxruntime ${altCfg.precision} ${altCfg.msPerCall.toFixed(1)} ms | ${(t.ms_per_step / altCfg.msPerCall).toFixed(1)}x`,
          );
        }
      }
    }
    const peakRssMb = process.resourceUsage().maxRSS / 1024;
    o.log(
      `provider ${pack.provider}, pack load ${pack.loadMs.toFixed(0)} ms, peak RSS ${peakRssMb.toFixed(0)} MB` +
        (warm
          ? `, denoiser (${warm.precision}) at ${((warm.gflops / peak) * 100).toFixed(0)}% of the float32 matmul peak` +
            (altCfg ? `, ${altCfg.precision} at ${((altCfg.gflops / peak) * 100).toFixed(0)}%` : '') +
            ' (FLOPs estimated from transformer/config.json)'
          : ''),
    );
    return {
      pack: { name: pack.index.name, version: pack.index.version, dir: packDir },
      provider: pack.provider,
      cores: cpus().length,
      cpu: cpus()[0]?.model,
      cpuFeatures: cpuFeatures(),
      matmulPeakGflops: peak,
      peakRssMb,
      workerStart: start,
      torch,
      runs,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
