/**
 * Transformer precision (int8 variant) end to end: real onnxruntime, real ffmpeg, real pack copies.
 * Pack: TESSERA_TEST_PACK, else the built-in models/packs/tessera-tiny (skipped if absent). The
 * copies live in a temp dir: one without the variant, one given it by
 * `python -m tessera.export --int8-only` (needs models/.venv), one whose default is int8.
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  generate,
  InputError,
  parseRequest,
  readRecipeFromFile,
  renderFrames,
  requestFromRecipe,
  warmUp,
} from '../../main/engine/index.js';
import { readFrames } from '../../main/engine/media.js';
import { loadPack, releasePacks } from '../../main/engine/pack.js';
import { type Recipe, recipeSchema } from '../../preload/recipe.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const PACK = resolve(process.env.TESSERA_TEST_PACK || join(ROOT, 'models', 'packs', 'tessera-tiny'));
const PYTHON = join(ROOT, 'models', '.venv', 'bin', 'python');
const hasPack = existsSync(join(PACK, 'model_index.json'));
const hasVenv = existsSync(PYTHON);
const STEPS = 4;
const LONG = 180_000;

type Index = { name: string; default: Record<string, unknown>; graphs: { transformer: Record<string, unknown> } };
const readIndex = (dir: string): Index => JSON.parse(readFileSync(join(dir, 'model_index.json'), 'utf8')) as Index;
const writeIndex = (dir: string, index: Index) => writeFileSync(join(dir, 'model_index.json'), JSON.stringify(index));

/** A copy of the pack without the int8 variant (whatever the source pack has). */
function copyWithoutVariant(dest: string): string {
  cpSync(PACK, dest, {
    recursive: true,
    filter: (src) => basename(src) !== 'eval' && basename(src) !== 'model_quantized.onnx',
  });
  const index = readIndex(dest);
  delete index.graphs.transformer.variants;
  delete index.default.precision;
  writeIndex(dest, index);
  return dest;
}

describe('precision in recipes', () => {
  it('an old recipe (no precision) re-renders at fp32; a new one keeps its precision', () => {
    const recipe: Recipe = recipeSchema.parse({
      mode: 't2v',
      prompt: 'x',
      expandedPrompt: 'x',
      unknownWords: [],
      seed: 1,
      steps: 4,
      guidance: 4,
      sampler: 'euler',
      width: 128,
      height: 128,
      frames: 17,
      fps: 8,
      pack: { name: 'tessera-tiny', version: '0.1.0' },
      engine: { name: 'tessera-engine', version: '0', onnxruntime: '1', provider: 'cpu' },
      createdAt: '2026-11-29T00:00:00.000Z',
    });
    expect(requestFromRecipe(recipe).precision).toBe('fp32');
    expect(requestFromRecipe({ ...recipe, precision: 'int8' }).precision).toBe('int8');
    expect(() => parseRequest({ prompt: 'x', precision: 'fp16' })).toThrow(InputError);
  });
});

describe.skipIf(!hasPack)(`precision on copies of pack ${PACK}`, () => {
  const tmp = mkdtempSync(join(tmpdir(), 'tessera-precision-'));
  const base = { prompt: 'red ball going right, black bg', steps: STEPS };
  let plain = '';
  let withInt8 = '';
  let int8Default = '';

  beforeAll(async () => {
    plain = copyWithoutVariant(join(tmp, 'plain'));
    if (!hasVenv) return;
    withInt8 = copyWithoutVariant(join(tmp, 'with-int8'));
    await promisify(execFile)(PYTHON, ['-m', 'tessera.export', '--int8-only', '--out', withInt8], {
      cwd: join(ROOT, 'models'),
    });
    int8Default = join(tmp, 'int8-default');
    cpSync(withInt8, int8Default, { recursive: true });
    const index = readIndex(int8Default);
    index.default.precision = 'int8';
    writeIndex(int8Default, index);
  }, LONG);
  afterAll(async () => {
    await releasePacks();
    rmSync(tmp, { recursive: true, force: true });
  });

  it(
    'int8 on a pack without the variant is an InputError naming the pack and the variant, and writes nothing',
    async () => {
      const name = readIndex(plain).name;
      const err = await renderFrames(parseRequest({ ...base, pack: plain, precision: 'int8' })).catch((e) => e);
      expect(err).toBeInstanceOf(InputError);
      expect((err as Error).message).toContain(`Pack ${name} has no int8 transformer`);
      expect((err as Error).message).toContain('graphs.transformer.variants.int8');
      const out = join(tmp, 'out-plain');
      await expect(
        generate({ ...base, pack: plain, precision: 'int8' }, { outDir: out, baseName: 'x' }),
      ).rejects.toThrow(InputError);
      expect(existsSync(out)).toBe(false);
      // fp32 still works there, and says so.
      const fp32 = await renderFrames(parseRequest({ ...base, pack: plain, seed: 3 }));
      expect(fp32.recipe.precision).toBe('fp32');
    },
    LONG,
  );

  // Without models/.venv the int8 file cannot be made here (onnxruntime's quantiser is Python).
  it.skipIf(!hasVenv)(
    'int8 loads only when asked, renders, records int8 and re-renders byte-identically from its recipe',
    async () => {
      const index = readIndex(withInt8);
      expect(index.graphs.transformer.variants).toEqual({ int8: { path: 'transformer/model_quantized.onnx' } });
      expect(index.default.precision).toBe('fp32');

      const fp32 = await renderFrames(parseRequest({ ...base, pack: withInt8, seed: 21 }));
      expect(fp32.recipe.precision).toBe('fp32');
      expect([...(await loadPack(withInt8)).transformers.keys()]).toEqual(['fp32']);

      const req = parseRequest({ ...base, pack: withInt8, seed: 21, precision: 'int8' });
      const a = await renderFrames(req);
      const b = await renderFrames(req);
      expect([...(await loadPack(withInt8)).transformers.keys()].sort()).toEqual(['fp32', 'int8']);
      expect(a.recipe.precision).toBe('int8');
      expect(a.frames.count).toBe(fp32.frames.count);
      expect(Buffer.from(a.frames.data).equals(Buffer.from(b.frames.data))).toBe(true);
      // The quantised graph really ran: same seed, different frames.
      expect(Buffer.from(a.frames.data).equals(Buffer.from(fp32.frames.data))).toBe(false);

      // Through the files: the MP4 and the sidecar say int8, and the clip re-renders from its metadata.
      const first = await generate(
        { ...base, pack: withInt8, seed: 22, precision: 'int8' },
        { outDir: tmp, baseName: 'int8' },
      );
      expect(first.recipe.precision).toBe('int8');
      expect(recipeSchema.parse(JSON.parse(readFileSync(first.recipePath, 'utf8'))).precision).toBe('int8');
      const embedded = await readRecipeFromFile(first.videoPath);
      expect(embedded.precision).toBe('int8');
      // A recipe names its pack by name (the built-in one); point it at the copy, as `--recipe X --pack DIR` does.
      const again = await generate(
        { ...requestFromRecipe(embedded), pack: withInt8 },
        { outDir: tmp, baseName: 'int8-again' },
      );
      expect(again.recipe.precision).toBe('int8');
      const size = { width: first.width, height: first.height };
      const f1 = await readFrames(first.videoPath, size);
      const f2 = await readFrames(again.videoPath, size);
      expect(Buffer.from(f1.data).equals(Buffer.from(f2.data))).toBe(true);

      const warm = await warmUp(withInt8, 'int8');
      expect(warm.precision).toBe('int8');
    },
    LONG,
  );

  it.skipIf(!hasVenv)(
    'a pack whose default is int8 runs int8 when no precision is asked, and loads only that transformer',
    async () => {
      const res = await renderFrames(parseRequest({ ...base, pack: int8Default, seed: 21 }));
      expect(res.recipe.precision).toBe('int8');
      expect([...(await loadPack(int8Default)).transformers.keys()]).toEqual(['int8']);
      // Same graph file and recipe as the explicit int8 job on the other copy: same frames.
      const explicit = await renderFrames(parseRequest({ ...base, pack: withInt8, seed: 21, precision: 'int8' }));
      expect(Buffer.from(res.frames.data).equals(Buffer.from(explicit.frames.data))).toBe(true);
      const fp32 = await renderFrames(parseRequest({ ...base, pack: int8Default, seed: 21, precision: 'fp32' }));
      expect(fp32.recipe.precision).toBe('fp32');
      expect((await warmUp(int8Default)).precision).toBe('int8');
    },
    LONG,
  );
});
