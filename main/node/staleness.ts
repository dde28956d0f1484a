/** Modification times for "rebuild when a source is newer than the output" checks (dev builds). */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Newest modification time in a file or folder tree (ms). */
export function newestMtime(path: string): number {
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = info.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}
