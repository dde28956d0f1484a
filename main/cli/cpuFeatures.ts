import { readFileSync } from 'node:fs';

/** The CPU's vector features that pick onnxruntime's kernels (and so can change float results). */
export function cpuFeatures(): string[] {
  try {
    const flags =
      readFileSync('/proc/cpuinfo', 'utf8')
        .match(/^flags\s*:(.*)$/m)?.[1]
        ?.trim()
        .split(/\s+/) ?? [];
    return flags.filter((f) => /^(avx2|avx512f|avx512_vnni|avx512_bf16|avx_vnni|amx_\w+|fma)$/.test(f));
  } catch {
    return []; // not Linux
  }
}
