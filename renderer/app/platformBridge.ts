/** Feeds the main side's state and events into the store. Returns a function that disconnects. */
import { jobEventReceived, jobsLoaded } from '../features/queue/queueSlice.js';
import { workerStatusReceived } from '../features/worker/workerSlice.js';
import type { Platform } from '../platform/platform.js';
import type { AppStore } from './store.js';

export function bridgePlatformToStore(platform: Platform, store: AppStore): () => void {
  const offs = [
    platform.api.onWorkerStatus((status) => store.dispatch(workerStatusReceived(status))),
    platform.api.onJobEvent((event) => store.dispatch(jobEventReceived(event))),
  ];
  void platform.api.getWorkerStatus().then((status) => store.dispatch(workerStatusReceived(status)));
  void platform.api.listJobs().then((jobs) => store.dispatch(jobsLoaded(jobs)));
  return () => {
    for (const off of offs) off();
  };
}
