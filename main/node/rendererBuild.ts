/** Builds the renderer with Vite when its output is missing or older than its sources (dev only). */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { appRoot, rendererBuildDir } from './appRoot.js';
import { newestMtime } from './staleness.js';

export function rendererIsStale(root = appRoot()): boolean {
  const index = join(rendererBuildDir(root), 'index.html');
  if (!existsSync(index)) return true;
  const sources = ['renderer', 'preload', 'vite.config.ts'].map((p) => join(root, p)).filter((p) => existsSync(p));
  return Math.max(...sources.map(newestMtime)) > statSync(index).mtimeMs;
}

export async function ensureRendererBuilt(root = appRoot()): Promise<string> {
  if (rendererIsStale(root)) {
    const { build } = await import('vite');
    await build({ configFile: join(root, 'vite.config.ts'), logLevel: 'warn' });
  }
  return rendererBuildDir(root);
}
