/**
 * Bundles the inference worker and the engine with esbuild (build/worker/worker.mjs and
 * build/engine/index.js, the files Electron ships) and rebuilds them when a source is newer.
 *
 * Why the web host and the bench run the bundle rather than the TypeScript source: tsx compiles
 * every module of the worker and engine on each start, which cost about 0.4 s of the worker's
 * start-to-first-progress time; two bundled files load at once. Tests keep forking the source,
 * so an edit is always what runs there.
 */
import { existsSync, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BuildOptions } from 'esbuild';
import { appRoot } from './appRoot.js';
import { newestMtime } from './staleness.js';

/** esbuild settings shared by every Node-side bundle (Electron main, preload, worker, engine). */
export const nodeBundleOptions: BuildOptions = {
  bundle: true,
  platform: 'node',
  target: 'node22',
  sourcemap: true,
  logLevel: 'warning',
  // Native or spawn-based packages stay real files: onnxruntime-node loads its .node binary from
  // its own folder and fluent-ffmpeg resolves ffmpeg at run time.
  external: ['electron', 'onnxruntime-node', 'fluent-ffmpeg'],
};

/** Source folders the worker and engine bundles are made from. */
const WORKER_SOURCES = ['main/worker', 'main/engine', 'main/common', 'preload'];

/** Where bundles go unless told otherwise: build/ (what Electron ships). */
export function defaultBuildDir(root = appRoot()): string {
  return join(root, 'build');
}

export function workerEntry(outDir = defaultBuildDir()): string {
  return join(outDir, 'worker', 'worker.mjs');
}

/** The worker imports the engine from ../engine/index.js at run time (engineLoader.ts). */
function engineBundle(outDir: string): string {
  return join(outDir, 'engine', 'index.js');
}

/** <outDir>/*.js are ES modules; Electron's entry points use .cjs explicitly. */
export async function writeBuildPackageJson(outDir = defaultBuildDir()): Promise<void> {
  await mkdir(outDir, { recursive: true });
  await writeFile(join(outDir, 'package.json'), '{ "type": "module" }\n');
}

export function workerIsStale(root = appRoot(), outDir = defaultBuildDir(root)): boolean {
  const outputs = [workerEntry(outDir), engineBundle(outDir), join(outDir, 'package.json')];
  if (!outputs.every((path) => existsSync(path))) return true;
  const built = Math.min(...outputs.map((path) => statSync(path).mtimeMs));
  const sources = WORKER_SOURCES.map((dir) => join(root, dir)).filter((dir) => existsSync(dir));
  return Math.max(...sources.map(newestMtime)) > built;
}

/** Bundles the worker and the engine, always together (one imports the other at run time). */
export async function buildWorker(root = appRoot(), outDir = defaultBuildDir(root)): Promise<void> {
  const { build } = await import('esbuild');
  await writeBuildPackageJson(outDir);
  await Promise.all([
    build({
      ...nodeBundleOptions,
      entryPoints: [join(root, 'main/worker/worker.ts')],
      outfile: workerEntry(outDir),
      format: 'esm',
    }),
    build({
      ...nodeBundleOptions,
      entryPoints: [join(root, 'main/engine/index.ts')],
      outfile: engineBundle(outDir),
      format: 'esm',
    }),
  ]);
}

/** The bundled worker's entry, rebuilt first when any of its sources changed. */
export async function ensureWorkerBuilt(root = appRoot(), outDir = defaultBuildDir(root)): Promise<string> {
  if (workerIsStale(root, outDir)) await buildWorker(root, outDir);
  return workerEntry(outDir);
}
