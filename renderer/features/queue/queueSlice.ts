import { createEntityAdapter, createSelector, createSlice, type PayloadAction } from '@reduxjs/toolkit';
import type { Job, JobEvent } from '../../../preload/contract.js';
import { createAppAsyncThunk } from '../../app/hooks.js';
import type { RootState } from '../../app/store.js';

const jobsAdapter = createEntityAdapter<Job>({
  sortComparer: (a, b) => b.createdAt.localeCompare(a.createdAt),
});

interface QueueExtra {
  /** Latest preview per running job (data: URL); dropped when the job ends. */
  previews: Record<string, string>;
}

const initialState = jobsAdapter.getInitialState<QueueExtra>({ previews: {} });

export const cancelJob = createAppAsyncThunk('queue/cancelJob', async (id: string, { extra, rejectWithValue }) => {
  try {
    return await extra.platform.api.cancelJob(id);
  } catch (error) {
    return rejectWithValue(error instanceof Error ? error.message : String(error));
  }
});

export const queueSlice = createSlice({
  name: 'queue',
  initialState,
  reducers: {
    jobsLoaded(state, action: PayloadAction<Job[]>) {
      jobsAdapter.upsertMany(state, action.payload);
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
        default:
          jobsAdapter.upsertOne(state, event.job);
          if (event.type !== 'queued' && event.type !== 'started') delete state.previews[event.job.id];
      }
    },
  },
});

export const { jobsLoaded, jobEventReceived } = queueSlice.actions;

const selectors = jobsAdapter.getSelectors<RootState>((state) => state.queue);
export const selectJobs = selectors.selectAll;
export const selectJobById = selectors.selectById;
export const selectPreview = (state: RootState, id: string) => state.queue.previews[id];
export const selectFinishedClips = createSelector([selectJobs], (jobs) =>
  jobs.filter((job) => job.state === 'succeeded' && job.result !== null),
);
