import { createEntityAdapter, createSlice, type PayloadAction } from '@reduxjs/toolkit';
import type { Job, JobEvent, TesseraApi } from '../../../preload/contract.js';
import { createAppAsyncThunk } from '../../app/hooks.js';
import type { RootState } from '../../app/store.js';
import { projectSnapshotReceived } from '../project/projectSlice.js';
import { errorMessage } from '../ui/uiSlice.js';

const jobsAdapter = createEntityAdapter<Job>({
  sortComparer: (a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id),
});

interface QueueExtra {
  /** Latest preview per running job (data: URL); dropped when the job ends. */
  previews: Record<string, string>;
}

const initialState = jobsAdapter.getInitialState<QueueExtra>({ previews: {} });

const jobThunk = <R>(name: string, run: (api: TesseraApi, id: string) => Promise<R>) =>
  createAppAsyncThunk(name, async (id: string, { extra, rejectWithValue }) => {
    try {
      return await run(extra.platform.api, id);
    } catch (error) {
      return rejectWithValue(errorMessage(error));
    }
  });

export const cancelJob = jobThunk('queue/cancelJob', (api, id) => api.cancelJob(id));
export const retryJob = jobThunk('queue/retryJob', (api, id) => api.retryJob(id));
export const removeJob = jobThunk('queue/removeJob', (api, id) => api.removeJob(id));
export const clearFinished = createAppAsyncThunk(
  'queue/clearFinished',
  async (_: undefined, { extra, rejectWithValue }) => {
    try {
      return await extra.platform.api.clearFinishedJobs();
    } catch (error) {
      return rejectWithValue(errorMessage(error));
    }
  },
);

export const queueSlice = createSlice({
  name: 'queue',
  initialState,
  reducers: {
    jobsLoaded(state, action: PayloadAction<Job[]>) {
      jobsAdapter.setAll(state, action.payload);
    },
    jobEventReceived(state, action: PayloadAction<JobEvent>) {
      const event = action.payload;
      switch (event.type) {
        case 'progress':
          jobsAdapter.updateOne(state, { id: event.jobId, changes: { progress: event.progress } });
          return;
        case 'preview':
          state.previews[event.jobId] = event.preview.dataUrl;
          return;
        case 'removed':
          jobsAdapter.removeMany(state, event.jobIds);
          for (const id of event.jobIds) delete state.previews[id];
          return;
        default:
          jobsAdapter.upsertOne(state, event.job);
          if (event.type !== 'queued' && event.type !== 'started') delete state.previews[event.job.id];
      }
    },
  },
  extraReducers: (b) =>
    b.addCase(projectSnapshotReceived, (state, { payload }) => {
      // Keep live progress: snapshots are published on changes, progress arrives in between.
      const jobs = (payload?.jobs ?? []).map((job) => {
        const live = state.entities[job.id];
        return live?.state === job.state && live.progress && !job.progress ? { ...job, progress: live.progress } : job;
      });
      jobsAdapter.setAll(state, jobs);
    }),
});

export const { jobsLoaded, jobEventReceived } = queueSlice.actions;

const selectors = jobsAdapter.getSelectors<RootState>((state) => state.queue);
export const selectJobs = selectors.selectAll;
export const selectJobById = selectors.selectById;
export const selectPreview = (state: RootState, id: string) => state.queue.previews[id];
