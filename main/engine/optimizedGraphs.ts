/**
 * A per-machine cache of graphs as onnxruntime optimised them, so a session after the first one
 * skips graph optimisation (about half of a transformer session's creation time, measured by
 * `tessera bench`'s worker-start line). onnxruntime writes the optimised graph through
 * `optimizedModelFilePath`; at level 'all' it may hold layout transforms for this CPU, so the key
 * includes the CPU model, the onnxruntime version and the source file's size and mtime.
 * Only the CPU provider uses the cache: other providers' optimised graphs can hold EP nodes.
 * `TESSERA_CACHE_DIR` moves the cache; `TESSERA_GRAPH_CACHE=0` turns it off.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { arch, cpus, homedir } from 'node:os';
import { join } from 'node:path';

export interface GraphSource {
  /** The file to create the session from. */
  path: string;
  /** 'disabled' for a graph that was already optimised. */
  level: 'all' | 'disabled';
  /** Where onnxruntime should write the optimised graph (a temporary name; see `commit`). */
  saveTo?: string;
}

export interface CachedGraphSource extends GraphSource {
  /** Moves the written graph into place once the session loaded; a no-op for a cache hit. */
  commit: () => void;
  /** After a failed load: removes what this source wrote or read from the cache. */
  discard: () => void;
}

export function graphCacheDir(): string {
  const base =
    process.env.TESSERA_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'tessera');
  return join(base, 'optimized-graphs');
}

function cacheKey(modelPath: string, ortVersion: string): string {
  const st = statSync(modelPath);
  return createHash('sha256')
    .update([modelPath, st.size, st.mtimeMs, ortVersion, arch(), cpus()[0]?.model ?? '?'].join('|'))
    .digest('hex')
    .slice(0, 24);
}

export function optimizedGraphSource(modelPath: string, provider: string, ortVersion: string): CachedGraphSource {
  const plain: CachedGraphSource = { path: modelPath, level: 'all', commit: () => {}, discard: () => {} };
  if (provider !== 'cpu' || process.env.TESSERA_GRAPH_CACHE === '0') return plain;
  try {
    const dir = graphCacheDir();
    const cached = join(dir, `${cacheKey(modelPath, ortVersion)}.onnx`);
    if (existsSync(cached))
      return { path: cached, level: 'disabled', commit: () => {}, discard: () => rmSync(cached, { force: true }) };
    mkdirSync(dir, { recursive: true });
    const tmp = `${cached}.${process.pid}.part`;
    return {
      ...plain,
      saveTo: tmp,
      commit: () => {
        try {
          if (existsSync(tmp)) renameSync(tmp, cached);
        } catch {
          rmSync(tmp, { force: true }); // another process won the race, or the disk is read-only
        }
      },
      discard: () => rmSync(tmp, { force: true }),
    };
  } catch {
    return plain; // an unwritable cache only costs load time
  }
}
