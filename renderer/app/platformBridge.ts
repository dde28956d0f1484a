/** Feeds the main side's state and events into the store. Returns a function that disconnects. */
import { loadRecent, loadStudioInfo, projectSnapshotReceived } from '../features/project/projectSlice.js';
import { jobEventReceived, jobsLoaded } from '../features/queue/queueSlice.js';
import { workerStatusReceived } from '../features/worker/workerSlice.js';
import type { Platform } from '../platform/platform.js';
import type { AppStore } from './store.js';

export function bridgePlatformToStore(platform: Platform, store: AppStore): () => void {
  const offs = [
    platform.api.onWorkerStatus((status) => store.dispatch(workerStatusReceived(status))),
    platform.api.onJobEvent((event) => store.dispatch(jobEventReceived(event))),
    platform.api.onProject((snapshot) => store.dispatch(projectSnapshotReceived(snapshot))),
  ];
  void platform.api.getWorkerStatus().then((status) => store.dispatch(workerStatusReceived(status)));
  void platform.api.getProject().then((snapshot) => {
    store.dispatch(projectSnapshotReceived(snapshot));
    if (!snapshot) void platform.api.listJobs().then((jobs) => store.dispatch(jobsLoaded(jobs)));
  });
  void store.dispatch(loadStudioInfo());
  void store.dispatch(loadRecent());
  return () => {
    for (const off of offs) off();
  };
}
