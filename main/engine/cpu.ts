/**
 * What a recipe records of the CPU it ran on. onnxruntime (MLAS) picks its kernels by the CPU's
 * vector features, so two CPUs with the same features give the same frames; across feature sets
 * float32 frames stay within one level, int8 ones can move an object's edge (`npm run
 * frames:cpus`: byte-identical under an emulated CPU of the same features, 1.1% of values off
 * by 8 or more under an SSE4.2-only one; main/engine/README.md).
 */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';

/** The CPU's vector features that pick onnxruntime's kernels (Linux's /proc/cpuinfo; [] elsewhere). */
export function cpuFeatures(): string[] {
  try {
    const flags =
      readFileSync('/proc/cpuinfo', 'utf8')
        .match(/^flags\s*:(.*)$/m)?.[1]
        ?.trim()
        .split(/\s+/) ?? [];
    return flags.filter((f) => /^(sse4_2|avx|avx2|avx512f|avx512_vnni|avx512_bf16|avx_vnni|amx_\w+|fma)$/.test(f));
  } catch {
    return []; // not Linux
  }
}

/** The CPU's model name as the OS reports it. */
export function cpuModel(): string {
  return cpus()[0]?.model.trim() || 'unknown';
}

export interface CpuRecord {
  cpu?: string;
  cpuFeatures?: string[];
}

/**
 * Whether two recipes' CPUs pick the same kernels: by their features when both recorded some,
 * else by model name; undefined when a recipe recorded neither (made before 0.12.2's engine).
 */
export function sameKernels(a: CpuRecord, b: CpuRecord): boolean | undefined {
  if (a.cpuFeatures?.length && b.cpuFeatures?.length)
    return [...a.cpuFeatures].sort().join(' ') === [...b.cpuFeatures].sort().join(' ');
  if (a.cpu && b.cpu) return a.cpu === b.cpu;
  return undefined;
}
