/**
 * Loads the engine's `generate` from `main/engine/index.ts` (built: `build/engine/index.js`) at run
 * time, so the worker starts and reports onnxruntime even where the engine is missing or broken.
 * `TESSERA_ENGINE_MODULE` (a path) points the worker at another module with the same exports.
 */
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Generate } from '../engine/api.js';

/** Optional: loads and primes the default pack so the first job starts at once. */
export type WarmUp = () => Promise<{ pack: string; provider: string; loadMs: number; warmMs: number }>;

export type EngineLoad = { ok: true; generate: Generate; warmUp?: WarmUp } | { ok: false; error: Error };

export function engineModuleUrl(): string {
  const override = process.env.TESSERA_ENGINE_MODULE;
  if (override) return pathToFileURL(isAbsolute(override) ? override : resolve(override)).href;
  return new URL('../engine/index.js', import.meta.url).href;
}

export async function loadEngine(url = engineModuleUrl()): Promise<EngineLoad> {
  try {
    const mod: { generate?: unknown; warmUp?: unknown } = await import(url);
    if (typeof mod.generate !== 'function') {
      return { ok: false, error: new Error(`engine module ${url} does not export a generate function`) };
    }
    const warmUp = typeof mod.warmUp === 'function' ? (mod.warmUp as WarmUp) : undefined;
    return { ok: true, generate: mod.generate as Generate, ...(warmUp ? { warmUp } : {}) };
  } catch (error) {
    const err = error instanceof Error ? error : new Error(String(error));
    const wrapped = new Error(`engine unavailable (${url}): ${err.message}`);
    wrapped.name = 'EngineUnavailable';
    return { ok: false, error: wrapped };
  }
}
