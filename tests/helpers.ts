/** Shared test helpers: a studio with a real forked worker running the step fixture engine. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { forkWorkerSpawner } from '../main/node/forkWorker.js';
import { createStudio, type Studio } from '../main/node/studio.js';
import type { JobEvent } from '../preload/contract.js';

export const FIXTURE_ENGINE = join(import.meta.dirname, 'fixtures', 'stepEngine.ts');

export interface TestStudio extends Studio {
  dataDir: string;
  events: JobEvent[];
  cleanup(): void;
}

export function startTestStudio(env: Record<string, string> = {}, cancelGraceMs = 5000): TestStudio {
  const dataDir = mkdtempSync(join(tmpdir(), 'tessera-test-'));
  const studio = createStudio({
    spawnWorker: forkWorkerSpawner({ env: { TESSERA_ENGINE_MODULE: FIXTURE_ENGINE, ...env } }),
    dataDir,
    restartDelayMs: 50,
    cancelGraceMs,
  });
  const events: JobEvent[] = [];
  studio.queue.onEvent.on((event) => events.push(event));
  return {
    ...studio,
    dataDir,
    events,
    cleanup() {
      studio.dispose();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Resolves when `predicate` holds, polling every 10 ms. */
export async function until(predicate: () => boolean, timeoutMs = 20_000, what = 'condition'): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
