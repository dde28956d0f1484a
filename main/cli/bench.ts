/**
 * `tessera bench`: cold and warm clip time (recipe to MP4 on disk), ms per denoising step,
 * peak RSS, and optionally how time grows with frames and size. Reports; never asserts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from '../engine/index.js';
import { loadPack, resolvePackDir } from '../engine/pack.js';

export interface BenchOptions {
  steps?: number;
  frames?: number;
  sampler?: 'euler' | 'heun';
  scaling?: boolean;
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
  totalSec: number;
  msPerStep: number;
  timings: Record<string, number>;
}

export async function runBench(o: BenchOptions): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-bench-'));
  const packDir = resolvePackDir(o.pack);
  const runs: Run[] = [];
  const once = async (
    label: string,
    extra: { width?: number; height?: number; frames?: number; steps?: number; sampler?: 'euler' | 'heun' },
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
    const sorted = [...stepTimes].sort((a, b) => a - b);
    const r = res.recipe;
    const run: Run = {
      label,
      width: r.width,
      height: r.height,
      frames: r.frames,
      steps: r.steps,
      sampler: r.sampler,
      totalSec,
      msPerStep: sorted[Math.floor(sorted.length / 2)] ?? 0,
      timings: r.timings ?? {},
    };
    runs.push(run);
    o.log(
      `${label.padEnd(14)} ${`${r.width}x${r.height}x${r.frames}`.padEnd(12)} ${`${r.steps} ${r.sampler}`.padEnd(10)} total ${totalSec.toFixed(2)} s   step ${run.msPerStep.toFixed(1)} ms (median)   clip ${(res.durationSec).toFixed(2)} s`,
    );
    return run;
  };
  try {
    o.log(`tessera bench: ${cpus().length} cores, ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}`);
    await once('cold', {});
    await once('warm', {});
    const pack = await loadPack(packDir);
    // The higher-order sampler at a fifth of the steps (about 2/5 of the transformer calls).
    await once('warm-heun', {
      sampler: 'heun',
      steps: Math.max(2, Math.round((o.steps ?? pack.index.default.steps) / 5)),
    });
    if (o.scaling) {
      for (const frames of pack.index.frame_counts) await once(`frames-${frames}`, { frames });
      for (const s of pack.index.sizes) await once(`size-${s.width}x${s.height}`, { width: s.width, height: s.height });
    }
    const peakRssMb = process.resourceUsage().maxRSS / 1024;
    o.log(`provider ${pack.provider}, pack load ${pack.loadMs.toFixed(0)} ms, peak RSS ${peakRssMb.toFixed(0)} MB`);
    return {
      pack: { name: pack.index.name, version: pack.index.version, dir: packDir },
      provider: pack.provider,
      cores: cpus().length,
      peakRssMb,
      runs,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
