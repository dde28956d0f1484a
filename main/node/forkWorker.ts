/**
 * Starts the inference worker with `child_process.fork` (web host, CLI, tests). From source the
 * worker is TypeScript, run through tsx's loader (`--import tsx`), so there is no build step
 * between editing the worker or the engine and running it; a built worker (`.mjs`/`.js`) runs as is.
 */
import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describeExit, type SpawnWorker, type WorkerExit, type WorkerProcess } from '../common/workerProtocol.js';
import { appRoot } from './appRoot.js';

export interface ForkWorkerOptions {
  /** Worker entry; default `main/worker/worker.ts`. */
  entry?: string;
  /** Extra environment (e.g. TESSERA_ENGINE_MODULE). */
  env?: Record<string, string>;
}

export function defaultWorkerEntry(): string {
  return join(appRoot(), 'main', 'worker', 'worker.ts');
}

function tsxLoaderUrl(): string {
  return pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
}

export function forkWorkerSpawner(options: ForkWorkerOptions = {}): SpawnWorker {
  const entry = options.entry ?? defaultWorkerEntry();
  const execArgv = entry.endsWith('.ts') ? ['--import', tsxLoaderUrl()] : [];
  return (): WorkerProcess => {
    const child = fork(entry, [], {
      execArgv,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'advanced',
    });
    const exitListeners: ((exit: WorkerExit) => void)[] = [];
    let exited = false;
    const emitExit = (exit: WorkerExit) => {
      if (exited) return;
      exited = true;
      for (const listener of exitListeners) listener(exit);
    };
    child.on('exit', (code, signal) => emitExit({ code, signal, reason: describeExit(code, signal) }));
    child.on('error', (error) => {
      emitExit({ code: null, signal: null, reason: `worker failed: ${error.message}` });
      child.kill('SIGKILL');
    });
    return {
      get pid() {
        return child.pid;
      },
      send: (message) => {
        if (child.connected) child.send(message);
      },
      onMessage: (listener) => child.on('message', listener),
      onExit: (listener) => exitListeners.push(listener),
      kill: () => child.kill('SIGKILL'),
    };
  };
}
