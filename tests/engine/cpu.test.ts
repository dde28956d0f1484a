/** The CPU a recipe records, and when two recipes' CPUs pick the same onnxruntime kernels. */
import { cpus } from 'node:os';
import { describe, expect, it } from 'vitest';
import { cpuFeatures, cpuModel, sameKernels } from '../../main/engine/cpu.js';

describe('cpu records', () => {
  it('names this CPU and, on Linux, its kernel-picking features', () => {
    expect(cpuModel()).toBe(cpus()[0]?.model.trim() || 'unknown');
    if (process.platform === 'linux') expect(cpuFeatures().length).toBeGreaterThan(0);
    expect(
      cpuFeatures().every((f) => /^(sse4_2|avx|avx2|avx512f|avx512_vnni|avx512_bf16|avx_vnni|amx_\w+|fma)$/.test(f)),
    ).toBe(true);
  });

  it('compares features when both have them, else model names, else says it cannot tell', () => {
    const avx2 = ['fma', 'avx2'];
    expect(sameKernels({ cpu: 'A', cpuFeatures: avx2 }, { cpu: 'B', cpuFeatures: ['avx2', 'fma'] })).toBe(true);
    expect(sameKernels({ cpu: 'A', cpuFeatures: avx2 }, { cpu: 'A', cpuFeatures: ['sse4_2'] })).toBe(false);
    expect(sameKernels({ cpu: 'A', cpuFeatures: [] }, { cpu: 'A', cpuFeatures: avx2 })).toBe(true);
    expect(sameKernels({ cpu: 'A' }, { cpu: 'B' })).toBe(false);
    expect(sameKernels({}, { cpu: 'B', cpuFeatures: avx2 })).toBeUndefined();
  });
});
