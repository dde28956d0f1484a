/**
 * Flow-matching (rectified flow) schedule and update rules, per models/PACK_FORMAT.md.
 * t = 1 is pure noise, t = 0 is data; the model predicts velocity v = noise - x0.
 */

export interface SchedulerConfig {
  numTrainTimesteps: number;
  shift: number;
}

/** The N+1 shifted times t_0 = 1 > ... > t_N = 0 for N steps. */
export function flowTimesteps(steps: number, shift: number): Float64Array {
  if (!Number.isInteger(steps) || steps < 1) throw new Error(`steps must be a positive integer, got ${steps}`);
  if (!(shift > 0)) throw new Error(`shift must be positive, got ${shift}`);
  const t = new Float64Array(steps + 1);
  for (let i = 0; i <= steps; i++) {
    const s = 1 - i / steps;
    t[i] = (shift * s) / (1 + (shift - 1) * s);
  }
  return t;
}

/**
 * Remix (SDEdit): index of the first schedule step whose t_i <= strength (as the PyTorch
 * reference, with a 1e-9 tolerance). It may be N (t = 0): then no step runs and the source
 * latents come back unchanged.
 */
export function remixStartIndex(timesteps: Float64Array, strength: number): number {
  if (!(strength > 0 && strength <= 1)) throw new Error(`strength must be in (0, 1], got ${strength}`);
  const i = timesteps.findIndex((t) => t <= strength + 1e-9);
  return i < 0 ? timesteps.length - 1 : i;
}

/** x <- x + dt * v, in place. */
export function eulerUpdate(x: Float32Array, v: Float32Array, dt: number): void {
  for (let i = 0; i < x.length; i++) x[i] = (x[i] as number) + dt * (v[i] as number);
}

/** Returns x + dt * v as a new array. */
export function eulerPredict(x: Float32Array, v: Float32Array, dt: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = (x[i] as number) + dt * (v[i] as number);
  return out;
}

/** Heun's correction: x <- x + dt * (v1 + v2) / 2, in place. */
export function heunUpdate(x: Float32Array, v1: Float32Array, v2: Float32Array, dt: number): void {
  const h = dt * 0.5;
  for (let i = 0; i < x.length; i++) x[i] = (x[i] as number) + h * ((v1[i] as number) + (v2[i] as number));
}

/** Clean-sample estimate x0 = x_t - t * v (used for previews). */
export function predictX0(x: Float32Array, v: Float32Array, t: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = (x[i] as number) - t * (v[i] as number);
  return out;
}

/** Number of transformer evaluations a run of the schedule costs. */
export function evaluationsFor(sampler: 'euler' | 'heun', steps: number, startIndex = 0): number {
  const n = steps - startIndex;
  return sampler === 'heun' ? 2 * n - 1 : n;
}
