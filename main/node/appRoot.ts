/** Where the repository (or the unpacked app) lives, found from this module's location. ESM only. */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The nearest ancestor holding package.json. */
export function appRoot(from = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${from}`);
    dir = parent;
  }
  return dir;
}

/** Vite's output for the renderer. */
export function rendererBuildDir(root = appRoot()): string {
  return join(root, 'build', 'renderer');
}
