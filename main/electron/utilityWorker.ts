/** Starts the inference worker with Electron's `utilityProcess.fork`. */
import { utilityProcess } from 'electron';
import { describeExit, type SpawnWorker, type WorkerExit, type WorkerProcess } from '../common/workerProtocol.js';

export function utilityWorkerSpawner(entry: string, env: Record<string, string> = {}): SpawnWorker {
  return (): WorkerProcess => {
    const child = utilityProcess.fork(entry, [], {
      serviceName: 'Tessera inference worker',
      stdio: 'inherit',
      env: { ...process.env, ...env },
    });
    const exitListeners: ((exit: WorkerExit) => void)[] = [];
    child.on('exit', (code) => {
      const exit = { code, signal: null, reason: describeExit(code, null) };
      for (const listener of exitListeners) listener(exit);
    });
    return {
      get pid() {
        return child.pid;
      },
      send: (message) => child.postMessage(message),
      onMessage: (listener) => child.on('message', listener),
      onExit: (listener) => exitListeners.push(listener),
      kill: () => {
        child.kill();
      },
    };
  };
}
