/**
 * `npm run build`: the renderer with Vite, then main, preload, worker (and the engine, once it
 * exists) with esbuild into build/:
 *   build/renderer/            Vite output, loaded via tessera-app:// (Electron) or the web host
 *   build/electron/main.cjs    Electron main (CommonJS; `electron` external)
 *   build/preload/preload.cjs  sandboxed preload (CommonJS, self-contained)
 *   build/worker/worker.mjs    inference worker (ESM, top-level await; onnxruntime-node external)
 *   build/engine/index.js      the engine, loaded by the worker at run time
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type BuildOptions, build } from 'esbuild';
import { build as viteBuild } from 'vite';
import { appRoot } from '../node/appRoot.js';

const root = appRoot();
const out = join(root, 'build');
const common: BuildOptions = {
  bundle: true,
  platform: 'node',
  target: 'node22',
  sourcemap: true,
  logLevel: 'warning',
  external: ['electron', 'onnxruntime-node', 'fluent-ffmpeg'],
};

await viteBuild({ configFile: join(root, 'vite.config.ts'), logLevel: 'warn' });
await mkdir(out, { recursive: true });
// build/*.js are ES modules; the Electron entry points use .cjs explicitly.
await writeFile(join(out, 'package.json'), '{ "type": "module" }\n');

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
  build({
    ...common,
    entryPoints: [join(root, 'main/worker/worker.ts')],
    outfile: join(out, 'worker/worker.mjs'),
    format: 'esm',
  }),
];
const engineEntry = join(root, 'main/engine/index.ts');
if (existsSync(engineEntry)) {
  jobs.push(build({ ...common, entryPoints: [engineEntry], outfile: join(out, 'engine/index.js'), format: 'esm' }));
} else {
  console.warn('build: main/engine/index.ts does not exist yet; the worker will report the engine as unavailable');
}
await Promise.all(jobs);
console.log(`build: wrote ${out}`);
