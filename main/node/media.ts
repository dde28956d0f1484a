/** Media files the renderer may load: only files under the studio's media roots. Plain Node. */
import { realpath, stat } from 'node:fs/promises';
import { extname, isAbsolute, relative } from 'node:path';

const TYPES: Record<string, string> = {
  '.mp4': 'video/mp4',
  '.webm': 'video/webm',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.json': 'application/json',
};

export function mediaType(path: string): string | undefined {
  return TYPES[extname(path).toLowerCase()];
}

/** The real path of `requested` if it is a media file inside one of `roots`, else null. */
export async function resolveMedia(requested: string, roots: readonly string[]): Promise<string | null> {
  if (!isAbsolute(requested) || !mediaType(requested)) return null;
  let real: string;
  try {
    real = await realpath(requested);
    if (!(await stat(real)).isFile()) return null;
  } catch {
    return null;
  }
  for (const root of roots) {
    let realRoot: string;
    try {
      realRoot = await realpath(root);
    } catch {
      continue;
    }
    const rel = relative(realRoot, real);
    if (rel && !rel.startsWith('..') && !isAbsolute(rel)) return real;
  }
  return null;
}
