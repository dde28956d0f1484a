import { describe, expect, it } from 'vitest';
import type { Frames } from '../../main/engine/media.js';
import { minObjectArea, paletteOf, presenceScore, twoObjectColors } from '../../main/engine/presence.js';
import { loadWorldSpec } from '../../main/engine/prompt.js';
import { cleanEstimate } from '../../main/engine/search.js';

const spec = loadWorldSpec();
const palette = paletteOf(spec);
const rgb = (name: string) => palette.colors[palette.names.indexOf(name)] as readonly number[];

/** 64x64 frames on black; `squares[f]` lists (colour, x, y, side) drawn in frame f. */
function frames(squares: [string, number, number, number][][]): Frames {
  const W = 64;
  const data = new Uint8Array(squares.length * W * W * 3);
  squares.forEach((list, f) => {
    for (let i = 0; i < W * W; i++) data.set(rgb('black'), (f * W * W + i) * 3);
    for (const [color, x0, y0, side] of list)
      for (let y = y0; y < y0 + side; y++)
        for (let x = x0; x < x0 + side; x++) data.set(rgb(color), (f * W * W + y * W + x) * 3);
  });
  return { width: W, height: W, count: squares.length, data };
}

describe('two-object presence (noise search)', () => {
  it('reads the two colours of a canonical two-object caption, and nothing else', () => {
    const colors = spec.object_colors;
    expect(
      twoObjectColors(
        'a small yellow triangle moving up and a large green circle standing still on a gray background',
        colors,
      ),
    ).toEqual(['yellow', 'green']);
    expect(
      twoObjectColors('a white square growing and a pink circle moving down on a blue background', colors),
    ).toEqual(['white', 'pink']);
    expect(twoObjectColors('a red circle moving right on a black background', colors)).toBeUndefined();
    expect(twoObjectColors('a circle moving right and a blue square on a black background', colors)).toBeUndefined();
    expect(twoObjectColors('', colors)).toBeUndefined();
  });

  it('uses the judge threshold: a tenth of the smallest object square', () => {
    expect(minObjectArea(128, 128, 0.2)).toBeCloseTo(0.1 * 25.6 ** 2, 9);
    expect(minObjectArea(192, 128, 0.2)).toBeCloseTo(minObjectArea(128, 128, 0.2), 9);
  });

  it('scores the frames in which the rarer of the two colours is an object', () => {
    const red = palette.names.indexOf('red');
    const blue = palette.names.indexOf('blue');
    const minArea = minObjectArea(64, 64, 0.2); // 16.4 pixels
    const both: [string, number, number, number][] = [
      ['red', 2, 2, 10],
      ['blue', 30, 30, 10],
    ];
    const full = presenceScore(frames([both, both, both, both]), palette.colors, [red, blue], minArea);
    expect(full).toBeGreaterThanOrEqual(1);
    expect(full).toBeCloseTo(1 + 1e-3 * Math.log1p(100), 9);
    // blue an object in 1 frame of 4, a 3x3 speck (9 pixels < 16.4) in another
    const half = presenceScore(
      frames([
        both,
        [
          ['red', 2, 2, 10],
          ['blue', 30, 30, 3],
        ],
        [['red', 2, 2, 10]],
        [['red', 2, 2, 10]],
      ]),
      palette.colors,
      [red, blue],
      minArea,
    );
    expect(half).toBeGreaterThan(0.25);
    expect(half).toBeLessThan(0.26);
    expect(presenceScore(frames([[['red', 2, 2, 10]]]), palette.colors, [red, blue], minArea)).toBe(0);
  });

  it('estimates the clean latents from a velocity', () => {
    const clean = Float32Array.of(1, -2, 0.5);
    const noise = Float32Array.of(0.3, 0.1, -1);
    const t = 0.7;
    const x = clean.map((c, i) => (1 - t) * c + t * (noise[i] as number));
    const v = noise.map((n, i) => n - (clean[i] as number));
    const got = cleanEstimate(x, v, t);
    for (let i = 0; i < 3; i++) expect(got[i]).toBeCloseTo(clean[i] as number, 6);
  });
});
