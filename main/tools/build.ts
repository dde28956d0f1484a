/**
 * `npm run build`: the renderer with Vite, then main, preload, worker and engine with esbuild into build/:
 *   build/renderer/            Vite output, loaded via tessera-app:// (Electron) or the web host
 *   build/electron/main.cjs    Electron main (CommonJS; `electron` external)
 *   build/preload/preload.cjs  sandboxed preload (CommonJS, self-contained)
 *   build/worker/worker.mjs    inference worker (ESM, top-level await; onnxruntime-node external)
 *   build/engine/index.js      the engine, loaded by the worker at run time
 */
import { join } from 'node:path';
import { build } from 'esbuild';
import { build as viteBuild } from 'vite';
import { appRoot } from '../node/appRoot.js';
import { buildWorker, nodeBundleOptions as common, writeBuildPackageJson } from '../node/workerBuild.js';

const root = appRoot();
const out = join(root, 'build');

await viteBuild({ configFile: join(root, 'vite.config.ts'), logLevel: 'warn' });
await writeBuildPackageJson(out);

const jobs: Promise<unknown>[] = [
  build({
    ...common,
    entryPoints: [join(root, 'main/electron/main.ts')],
    outfile: join(out, 'electron/main.cjs'),
    format: 'cjs',
  }),
  build({
    ...common,
    entryPoints: [join(root, 'preload/preload.ts')],
    outfile: join(out, 'preload/preload.cjs'),
    format: 'cjs',
  }),
  buildWorker(root, out),
];
await Promise.all(jobs);
console.log(`build: wrote ${out}`);
