/**
 * The optimised-graph cache with real onnxruntime and the built-in pack (skipped if absent): a
 * second load reads onnxruntime's own optimised graphs and gives bit-identical outputs, and a
 * damaged cache entry is dropped and the pack's file is loaded instead. The cache keeps to its size
 * budget, least recently used graphs first out.
 */
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
// biome-ignore lint/style/noRestrictedImports: an engine test building the transformer's input tensors itself
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphCacheDir, pruneGraphCache } from '../../main/engine/optimizedGraphs.js';
import { type LoadedPack, loadPack, releasePacks } from '../../main/engine/pack.js';

const PACK = resolve(import.meta.dirname, '..', '..', 'models', 'packs', 'tessera-tiny');
const hasPack = existsSync(join(PACK, 'model_index.json'));
/** The four graphs every pack has, and the optional attribute guide (noise search). */
const loadedGraphs = hasPack
  ? 4 +
    ((JSON.parse(readFileSync(join(PACK, 'model_index.json'), 'utf8')) as { graphs: { guide?: unknown } }).graphs.guide
      ? 1
      : 0)
  : 4;
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
      expect(files.filter((f) => f.endsWith('.onnx'))).toHaveLength(loadedGraphs);
      expect(files.some((f) => f.endsWith('.part'))).toBe(false);
      const hourAgo = new Date(Date.now() - 3_600_000);
      for (const f of files) utimesSync(join(graphCacheDir(), f), hourAgo, hourAgo);
      const second = await transformerOutput(); // hit: the optimised graphs, optimisation off
      expect(cachedFiles()).toEqual(files);
      // each hit marks its graph as used, so pruning takes the least recently used first
      for (const f of files) expect(Date.now() - statSync(join(graphCacheDir(), f)).mtimeMs).toBeLessThan(600_000);
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

describe('optimised-graph cache budget', () => {
  /** A cache entry of `kb` KiB last used `minutesAgo` minutes ago. */
  function entry(dir: string, name: string, kb: number, minutesAgo: number): void {
    writeFileSync(join(dir, name), Buffer.alloc(kb * 1024));
    const when = new Date(Date.now() - minutesAgo * 60_000);
    utimesSync(join(dir, name), when, when);
  }

  it('removes the least recently used graphs beyond the budget and abandoned part files, never the one in use', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-graph-prune-'));
    try {
      entry(dir, 'new.onnx', 40, 1);
      entry(dir, 'recent.onnx', 40, 5);
      entry(dir, 'old.onnx', 40, 60);
      entry(dir, 'oldest-but-in-use.onnx', 40, 600);
      entry(dir, 'crashed.onnx.123.part', 10, 180);
      entry(dir, 'writing.onnx.456.part', 10, 1);
      const removed = pruneGraphCache(dir, 'oldest-but-in-use.onnx', 100 * 1024);
      expect(removed.sort()).toEqual(['crashed.onnx.123.part', 'old.onnx', 'recent.onnx']);
      expect(readdirSync(dir).sort()).toEqual(['new.onnx', 'oldest-but-in-use.onnx', 'writing.onnx.456.part']);
      expect(pruneGraphCache(dir, 'new.onnx', 100 * 1024)).toEqual([]); // within budget: nothing to do
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
