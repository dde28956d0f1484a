/**
 * The bundled worker (what the web host and Electron run): the staleness check that decides when
 * to rebuild it, and the real bundle starting, loading the built-in pack and rendering a still.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { WorkerToHost } from '../main/common/workerProtocol.js';
import { forkWorkerSpawner } from '../main/node/forkWorker.js';
import { ensureWorkerBuilt, workerIsStale } from '../main/node/workerBuild.js';

const ROOT = resolve(import.meta.dirname, '..');
const hasPack = existsSync(join(ROOT, 'models', 'packs', 'tessera-tiny', 'model_index.json'));
const scratch: string[] = [];
/** The folders workerBuild.ts bundles from. */
const SOURCE_DIRS = ['main/worker', 'main/engine', 'main/common', 'preload'];

afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

/** A fake root with one source per bundle input folder and, if asked, bundle outputs. */
function fakeTree(withOutputs: boolean): { root: string; out: string } {
  const root = mkdtempSync(join(tmpdir(), 'tessera-workerbuild-'));
  scratch.push(root);
  for (const dir of SOURCE_DIRS) {
    mkdirSync(join(root, dir), { recursive: true });
    writeFileSync(join(root, dir, 'a.ts'), 'export {};\n');
  }
  const out = join(root, 'build');
  if (withOutputs) {
    for (const file of ['worker/worker.mjs', 'engine/index.js', 'package.json']) {
      mkdirSync(join(out, file, '..'), { recursive: true });
      writeFileSync(join(out, file), '');
    }
  }
  return { root, out };
}

function setMtime(path: string, secondsAgo: number): void {
  const when = new Date(Date.now() - secondsAgo * 1000);
  utimesSync(path, when, when);
}

/** Makes every source file and folder of the fake tree `secondsAgo` old. */
function ageSources(root: string, secondsAgo: number): void {
  for (const dir of SOURCE_DIRS) {
    setMtime(join(root, dir, 'a.ts'), secondsAgo);
    setMtime(join(root, dir), secondsAgo);
  }
}

describe('workerIsStale', () => {
  it('is stale when an output is missing', () => {
    const { root, out } = fakeTree(false);
    expect(workerIsStale(root, out)).toBe(true);
  });

  it('is fresh when every output is newer than every source', () => {
    const { root, out } = fakeTree(true);
    ageSources(root, 60);
    expect(workerIsStale(root, out)).toBe(false);
  });

  it('is stale when an engine source is newer than the oldest output', () => {
    const { root, out } = fakeTree(true);
    ageSources(root, 60);
    setMtime(join(out, 'engine', 'index.js'), 120);
    expect(workerIsStale(root, out)).toBe(true);
  });
});

describe.skipIf(!hasPack)('the bundled worker', () => {
  it('builds, starts, and renders a still with the built-in pack', { timeout: 120_000 }, async () => {
    // Inside the repository so the bundle resolves onnxruntime-node from node_modules.
    mkdirSync(join(ROOT, 'test-output'), { recursive: true });
    const out = mkdtempSync(join(ROOT, 'test-output', 'worker-bundle-'));
    const clips = mkdtempSync(join(tmpdir(), 'tessera-bundle-clip-'));
    scratch.push(out, clips);
    const entry = await ensureWorkerBuilt(ROOT, out);
    expect(entry).toBe(join(out, 'worker', 'worker.mjs'));
    expect(workerIsStale(ROOT, out)).toBe(false);

    const worker = forkWorkerSpawner({ entry })();
    const messages: WorkerToHost[] = [];
    try {
      const done = await new Promise<WorkerToHost>((resolvePromise, reject) => {
        worker.onExit((exit) => reject(new Error(exit.reason)));
        worker.onMessage((raw) => {
          const message = raw as WorkerToHost;
          messages.push(message);
          if (message.type === 'ready') {
            worker.send({
              type: 'generate',
              jobId: 'bundle-still',
              request: { mode: 'image', prompt: 'a red circle on a black background', seed: 3, steps: 2 },
              target: { outDir: clips, baseName: 'still' },
            });
          } else if (message.type === 'succeeded' || message.type === 'failed') {
            resolvePromise(message);
          }
        });
      });
      const ready = messages.find((m) => m.type === 'ready');
      expect(ready?.type === 'ready' && ready.info.engineAvailable).toBe(true);
      expect(done.type, JSON.stringify(done)).toBe('succeeded');
      if (done.type !== 'succeeded') return;
      expect(done.result.frames).toBe(1);
      expect(existsSync(done.result.videoPath)).toBe(true);
      expect(existsSync(done.result.posterPath)).toBe(true);
      expect(messages.filter((m) => m.type === 'progress')).toHaveLength(2);
    } finally {
      worker.kill();
    }
  });
});
