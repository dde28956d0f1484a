/**
 * Benchmark helpers: this machine's float32 matrix-multiply peak through onnxruntime (a one-node
 * MatMul graph built in memory, no file), and an estimate of the transformer's FLOPs per call.
 */
import { availableParallelism } from 'node:os';
import * as ort from 'onnxruntime-node';

// Minimal protobuf writer for the few ONNX messages needed.
function varint(n: number): number[] {
  const out: number[] = [];
  let v = n;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}
const field = (num: number, wire: number): number[] => varint(num * 8 + wire);
const int = (num: number, v: number): number[] => [...field(num, 0), ...varint(v)];
const bytes = (num: number, b: number[]): number[] => [...field(num, 2), ...varint(b.length), ...b];
const str = (num: number, s: string): number[] => bytes(num, [...Buffer.from(s, 'utf8')]);

function valueInfo(name: string, dims: number[]): number[] {
  const shape = dims.flatMap((d) => bytes(1, int(1, d)));
  const tensorType = [...int(1, 1 /* FLOAT */), ...bytes(2, shape)];
  return [...str(1, name), ...bytes(2, bytes(1, tensorType))];
}

/** ONNX model bytes: Y = A @ B with A [m, k], B [k, n]. */
export function matmulModel(m: number, k: number, n: number): Uint8Array {
  const node = [...str(1, 'A'), ...str(1, 'B'), ...str(2, 'Y'), ...str(4, 'MatMul')];
  const graph = [
    ...bytes(1, node),
    ...str(2, 'matmul'),
    ...bytes(11, valueInfo('A', [m, k])),
    ...bytes(11, valueInfo('B', [k, n])),
    ...bytes(12, valueInfo('Y', [m, n])),
  ];
  const opset = [...str(1, ''), ...int(2, 18)];
  return Uint8Array.from([...int(1, 8), ...str(2, 'tessera-bench'), ...bytes(7, graph), ...bytes(8, opset)]);
}

/** Best-of-N GFLOP/s of an n x n float32 matmul on the CPU provider. */
export async function measureMatmulPeak(n = 512, repeats = 15): Promise<number> {
  const session = await ort.InferenceSession.create(matmulModel(n, n, n), {
    executionProviders: ['cpu'],
    intraOpNumThreads: Number(process.env.TESSERA_THREADS) || availableParallelism(),
    graphOptimizationLevel: 'all',
  });
  const a = new ort.Tensor(
    'float32',
    Float32Array.from({ length: n * n }, (_, i) => ((i % 17) - 8) / 8),
    [n, n],
  );
  const b = new ort.Tensor(
    'float32',
    Float32Array.from({ length: n * n }, (_, i) => ((i % 13) - 6) / 6),
    [n, n],
  );
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < repeats; r++) {
    const t = performance.now();
    await session.run({ A: a, B: b });
    best = Math.min(best, performance.now() - t);
  }
  await session.release();
  return (2 * n ** 3) / (best / 1000) / 1e9;
}

export interface TransformerConfig {
  dim: number;
  depth: number;
  mlp_ratio: number;
  text_dim?: number;
  patch?: number[];
  latent_channels?: number;
}

/**
 * Estimated GFLOP of one transformer call for `batch` samples of T x h x w latents with L text
 * tokens: per block self-attention, cross-attention to the text and the MLP (2 FLOP per MAC).
 */
export function estimateTransformerGflop(
  cfg: TransformerConfig,
  T: number,
  h: number,
  w: number,
  L: number,
  batch: number,
): number {
  const [pt = 1, ph = 2, pw = 2] = cfg.patch ?? [];
  const N = (T / pt) * (h / ph) * (w / pw);
  const d = cfg.dim;
  const td = cfg.text_dim ?? d;
  const C = cfg.latent_channels ?? 32;
  const perBlock =
    4 * N * d * d + // self-attention q, k, v, out
    2 * N * N * d + // scores and weighted sum
    2 * N * d * d + // cross-attention q, out
    2 * L * td * d + // cross-attention k, v on the text
    2 * N * L * d + // cross scores and sum
    2 * cfg.mlp_ratio * N * d * d + // MLP
    9 * d * d; // adaLN modulation (per sample)
  const io = N * (2 * C + 1) * pt * ph * pw * d + N * d * C * pt * ph * pw;
  return (2 * batch * (cfg.depth * perBlock + io)) / 1e9;
}
