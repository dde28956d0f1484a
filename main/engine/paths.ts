/** Where the app's files are, whether the engine runs from source (main/engine) or bundled (build/engine). */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The app root: `TESSERA_APP_ROOT` if set, else the nearest ancestor of this module whose
 * package.json has a name (build/package.json only sets the module type, so it is skipped).
 */
export function findAppRoot(from = dirname(fileURLToPath(import.meta.url))): string {
  if (process.env.TESSERA_APP_ROOT) return resolve(process.env.TESSERA_APP_ROOT);
  let dir = from;
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        const json = JSON.parse(readFileSync(pkg, 'utf8')) as { name?: unknown };
        if (typeof json.name === 'string') return dir;
      } catch {
        // not a usable package.json; keep looking
      }
    }
    const parent = dirname(dir);
    if (parent === dir) return resolve(from, '..', '..');
    dir = parent;
  }
}

export const APP_ROOT = findAppRoot();

/** The app's version, from its package.json. */
export function appVersion(): string {
  try {
    const json = JSON.parse(readFileSync(join(APP_ROOT, 'package.json'), 'utf8')) as { version?: unknown };
    return typeof json.version === 'string' ? json.version : '0.0.0';
  } catch {
    return '0.0.0';
  }
}
