/** Where Tessera keeps its files. Plain Node (and CommonJS-safe: the Electron main bundle uses it). */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

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
