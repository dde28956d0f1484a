/**
 * The studio's backend: implements the contract's methods on top of the worker host and the job
 * queue, and publishes its events. Plain Node; Electron's ipcMain and the web host's WebSocket are
 * thin transports over this one object.
 */
import { mkdirSync } from 'node:fs';
import type { EventName, EventPayload, TesseraBackend } from '../../preload/contract.js';
import { Emitter } from '../common/emitter.js';
import type { SpawnWorker } from '../common/workerProtocol.js';
import { JobQueue } from './jobQueue.js';
import { clipsDir } from './paths.js';
import { WorkerHost, type WorkerHostOptions } from './workerHost.js';

export type StudioEvent = { [E in EventName]: { event: E; payload: EventPayload<E> } }[EventName];

export interface StudioOptions extends WorkerHostOptions {
  spawnWorker: SpawnWorker;
  dataDir: string;
  cancelGraceMs?: number;
}

export interface Studio {
  backend: TesseraBackend;
  onEvent: Emitter<StudioEvent>;
  host: WorkerHost;
  queue: JobQueue;
  /** Folders whose files may be served as media. */
  mediaRoots: string[];
  dispose(): void;
}

export function createStudio(options: StudioOptions): Studio {
  const outDir = clipsDir(options.dataDir);
  mkdirSync(outDir, { recursive: true });
  const host = new WorkerHost(options.spawnWorker, options);
  const queue = new JobQueue(host, { outDir, cancelGraceMs: options.cancelGraceMs });
  const onEvent = new Emitter<StudioEvent>();
  const offs = [
    host.onStatus.on((payload) => onEvent.emit({ event: 'onWorkerStatus', payload })),
    queue.onEvent.on((payload) => onEvent.emit({ event: 'onJobEvent', payload })),
  ];

  const backend: TesseraBackend = {
    getWorkerStatus: async () => host.status,
    submitJob: async (request) => queue.submit(request),
    cancelJob: async (id) => queue.cancel(id),
    listJobs: async () => queue.list(),
  };

  host.start();
  return {
    backend,
    onEvent,
    host,
    queue,
    mediaRoots: [options.dataDir],
    dispose() {
      for (const off of offs) off();
      queue.dispose();
      host.stop();
      onEvent.clear();
    },
  };
}
