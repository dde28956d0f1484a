import { createSlice } from '@reduxjs/toolkit';
import type { RootState } from '../../app/store.js';

/** The timeline's clips in order (job ids). Editing arrives with the studio issue. */
interface TimelineState {
  clipIds: string[];
}

const initialState: TimelineState = { clipIds: [] };

export const timelineSlice = createSlice({
  name: 'timeline',
  initialState,
  reducers: {},
});

export const selectTimelineClipIds = (state: RootState) => state.timeline.clipIds;
