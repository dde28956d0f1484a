/**
 * The worker's side of its channel to the host: Electron's `process.parentPort` when started by
 * `utilityProcess.fork`, Node's `process.send` when started by `child_process.fork`.
 */
import type { WorkerToHost } from '../common/workerProtocol.js';

export interface ParentPort {
  post(message: WorkerToHost): void;
  onMessage(listener: (message: unknown) => void): void;
}

/** The slice of Electron's `ParentPort` the worker uses (no `electron` import outside main/electron). */
interface ElectronParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
}

export function connectParentPort(): ParentPort {
  const electronPort = (process as { parentPort?: ElectronParentPort }).parentPort;
  if (electronPort) {
    return {
      post: (message) => electronPort.postMessage(message),
      onMessage: (listener) => electronPort.on('message', (event) => listener(event.data)),
    };
  }
  const send = process.send?.bind(process);
  if (send) {
    return {
      post: (message) => {
        if (process.connected) send(message);
      },
      onMessage: (listener) => process.on('message', listener),
    };
  }
  throw new Error('the worker must be started by utilityProcess.fork or child_process.fork');
}
