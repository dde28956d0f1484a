/**
 * The optimised-graph cache with real onnxruntime and the built-in pack (skipped if absent): a
 * second load reads onnxruntime's own optimised graphs and gives bit-identical outputs, and a
 * damaged cache entry is dropped and the pack's file is loaded instead.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
// biome-ignore lint/style/noRestrictedImports: an engine test building the transformer's input tensors itself
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphCacheDir } from '../../main/engine/optimizedGraphs.js';
import { type LoadedPack, loadPack, releasePacks } from '../../main/engine/pack.js';

const PACK = resolve(import.meta.dirname, '..', '..', 'models', 'packs', 'tessera-tiny');
const hasPack = existsSync(join(PACK, 'model_index.json'));
const LONG = 120_000;

let cacheRoot = '';
const saved = { dir: process.env.TESSERA_CACHE_DIR, off: process.env.TESSERA_GRAPH_CACHE };

beforeAll(async () => {
  cacheRoot = mkdtempSync(join(tmpdir(), 'tessera-graph-cache-'));
  process.env.TESSERA_CACHE_DIR = cacheRoot;
  await releasePacks();
});

afterAll(async () => {
  await releasePacks();
  for (const [key, value] of [
    ['TESSERA_CACHE_DIR', saved.dir],
    ['TESSERA_GRAPH_CACHE', saved.off],
  ] as const) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  rmSync(cacheRoot, { recursive: true, force: true });
});

/** A fresh load of the pack (sessions released first), then one transformer call on fixed inputs. */
async function transformerOutput(): Promise<Float32Array> {
  await releasePacks();
  const pack: LoadedPack = await loadPack(PACK);
  const [C, T, h, w, L] = [pack.index.latent_channels, 5, 8, 8, pack.index.text.max_length];
  const n = C * T * h * w;
  const latents = Float32Array.from({ length: 2 * n }, (_, i) => Math.sin(i * 0.37));
  const out = await pack.sessions.transformer.run({
    latents: new ort.Tensor('float32', latents, [2, C, T, h, w]),
    timestep: new ort.Tensor('float32', Float32Array.of(0.7, 0.7), [2]),
    text_embeds: new ort.Tensor(
      'float32',
      Float32Array.from({ length: 2 * L * pack.textDim }, (_, i) => Math.cos(i * 0.11)),
      [2, L, pack.textDim],
    ),
    text_mask: new ort.Tensor('float32', new Float32Array(2 * L).fill(1), [2, L]),
    context: new ort.Tensor('float32', new Float32Array(2 * n), [2, C, T, h, w]),
    context_mask: new ort.Tensor('float32', new Float32Array(2 * T * h * w), [2, 1, T, h, w]),
  });
  return new Float32Array((out.velocity as ort.Tensor).data as Float32Array);
}

const cachedFiles = () => (existsSync(graphCacheDir()) ? readdirSync(graphCacheDir()) : []);

describe.skipIf(!hasPack)('optimised-graph cache', () => {
  it(
    'writes one optimised graph per loaded graph, then loads from it with identical outputs',
    async () => {
      process.env.TESSERA_GRAPH_CACHE = '0';
      const uncached = await transformerOutput();
      expect(cachedFiles()).toEqual([]);
      delete process.env.TESSERA_GRAPH_CACHE;
      const first = await transformerOutput(); // miss: optimises and writes the cache
      const files = cachedFiles();
      expect(files.filter((f) => f.endsWith('.onnx'))).toHaveLength(4);
      expect(files.some((f) => f.endsWith('.part'))).toBe(false);
      const second = await transformerOutput(); // hit: the optimised graphs, optimisation off
      expect(cachedFiles()).toEqual(files);
      expect(Buffer.from(first.buffer)).toEqual(Buffer.from(uncached.buffer));
      expect(Buffer.from(second.buffer)).toEqual(Buffer.from(uncached.buffer));
    },
    LONG,
  );

  it(
    'drops a damaged cached graph and loads the pack file instead',
    async () => {
      const reference = await transformerOutput();
      const files = cachedFiles();
      for (const f of files) writeFileSync(join(graphCacheDir(), f), 'not an onnx graph');
      const out = await transformerOutput();
      expect(Buffer.from(out.buffer)).toEqual(Buffer.from(reference.buffer));
      // the damaged entries are gone; the next load writes fresh ones
      expect(cachedFiles().filter((f) => files.includes(f))).toEqual([]);
    },
    LONG,
  );
});
