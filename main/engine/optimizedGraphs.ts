/**
 * A per-machine cache of graphs as onnxruntime optimised them, so a session after the first one
 * skips graph optimisation (about half of a transformer session's creation time, measured by
 * `tessera bench`'s worker-start line). onnxruntime writes the optimised graph through
 * `optimizedModelFilePath`; at level 'all' it may hold layout transforms for this CPU, so the key
 * includes the CPU model, the onnxruntime version and the source file's size and mtime.
 * Only the CPU provider uses the cache: other providers' optimised graphs can hold EP nodes.
 * `TESSERA_CACHE_DIR` moves the cache; `TESSERA_GRAPH_CACHE=0` turns it off.
 *
 * Every new pack file (a pack update, a copy, a fresh checkout) is a new key, so the cache is
 * kept to a size budget, least recently used first out (`pruneGraphCache`): before the budget, a
 * development machine had gathered 190 graphs (3.8 GB) from test runs on fresh clones.
 * `TESSERA_GRAPH_CACHE_MB` sets the budget.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, utimesSync } from 'node:fs';
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

/** About four versions of the built-in pack's graphs (fp32 and int8 transformers, text encoder, VAE). */
const DEFAULT_BUDGET_MB = 512;
/** A `.part` file this old belongs to a process that died while writing it. */
const STALE_PART_MS = 60 * 60 * 1000;

export function graphCacheBudgetBytes(): number {
  const mb = Number(process.env.TESSERA_GRAPH_CACHE_MB);
  const set = process.env.TESSERA_GRAPH_CACHE_MB !== undefined && process.env.TESSERA_GRAPH_CACHE_MB !== '';
  return (set && Number.isFinite(mb) && mb >= 0 ? mb : DEFAULT_BUDGET_MB) * 2 ** 20;
}

/**
 * Removes the least recently used cached graphs until the rest fit in `budgetBytes` (a hit
 * refreshes its file's mtime, so mtime orders by use), and `.part` files abandoned by crashed
 * processes. `keep` (the graph just written or read) always stays. Returns the removed names.
 * A graph removed while another process opens it costs that process a fallback to the pack's
 * own file (createSession), never a failure.
 */
export function pruneGraphCache(dir: string, keep: string, budgetBytes = graphCacheBudgetBytes()): string[] {
  const now = Date.now();
  const entries = readdirSync(dir).flatMap((name) => {
    try {
      const st = statSync(join(dir, name));
      return [{ name, size: st.size, used: st.mtimeMs }];
    } catch {
      return []; // removed by another process meanwhile
    }
  });
  const removed: string[] = [];
  const remove = (name: string) => {
    rmSync(join(dir, name), { force: true });
    removed.push(name);
  };
  for (const e of entries) if (e.name.endsWith('.part') && now - e.used > STALE_PART_MS) remove(e.name);
  const graphs = entries.filter((e) => e.name.endsWith('.onnx')).sort((a, b) => b.used - a.used);
  let total = graphs.find((e) => e.name === keep)?.size ?? 0;
  for (const e of graphs) {
    if (e.name === keep) continue;
    if (total + e.size <= budgetBytes) total += e.size;
    else remove(e.name);
  }
  return removed;
}

/** Prunes after a cache write or hit; a cache that cannot be pruned only costs disk space. */
function pruneQuietly(dir: string, keep: string): void {
  try {
    pruneGraphCache(dir, keep);
  } catch {
    // read-only or vanished cache directory
  }
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
    const name = `${cacheKey(modelPath, ortVersion)}.onnx`;
    const cached = join(dir, name);
    if (existsSync(cached))
      return {
        path: cached,
        level: 'disabled',
        commit: () => {
          try {
            const now = new Date();
            utimesSync(cached, now, now); // a use: least recently used graphs leave first
          } catch {
            // removed meanwhile by another process's prune
          }
          pruneQuietly(dir, name);
        },
        discard: () => rmSync(cached, { force: true }),
      };
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
        pruneQuietly(dir, name);
      },
      discard: () => rmSync(tmp, { force: true }),
    };
  } catch {
    return plain; // an unwritable cache only costs load time
  }
}
