/**
 * Seedable noise for the sampler. Never Math.random: the same seed must give the same
 * bytes on every machine and every run.
 *
 * Algorithm (documented so other implementations can reproduce it):
 * 1. State: xoshiro128** (Blackman & Vigna, 2018), four uint32 words.
 * 2. Seeding: the uint32 seed drives SplitMix32 (`s += 0x9e3779b9; z = s;
 *    z = (z ^ z>>>16) * 0x85ebca6b; z = (z ^ z>>>13) * 0xc2b2ae35; z ^= z>>>16`, all mod 2^32),
 *    whose first four outputs are the state words.
 * 3. Uniforms: `u = ((next() >>> 8) + 0.5) / 2^24`, in (0, 1), exact in float64.
 * 4. Normals: Box-Muller on a pair (u1, u2): `r = sqrt(-2 ln u1)`, `z0 = r cos(2 pi u2)`,
 *    `z1 = r sin(2 pi u2)`; both are used, in that order, then rounded to float32.
 */

/** xoshiro128** with SplitMix32 seeding. */
export class Xoshiro128 {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(seed: number) {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new Error(`Seed must be a 32-bit unsigned integer, got ${seed}`);
    }
    let sm = seed >>> 0;
    const splitmix = (): number => {
      sm = (sm + 0x9e3779b9) >>> 0;
      let z = sm;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = splitmix();
    this.s1 = splitmix();
    this.s2 = splitmix();
    this.s3 = splitmix();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** Next uint32. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 = (this.s2 ^ this.s0) >>> 0;
    this.s3 = (this.s3 ^ this.s1) >>> 0;
    this.s1 = (this.s1 ^ this.s2) >>> 0;
    this.s0 = (this.s0 ^ this.s3) >>> 0;
    this.s2 = (this.s2 ^ t) >>> 0;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in the open interval (0, 1). */
  nextUniform(): number {
    return ((this.nextUint32() >>> 8) + 0.5) / 16777216;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** Fills a new Float32Array of `count` standard normal samples (Box-Muller, pairs). */
export function gaussian(rng: Xoshiro128, count: number): Float32Array {
  const out = new Float32Array(count);
  for (let i = 0; i < count; i += 2) {
    const u1 = rng.nextUniform();
    const u2 = rng.nextUniform();
    const r = Math.sqrt(-2 * Math.log(u1));
    const a = 2 * Math.PI * u2;
    out[i] = r * Math.cos(a);
    if (i + 1 < count) out[i + 1] = r * Math.sin(a);
  }
  return out;
}

/** Draws a fresh random seed (for when the user gives none); the noise itself never uses this. */
export function drawSeed(): number {
  const buf = new Uint32Array(1);
  globalThis.crypto.getRandomValues(buf);
  return buf[0] ?? 0;
}
