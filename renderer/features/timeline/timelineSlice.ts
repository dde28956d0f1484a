import { createSlice } from '@reduxjs/toolkit';
import type { RootState } from '../../app/store.js';
import { projectSnapshotReceived } from '../project/projectSlice.js';

/** The timeline: clip ids in order (a clip may appear more than once); each plays its active take. */
interface TimelineState {
  clipIds: string[];
}

const initialState: TimelineState = { clipIds: [] };

export const timelineSlice = createSlice({
  name: 'timeline',
  initialState,
  reducers: {},
  extraReducers: (b) =>
    b.addCase(projectSnapshotReceived, (state, { payload }) => {
      state.clipIds = payload?.timeline.clipIds ?? [];
    }),
});

export const selectTimelineClipIds = (state: RootState) => state.timeline.clipIds;
