/**
 * Object presence in decoded frames, for noise search on two-object captions (models/PACK_FORMAT.md,
 * "Noise search"): the tiny model often drops one of two objects, and whether both colours are
 * there shows early in a candidate's trajectory. The same measure as the evaluation's judge
 * (models/tessera/judge.py, `presence_score`): each pixel belongs to its nearest palette colour,
 * and a colour is an object in a frame when it covers at least a tenth of the smallest object's
 * square.
 */
import type { Frames } from './media.js';

export type Rgb = readonly [number, number, number];

/** The palette of a world spec, in its order (ties go to the first colour, as in the judge). */
export function paletteOf(spec: { palette: Record<string, unknown> }): { names: string[]; colors: Rgb[] } {
  const names = Object.keys(spec.palette);
  const colors = names.map((n) => {
    const v = spec.palette[n];
    if (!Array.isArray(v) || v.length !== 3 || !v.every((c) => typeof c === 'number'))
      throw new Error(`World spec: palette colour "${n}" is not [r, g, b]`);
    return v as unknown as Rgb;
  });
  return { names, colors };
}

/**
 * The two colours of a canonical two-object caption ("a red circle moving right and a small blue
 * square growing on a black background"); undefined for any other caption or a phrase that names
 * no object colour, or several.
 */
export function twoObjectColors(caption: string, objectColors: readonly string[]): [string, string] | undefined {
  const m = /^a (.+) and an? (.+) on an? [a-z]+ background$/.exec(caption.trim());
  if (!m?.[1] || !m[2]) return undefined;
  const colorOf = (phrase: string): string | undefined => {
    const hits = phrase.split(' ').filter((w) => objectColors.includes(w));
    return hits.length === 1 ? hits[0] : undefined;
  };
  const a = colorOf(m[1]);
  const b = colorOf(m[2]);
  return a && b ? [a, b] : undefined;
}

/** Pixels below which a colour's mask in a frame is not an object (the judge's `min_object_area`). */
export function minObjectArea(width: number, height: number, smallSize: number): number {
  return 0.1 * (smallSize * Math.min(width, height)) ** 2;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/**
 * How surely every wanted colour is an object in the frames: the lowest, over the wanted colours,
 * of the fraction of frames where it is one, plus a tie-break of 1e-3 x the lowest log(1 + median
 * area). `wanted` are indices into `palette`.
 */
export function presenceScore(
  frames: Frames,
  palette: readonly Rgb[],
  wanted: readonly number[],
  minArea: number,
): number {
  const plane = frames.width * frames.height;
  const areas = wanted.map(() => new Array<number>(frames.count).fill(0));
  const d = frames.data;
  for (let f = 0; f < frames.count; f++) {
    for (let i = 0; i < plane; i++) {
      const o = (f * plane + i) * 3;
      let best = 0;
      let bestDist = Infinity;
      for (let p = 0; p < palette.length; p++) {
        const c = palette[p] as Rgb;
        const dist =
          ((d[o] as number) - c[0]) ** 2 + ((d[o + 1] as number) - c[1]) ** 2 + ((d[o + 2] as number) - c[2]) ** 2;
        if (dist < bestDist) {
          bestDist = dist;
          best = p;
        }
      }
      for (let k = 0; k < wanted.length; k++)
        if (wanted[k] === best) (areas[k] as number[])[f] = ((areas[k] as number[])[f] as number) + 1;
    }
  }
  const present = areas.map((a) => a.filter((v) => v >= minArea).length / frames.count);
  const logMedian = areas.map((a) => Math.log1p(median(a)));
  return Math.min(...present) + 1e-3 * Math.min(...logMedian);
}
