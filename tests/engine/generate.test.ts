/**
 * End to end on a real pack with real onnxruntime and real ffmpeg, few steps.
 * Pack: TESSERA_TEST_PACK, else the built-in models/packs/tessera-tiny (skipped if absent).
 * With random weights these tests assert mechanics (files, formats, counts, determinism),
 * never visual quality; the quality check runs once model_index.json says training.step > 0
 * (or TESSERA_TEST_TRAINED=1).
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PreviewImage, StepProgress } from '../../main/engine/api.js';
import { cpuFeatures } from '../../main/engine/cpu.js';
import {
  generate,
  getEngineInfo,
  parseRequest,
  readRecipeFromFile,
  renderFrames,
  requestFromRecipe,
} from '../../main/engine/index.js';
import { probe, readFrames } from '../../main/engine/media.js';
import { releasePacks } from '../../main/engine/pack.js';
import { decodePng } from '../../main/engine/png.js';
import { recipeSchema } from '../../preload/recipe.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const PACK = resolve(process.env.TESSERA_TEST_PACK || join(ROOT, 'models', 'packs', 'tessera-tiny'));
const hasPack = existsSync(join(PACK, 'model_index.json'));
const index = hasPack
  ? (JSON.parse(readFileSync(join(PACK, 'model_index.json'), 'utf8')) as {
      fps: number;
      default: {
        width: number;
        height: number;
        frames: number;
        noise_search?: { candidates: number; screen_steps: number; screen_colors?: boolean };
        guidance_high?: { from_t: number; guidance: number };
      };
      training?: { step?: number };
    })
  : undefined;
/** Quality checks only make sense once the pack holds trained weights. */
const trained = (index?.training?.step ?? 0) > 0 || process.env.TESSERA_TEST_TRAINED === '1';
const STEPS = 4;
const LONG = 180_000;
/** Screening steps a single-object text-to-video job runs before sampling (PACK_FORMAT.md, "Noise search"). */
const search = index?.default.noise_search;
const SEARCH_STEPS = search ? search.candidates * search.screen_steps : 0;

describe.skipIf(!hasPack)(`generate on pack ${PACK}`, () => {
  const tmp = mkdtempSync(join(tmpdir(), 'tessera-gen-'));
  const d = index?.default ?? { width: 128, height: 128, frames: 17 };
  const fps = index?.fps ?? 8;
  const base = { prompt: 'red ball going right, black bg', steps: STEPS, pack: PACK };
  let t2vPath = '';

  beforeAll(async () => {
    const res = await generate({ ...base, seed: 11 }, { outDir: tmp, baseName: 'source' });
    t2vPath = res.videoPath;
  }, LONG);
  afterAll(async () => {
    await releasePacks();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('engine info names onnxruntime and the providers offered', async () => {
    const info = await getEngineInfo();
    expect(info.onnxruntimeVersion).toMatch(/^\d+\.\d+\.\d+/);
    expect(info.providers).toContain('cpu');
  });

  it(
    'text-to-video writes an H.264 yuv420p MP4 at the pack fps, a poster PNG and a recipe in both sidecar and metadata',
    async () => {
      const progress: StepProgress[] = [];
      const previews: PreviewImage[] = [];
      const res = await generate(
        { ...base, seed: 7 },
        { outDir: tmp, baseName: 't2v' },
        { onProgress: (p) => progress.push(p), onPreview: (p) => previews.push(p) },
      );
      expect(res.frames).toBe(d.frames);
      expect(res.durationSec).toBeCloseTo(d.frames / fps, 6);
      const info = await probe(res.videoPath);
      expect(info).toMatchObject({
        codec: 'h264',
        pixFmt: 'yuv420p',
        width: d.width,
        height: d.height,
        frames: d.frames,
        fps,
      });
      const sidecar = recipeSchema.parse(JSON.parse(readFileSync(res.recipePath, 'utf8')));
      expect(sidecar.seed).toBe(7);
      expect(sidecar.expandedPrompt).toBe('a red circle moving right on a black background');
      expect(sidecar.engine.name).toBe('tessera-engine');
      expect(sidecar.engine.provider).toBe(res.recipe.engine.provider);
      expect(sidecar.pack.name).toBeTruthy();
      const fromMp4 = await readRecipeFromFile(res.videoPath);
      expect(fromMp4.seed).toBe(7);
      expect(fromMp4.createdAt).toBe(sidecar.createdAt);
      const poster = decodePng(readFileSync(res.posterPath));
      expect([poster.width, poster.height]).toEqual([d.width, d.height]);
      const total = SEARCH_STEPS + STEPS;
      expect(progress.map((p) => p.step)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
      expect(progress.every((p) => p.total === total && p.elapsedMs >= 0 && p.etaMs >= 0)).toBe(true);
      expect(previews.length).toBeGreaterThan(0);
      expect(previews[0]?.dataUrl).toMatch(/^data:image\/png;base64,/);
      expect(readdirSync(tmp).filter((f) => f.includes('.part-'))).toEqual([]);
      for (const k of ['load', 'text', 'denoise', 'decode', 'encode', 'total'])
        expect(res.recipe.timings?.[k]).toBeTypeOf('number');
    },
    LONG,
  );

  it(
    'the same recipe gives byte-identical frames; another seed differs',
    async () => {
      const req = parseRequest({ ...base, seed: 1234, sampler: 'heun' });
      const a = await renderFrames(req);
      const b = await renderFrames(req);
      const c = await renderFrames(parseRequest({ ...base, seed: 1235, sampler: 'heun' }));
      expect(Buffer.from(a.frames.data).equals(Buffer.from(b.frames.data))).toBe(true);
      expect(Buffer.from(a.frames.data).equals(Buffer.from(c.frames.data))).toBe(false);
      // And through the MP4: decoded frames of two renders with one recipe are identical.
      const r1 = await generate({ ...base, seed: 99 }, { outDir: tmp, baseName: 'det1' });
      const r2 = await generate({ ...base, seed: 99 }, { outDir: tmp, baseName: 'det2' });
      const f1 = await readFrames(r1.videoPath, { width: d.width, height: d.height });
      const f2 = await readFrames(r2.videoPath, { width: d.width, height: d.height });
      expect(Buffer.from(f1.data).equals(Buffer.from(f2.data))).toBe(true);
      // A clip re-renders from the recipe in its own metadata.
      const again = await generate(requestFromRecipe(await readRecipeFromFile(r1.videoPath)), {
        outDir: tmp,
        baseName: 'det3',
      });
      const f3 = await readFrames(again.videoPath, { width: d.width, height: d.height });
      expect(Buffer.from(f3.data).equals(Buffer.from(f1.data))).toBe(true);
    },
    LONG,
  );

  it.skipIf(!search)(
    "noise search picks a candidate noise and records it; search 1 samples the seed's own noise",
    async () => {
      const searched = await renderFrames(parseRequest({ ...base, seed: 5 }));
      const plain = await renderFrames(parseRequest({ ...base, seed: 5, search: 1 }));
      expect(searched.recipe.search).toBe(search?.candidates);
      const chosen = searched.recipe.searchCandidate;
      expect(chosen).toBeGreaterThanOrEqual(0);
      expect(chosen).toBeLessThan(search?.candidates ?? 0);
      expect(plain.recipe.search).toBe(1);
      expect(plain.recipe.searchCandidate).toBeUndefined();
      const same = Buffer.from(searched.frames.data).equals(Buffer.from(plain.frames.data));
      expect(same).toBe(chosen === 0);
      // Two objects: screened for both colours when the pack asks for it (screen_colors), else no search.
      const two = await renderFrames(
        parseRequest({ ...base, prompt: 'red ball going right and blue square going up, black bg', seed: 5 }),
      );
      if (search?.screen_colors) {
        expect(two.recipe.searchCandidate).toBeGreaterThanOrEqual(0);
        expect(two.recipe.searchCandidate).toBeLessThan(search.candidates);
        expect(two.recipe.timings?.search).toBeGreaterThan(0);
      } else {
        expect(two.recipe.searchCandidate).toBeUndefined();
        expect(two.recipe.timings?.search).toBeUndefined();
      }
    },
    LONG,
  );

  it(
    "records the pack's high-noise guidance band (caption-only modes); off (null) renders other frames and re-renders as asked",
    async () => {
      const high = index?.default.guidance_high;
      const asked = parseRequest({ ...base, seed: 21, search: 1 });
      const withBand = await renderFrames(asked);
      expect(withBand.recipe.guidanceHigh).toEqual(high && { fromT: high.from_t, guidance: high.guidance });
      const off = await renderFrames(parseRequest({ ...base, seed: 21, search: 1, guidanceHigh: null }));
      expect(off.recipe).not.toHaveProperty('guidanceHigh');
      expect(requestFromRecipe({ ...off.recipe, createdAt: '' }).guidanceHigh).toBeNull();
      const strong = await renderFrames(
        parseRequest({ ...base, seed: 21, search: 1, guidanceHigh: { fromT: 0.5, guidance: 9 } }),
      );
      expect(strong.recipe.guidanceHigh).toEqual({ fromT: 0.5, guidance: 9 });
      expect(Buffer.from(strong.frames.data).equals(Buffer.from(off.frames.data))).toBe(false);
      if (high) expect(Buffer.from(withBand.frames.data).equals(Buffer.from(off.frames.data))).toBe(false);
      // With context frames the frames set the layout: the pack's band is not applied unless asked.
      const extend = { ...base, mode: 'extend_forward' as const, source: t2vPath, seed: 21 };
      expect((await renderFrames(parseRequest(extend))).recipe).not.toHaveProperty('guidanceHigh');
      const asked2 = await renderFrames(parseRequest({ ...extend, guidanceHigh: { fromT: 0.8, guidance: 6 } }));
      expect(asked2.recipe.guidanceHigh).toEqual({ fromT: 0.8, guidance: 6 });
    },
    LONG,
  );

  it(
    'draws and records a seed when none is given',
    async () => {
      const res = await generate({ ...base }, { outDir: tmp, baseName: 'noseed' });
      expect(Number.isInteger(res.recipe.seed)).toBe(true);
      expect(res.recipe.seed).toBeGreaterThanOrEqual(0);
      expect(res.recipe.seed).toBeLessThanOrEqual(0xffffffff);
    },
    LONG,
  );

  it(
    'image mode makes one frame',
    async () => {
      const res = await generate({ ...base, mode: 'image', seed: 3 }, { outDir: tmp, baseName: 'image' });
      expect(res.frames).toBe(1);
      expect((await probe(res.videoPath)).frames).toBe(1);
      expect(decodePng(readFileSync(res.posterPath)).width).toBe(d.width);
    },
    LONG,
  );

  it(
    'image-to-video takes a JPEG or WebP of another aspect, letterboxed or cropped',
    async () => {
      const jpg = join(tmp, 'wide.jpg');
      execFileSync('ffmpeg', [
        '-v',
        'error',
        '-y',
        '-f',
        'lavfi',
        '-i',
        'color=c=red:s=300x120',
        '-frames:v',
        '1',
        jpg,
      ]);
      const webp = join(tmp, 'tall.webp');
      execFileSync('ffmpeg', [
        '-v',
        'error',
        '-y',
        '-f',
        'lavfi',
        '-i',
        'color=c=blue:s=90x200',
        '-frames:v',
        '1',
        webp,
      ]);
      for (const [fit, source] of [
        ['letterbox', jpg],
        ['crop', jpg],
        ['crop', webp],
      ] as const) {
        const res = await generate(
          { ...base, mode: 'i2v', source, fit, seed: 5 },
          { outDir: tmp, baseName: `i2v-${fit}-${source.slice(-4)}` },
        );
        expect(res.frames).toBe(d.frames);
        expect(res.recipe.fit).toBe(fit);
        expect((await probe(res.videoPath)).frames).toBe(d.frames);
      }
    },
    LONG,
  );

  it(
    'extend forwards / backwards write only the new frames',
    async () => {
      const T = 1 + (d.frames - 1) / 4;
      const k = Math.max(1, Math.floor((T - 1) / 2));
      const fw = await generate(
        { ...base, mode: 'extend_forward', source: t2vPath, seed: 2 },
        { outDir: tmp, baseName: 'fw' },
      );
      expect(fw.frames).toBe(d.frames - 4 * (k - 1) - 1);
      expect((await probe(fw.videoPath)).frames).toBe(fw.frames);
      const bw = await generate(
        { ...base, mode: 'extend_backward', source: t2vPath, seed: 2 },
        { outDir: tmp, baseName: 'bw' },
      );
      expect(bw.frames).toBe(d.frames - 4 * k);
      expect((await probe(bw.videoPath)).frames).toBe(bw.frames);
    },
    LONG,
  );

  it(
    'bridge, remix and loop render with the expected frame counts',
    async () => {
      const br = await generate(
        { ...base, mode: 'bridge', source: t2vPath, sourceEnd: t2vPath, seed: 4 },
        { outDir: tmp, baseName: 'bridge' },
      );
      const T = 1 + (d.frames - 1) / 4;
      const kb = Math.max(1, Math.floor((T - 1) / 4));
      expect(br.frames).toBe(d.frames - 4 * (kb - 1) - 1 - 4 * kb);
      const rm = await generate(
        { ...base, mode: 'remix', source: t2vPath, strength: 0.6, seed: 4 },
        { outDir: tmp, baseName: 'remix' },
      );
      expect(rm.frames).toBe(d.frames);
      expect(rm.recipe.strength).toBe(0.6);
      const lp = await generate({ ...base, mode: 'loop', seed: 4 }, { outDir: tmp, baseName: 'loop' });
      expect(lp.frames).toBe(d.frames - 1);
      expect((await probe(lp.videoPath)).frames).toBe(d.frames - 1);
    },
    LONG,
  );

  it.skipIf(!trained)(
    'trained pack: image-to-video keeps the given image as its first frame',
    async () => {
      const png = join(tmp, 'still.png');
      // A white disc on black, the world's own look.
      const geq = `geq=lum='if(lt(hypot(X-${d.width / 2},Y-${d.height / 2}),${d.width / 6}),235,16)':cb=128:cr=128`;
      const size = `${d.width}x${d.height}`;
      execFileSync('ffmpeg', [
        '-v',
        'error',
        '-y',
        '-f',
        'lavfi',
        '-i',
        `color=c=black:s=${size}`,
        '-vf',
        geq,
        '-frames:v',
        '1',
        png,
      ]);
      const res = await generate(
        { ...base, prompt: 'a white circle standing still on a black background', mode: 'i2v', source: png, seed: 8 },
        { outDir: tmp, baseName: 'i2v-trained' },
      );
      const src = decodePng(readFileSync(png));
      const first = decodePng(readFileSync(res.posterPath));
      let diff = 0;
      for (let i = 0; i < src.rgb.length; i++) diff += Math.abs((src.rgb[i] ?? 0) - (first.rgb[i] ?? 0));
      expect(diff / src.rgb.length).toBeLessThan(20);
    },
    LONG,
  );

  it(
    'cancel stops within a step and leaves no files',
    async () => {
      const out = mkdtempSync(join(tmpdir(), 'tessera-cancel-'));
      const ctrl = new AbortController();
      const steps: number[] = [];
      await expect(
        generate(
          { ...base, seed: 1, steps: 8 },
          { outDir: out, baseName: 'cancelled' },
          {
            signal: ctrl.signal,
            onProgress: (p) => {
              steps.push(p.step);
              if (p.step === 1) ctrl.abort();
            },
          },
        ),
      ).rejects.toThrow(/abort/i);
      expect(steps).toEqual([1]);
      expect(readdirSync(out)).toEqual([]);
      rmSync(out, { recursive: true, force: true });
    },
    LONG,
  );

  it(
    'rejects bad requests with messages naming the problem',
    async () => {
      const t = { outDir: tmp, baseName: 'bad' };
      await expect(generate({ ...base, width: 100 }, t)).rejects.toThrow(/Size 100x\d+ is not supported/);
      await expect(generate({ ...base, frames: 10 }, t)).rejects.toThrow(/10 frames is not supported/);
      await expect(generate({ ...base, mode: 'i2v' }, t)).rejects.toThrow(/needs a source/);
      await expect(generate({ ...base, mode: 'i2v', source: join(tmp, 'missing.png') }, t)).rejects.toThrow(
        /not found/,
      );
      await expect(generate({ ...base, mode: 'remix', source: t2vPath, strength: 1.5 }, t)).rejects.toThrow(/strength/);
      await expect(generate({ ...base, mode: 'remix', source: t2vPath }, t)).rejects.toThrow(/strength/);
      await expect(generate({ ...base, seed: -1 }, t)).rejects.toThrow(/seed/);
      await expect(generate({ ...base, source: t2vPath }, t)).rejects.toThrow(/takes no source/);
      expect(readdirSync(tmp).filter((f) => f.startsWith('bad'))).toEqual([]);
    },
    LONG,
  );

  it(
    'the CLI generates with --json (exit 0) and rejects bad input with exit 2 and one line',
    async () => {
      const run = promisify(execFile);
      const bin = join(ROOT, 'main', 'cli', 'bin.mjs');
      const out = join(tmp, 'cli.mp4');
      const { stdout } = await run(process.execPath, [
        bin,
        'generate',
        '--prompt',
        'red ball going right, black bg',
        '--seed',
        '7',
        '--steps',
        String(STEPS),
        '--pack',
        PACK,
        '--out',
        out,
        '--json',
        '--quiet',
      ]);
      const lines = stdout.trim().split('\n');
      const result = JSON.parse(lines[lines.length - 1] ?? '{}') as {
        video: string;
        expandedPrompt: string;
        provider: string;
        timings: Record<string, number>;
        recipe: unknown;
      };
      expect(result.video).toBe(out);
      expect(result.expandedPrompt).toBe('a red circle moving right on a black background');
      expect(result.provider).toBeTruthy();
      expect(result.timings.denoise).toBeTypeOf('number');
      expect(recipeSchema.parse(result.recipe).seed).toBe(7);
      expect(existsSync(out)).toBe(true);
      // Re-rendering a recipe made with another version of the pack says that the frames will differ.
      const older = join(tmp, 'older-recipe.json');
      const recipe = recipeSchema.parse(result.recipe);
      writeFileSync(older, JSON.stringify({ ...recipe, pack: { ...recipe.pack, version: '0.0.1' } }));
      const again = await run(process.execPath, [
        bin,
        'generate',
        '--recipe',
        older,
        '--pack',
        PACK,
        '--out',
        join(tmp, 'cli-again.mp4'),
        '--quiet',
      ]);
      expect(again.stderr).toContain(`was made with ${recipe.pack.name} 0.0.1; rendered with ${recipe.pack.version}`);
      // The recipe names the CPU; an int8 recipe from another CPU says its edges may differ here.
      expect(recipe.engine.cpu).toBe(cpus()[0]?.model.trim());
      expect(recipe.engine.cpuFeatures).toEqual(cpuFeatures());
      const packIndex = JSON.parse(readFileSync(join(PACK, 'model_index.json'), 'utf8')) as {
        graphs: { transformer: { variants?: Record<string, unknown> } };
      };
      if (packIndex.graphs.transformer.variants?.int8) {
        const elsewhere = join(tmp, 'int8-elsewhere.json');
        writeFileSync(
          elsewhere,
          JSON.stringify({
            ...recipe,
            precision: 'int8',
            engine: { ...recipe.engine, cpu: 'Another CPU 9000', cpuFeatures: ['sse4_2'] },
          }),
        );
        const moved = await run(process.execPath, [
          bin,
          'generate',
          '--recipe',
          elsewhere,
          '--pack',
          PACK,
          '--out',
          join(tmp, 'cli-elsewhere.mp4'),
          '--quiet',
        ]);
        expect(moved.stderr).toContain('rendered with the int8 transformer on "Another CPU 9000"');
        expect(again.stderr).not.toContain('int8 transformer on');
      }
      const expand = JSON.parse(
        (await run(process.execPath, [bin, 'expand', 'big pink box rising, sparkly, grey bg', '--json'])).stdout,
      ) as {
        caption: string;
        unknownWords: string[];
      };
      expect(expand).toMatchObject({
        caption: 'a large pink square moving up on a gray background',
        unknownWords: ['sparkly'],
      });
      const info = JSON.parse((await run(process.execPath, [bin, 'info', '--pack', PACK, '--json'])).stdout) as {
        onnxruntime: string;
        providersOffered: string[];
        pack: { provider: string; name: string };
      };
      expect(info.providersOffered).toContain('cpu');
      expect(info.pack.provider).toBeTruthy();
      const bad = await run(process.execPath, [
        bin,
        'generate',
        '--prompt',
        'x',
        '--width',
        '100',
        '--pack',
        PACK,
        '--out',
        join(tmp, 'x.mp4'),
      ]).catch((e: { code: number; stderr: string }) => e);
      expect('code' in bad && bad.code).toBe(2);
      expect(bad.stderr.trim().split('\n')).toHaveLength(1);
      expect(bad.stderr).toMatch(/100x128 is not supported/);
    },
    LONG,
  );
});
