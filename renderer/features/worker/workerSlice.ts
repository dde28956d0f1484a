import { createSlice, type PayloadAction } from '@reduxjs/toolkit';
import type { WorkerStatus } from '../../../preload/contract.js';
import type { RootState } from '../../app/store.js';

interface WorkerSliceState {
  status: WorkerStatus | null;
}

const initialState: WorkerSliceState = { status: null };

export const workerSlice = createSlice({
  name: 'worker',
  initialState,
  reducers: {
    workerStatusReceived(state, action: PayloadAction<WorkerStatus>) {
      state.status = action.payload;
    },
  },
});

export const { workerStatusReceived } = workerSlice.actions;
export const selectWorkerStatus = (state: RootState) => state.worker.status;
