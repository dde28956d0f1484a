/** Builds the renderer with Vite when its output is missing or older than its sources (dev only). */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { appRoot, rendererBuildDir } from './appRoot.js';

function newestMtime(path: string): number {
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = info.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

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
