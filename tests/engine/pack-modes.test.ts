import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Frames } from '../../main/engine/media.js';
import { extendContextLatents, loopContext, planMode } from '../../main/engine/modes.js';
import { listPacks, readPackInfo } from '../../main/engine/pack.js';
import type { LatentShape } from '../../main/engine/sampler.js';

const tmp = mkdtempSync(join(tmpdir(), 'tessera-pack-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A pack folder with valid JSON and placeholder graph files (readPackInfo does not load graphs). */
function makePackDir(name: string, patch: (index: Record<string, unknown>) => void = () => {}): string {
  const dir = join(tmp, name);
  for (const d of ['tokenizer', 'text_encoder', 'transformer', 'vae_encoder', 'vae_decoder', 'scheduler'])
    mkdirSync(join(dir, d), { recursive: true });
  cpSync(join(import.meta.dirname, 'fixtures', 'tokenizer.json'), join(dir, 'tokenizer', 'tokenizer.json'));
  for (const g of ['text_encoder', 'transformer', 'vae_encoder', 'vae_decoder'])
    writeFileSync(join(dir, g, 'model.onnx'), '');
  writeFileSync(
    join(dir, 'scheduler', 'scheduler_config.json'),
    JSON.stringify({ num_train_timesteps: 1000, shift: 3 }),
  );
  const index: Record<string, unknown> = {
    format: 1,
    name,
    version: '0.1.0',
    fps: 8,
    latent_channels: 4,
    compression: { temporal: 4, spatial: 16 },
    patch_size: [1, 2, 2],
    sizes: [{ name: 'square', width: 128, height: 128 }],
    frame_counts: [9, 17, 33],
    default: { width: 128, height: 128, frames: 17, steps: 50, guidance: 4, sampler: 'euler' },
    modes: ['t2v'],
    text: { max_length: 32 },
    vae: { scaling_factor: 1, shift_factor: 0 },
    latent_rgb_projection: {
      weight: [
        [0, 0, 0],
        [0, 0, 0],
        [0, 0, 0],
        [0, 0, 0],
      ],
      bias: [0, 0, 0],
    },
    graphs: Object.fromEntries(
      ['text_encoder', 'transformer', 'vae_encoder', 'vae_decoder'].map((g) => [g, { path: `${g}/model.onnx` }]),
    ),
  };
  patch(index);
  writeFileSync(join(dir, 'model_index.json'), JSON.stringify(index));
  return dir;
}

describe('pack validation', () => {
  it('accepts a well-formed pack', () => {
    const info = readPackInfo(makePackDir('good'));
    expect(info.index.name).toBe('good');
    expect(info.shift).toBe(3);
  });
  it('names the missing or broken file, the format and the mismatch', () => {
    expect(() => readPackInfo(join(tmp, 'nowhere'))).toThrow(/missing model_index.json/);
    expect(() =>
      readPackInfo(
        makePackDir('v2', (i) => {
          i.format = 2;
        }),
      ),
    ).toThrow(/format 2.*format 1/);
    expect(() =>
      readPackInfo(
        makePackDir('proj', (i) => {
          i.latent_channels = 8;
        }),
      ),
    ).toThrow(/latent_rgb_projection.*8/);
    expect(() =>
      readPackInfo(
        makePackDir('size', (i) => {
          i.sizes = [{ width: 100, height: 128 }];
        }),
      ),
    ).toThrow(/100x128/);
    expect(() =>
      readPackInfo(
        makePackDir('frames', (i) => {
          i.frame_counts = [10];
        }),
      ),
    ).toThrow(/frame count 10/);
    expect(() =>
      readPackInfo(
        makePackDir('nofps', (i) => {
          delete i.fps;
        }),
      ),
    ).toThrow(/fps/);
    const noGraph = makePackDir('nograph');
    rmSync(join(noGraph, 'vae_decoder', 'model.onnx'));
    expect(() => readPackInfo(noGraph)).toThrow(/vae_decoder graph/);
    const noTok = makePackDir('notok');
    rmSync(join(noTok, 'tokenizer', 'tokenizer.json'));
    expect(() => readPackInfo(noTok)).toThrow(/tokenizer\.json/);
    const badSched = makePackDir('sched');
    writeFileSync(join(badSched, 'scheduler', 'scheduler_config.json'), '{"shift": -1}');
    expect(() => readPackInfo(badSched)).toThrow(/scheduler_config.json.*shift/);
    expect(readFileSync(join(badSched, 'model_index.json'), 'utf8')).toContain('"format":1');
  });
});

describe('transformer variants', () => {
  const withInt8 = (i: Record<string, unknown>) => {
    (i.graphs as { transformer: Record<string, unknown> }).transformer.variants = {
      int8: { path: 'transformer/model_quantized.onnx' },
    };
  };
  it('accepts an int8 variant whose file exists, and default.precision', () => {
    const dir = makePackDir('int8', (i) => {
      withInt8(i);
      (i.default as Record<string, unknown>).precision = 'int8';
    });
    writeFileSync(join(dir, 'transformer', 'model_quantized.onnx'), '');
    const info = readPackInfo(dir);
    expect(info.index.graphs.transformer.variants?.int8?.path).toBe('transformer/model_quantized.onnx');
    expect(info.index.default.precision).toBe('int8');
  });
  it('rejects a variant path that does not exist, naming the variant and the file', () => {
    const dir = makePackDir('int8-missing', withInt8);
    expect(() => readPackInfo(dir)).toThrow(
      /missing the transformer int8 variant \(graphs\.transformer\.variants\.int8\): .*int8-missing\/transformer\/model_quantized\.onnx/,
    );
  });
  it('rejects default.precision int8 without the variant, and an unknown precision', () => {
    expect(() =>
      readPackInfo(
        makePackDir('int8-default', (i) => {
          (i.default as Record<string, unknown>).precision = 'int8';
        }),
      ),
    ).toThrow(/default\.precision is int8 but graphs\.transformer\.variants has no int8 entry/);
    expect(() =>
      readPackInfo(
        makePackDir('fp16-default', (i) => {
          (i.default as Record<string, unknown>).precision = 'fp16';
        }),
      ),
    ).toThrow(/default\.precision/);
  });
  const withGuide = (i: Record<string, unknown>): void => {
    (i.graphs as Record<string, unknown>).guide = { path: 'guide/model.onnx', heads: { shape: ['circle', 'square'] } };
    (i.default as Record<string, unknown>).noise_search = { candidates: 4, screen_to: 0.7, screen_steps: 5 };
  };
  it('accepts an attribute guide with noise search, and names a missing guide file', () => {
    const dir = makePackDir('guided', withGuide);
    expect(() => readPackInfo(dir)).toThrow(/missing the guide graph: .*guided\/guide\/model\.onnx/);
    mkdirSync(join(dir, 'guide'));
    writeFileSync(join(dir, 'guide', 'model.onnx'), '');
    const info = readPackInfo(dir);
    expect(info.index.graphs.guide?.heads.shape).toEqual(['circle', 'square']);
    expect(info.index.default.noise_search?.candidates).toBe(4);
  });
  it('rejects noise search without a guide, and a screening time outside (0, 1)', () => {
    expect(() =>
      readPackInfo(
        makePackDir('search-no-guide', (i) => {
          (i.default as Record<string, unknown>).noise_search = { candidates: 4, screen_to: 0.7, screen_steps: 5 };
        }),
      ),
    ).toThrow(/default\.noise_search needs a guide graph/);
    expect(() =>
      readPackInfo(
        makePackDir('search-bad-t', (i) => {
          withGuide(i);
          ((i.default as Record<string, unknown>).noise_search as Record<string, unknown>).screen_to = 1.5;
        }),
      ),
    ).toThrow(/noise_search\.screen_to/);
  });
});

describe('pack listing', () => {
  it('lists user packs, with the reason a broken one cannot be used', () => {
    const userDir = join(tmp, 'user-packs');
    mkdirSync(userDir, { recursive: true });
    const good = makePackDir('listed');
    cpSync(good, join(userDir, 'listed'), { recursive: true });
    mkdirSync(join(userDir, 'broken'));
    const packs = listPacks(userDir).filter((p) => !p.builtin);
    expect(packs.find((p) => p.name === 'listed')).toMatchObject({ version: '0.1.0', builtin: false });
    expect(packs.find((p) => p.name === 'broken')?.error).toMatch(/model_index.json/);
  });
});

describe('mode context', () => {
  const s: LatentShape = { C: 2, T: 5, h: 2, w: 2 };
  const hw = s.h * s.w;
  const clip = (count: number): Frames => ({ width: 32, height: 32, count, data: new Uint8Array(32 * 32 * 3 * count) });
  /** Test IO: a clip of n frames; "encoding" returns latents whose value is the latent index + 1. */
  const io = (n: number, calls: number[] = []) => ({
    read: async () => clip(n),
    encode: async (f: Frames) => {
      calls.push(f.count);
      const T = 1 + (f.count - 1) / 4;
      const z = new Float32Array(s.C * T * hw);
      for (let c = 0; c < s.C; c++)
        for (let t = 0; t < T; t++) z.fill(t + 1, c * T * hw + t * hw, c * T * hw + (t + 1) * hw);
      return z;
    },
  });
  const maskedFrames = (m: Float32Array) => Array.from({ length: s.T }, (_, t) => m[t * hw]);
  const ctxFrame = (ctx: Float32Array, t: number) => ctx[t * hw];

  it('i2v marks latent frame 0', async () => {
    const p = await planMode({ mode: 'i2v', frames: 17, source: 'img' }, s, io(1));
    expect(maskedFrames(p.context.mask)).toEqual([1, 0, 0, 0, 0]);
    expect(p.keep).toEqual([0, 17]);
  });
  it('extend forward encodes the last 4(k-1)+1 frames into latents 0..k-1 and keeps only new frames', async () => {
    const calls: number[] = [];
    const k = extendContextLatents(5);
    expect(k).toBe(2);
    const p = await planMode({ mode: 'extend_forward', frames: 17, source: 'clip' }, s, io(17, calls));
    expect(calls).toEqual([5]);
    expect(maskedFrames(p.context.mask)).toEqual([1, 1, 0, 0, 0]);
    expect([ctxFrame(p.context.context, 0), ctxFrame(p.context.context, 1)]).toEqual([1, 2]);
    expect(p.keep).toEqual([5, 17]);
  });
  it('extend backward encodes [f0] + 4k frames, drops latent 0 and places the rest at the end', async () => {
    const calls: number[] = [];
    const p = await planMode({ mode: 'extend_backward', frames: 17, source: 'clip' }, s, io(17, calls));
    expect(calls).toEqual([9]);
    expect(maskedFrames(p.context.mask)).toEqual([0, 0, 0, 1, 1]);
    expect([ctxFrame(p.context.context, 3), ctxFrame(p.context.context, 4)]).toEqual([2, 3]);
    expect(p.keep).toEqual([0, 9]);
  });
  it('a clip too short to extend backwards is an input error', async () => {
    await expect(planMode({ mode: 'extend_backward', frames: 17, source: 'clip' }, s, io(2))).rejects.toThrow(
      /too short/,
    );
  });
  it('bridge has context at both ends and keeps the frames between', async () => {
    const p = await planMode({ mode: 'bridge', frames: 17, source: 'a', sourceEnd: 'b' }, s, io(17));
    expect(maskedFrames(p.context.mask)).toEqual([1, 0, 0, 0, 1]);
    expect(p.keep).toEqual([1, 13]);
  });
  it('loop puts the first latent frame at the first and last position', () => {
    const z0 = new Float32Array(s.C * hw).fill(7);
    const ctx = loopContext(s, z0);
    expect(maskedFrames(ctx.mask)).toEqual([1, 0, 0, 0, 1]);
    expect([ctxFrame(ctx.context, 0), ctxFrame(ctx.context, 4)]).toEqual([7, 7]);
  });
  it('remix encodes the source without context; a missing source is an input error', async () => {
    const p = await planMode({ mode: 'remix', frames: 17, source: 'clip' }, s, io(9));
    expect(p.remixLatent?.length).toBe(s.C * 5 * hw);
    expect(maskedFrames(p.context.mask)).toEqual([0, 0, 0, 0, 0]);
    await expect(planMode({ mode: 'remix', frames: 17 }, s, io(9))).rejects.toThrow(/needs a clip/);
  });
});
