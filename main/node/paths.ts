/** Where Tessera keeps its files, and where its source and build live. Plain Node. */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Per-user data folder; `TESSERA_DATA_DIR` overrides it (tests, portable installs). */
export function defaultDataDir(): string {
  if (process.env.TESSERA_DATA_DIR) return resolve(process.env.TESSERA_DATA_DIR);
  if (process.platform === 'win32')
    return join(process.env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'Tessera');
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Tessera');
  return join(process.env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), 'tessera');
}

/** Generated clips go here: `<dataDir>/clips/<jobId>.mp4|.png|.json`. */
export function clipsDir(dataDir: string): string {
  return join(dataDir, 'clips');
}

/** The repository (or unpacked app) root: the nearest ancestor holding package.json. */
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
