import { createSlice, type PayloadAction } from '@reduxjs/toolkit';
import type { RootState } from '../../app/store.js';

interface BinState {
  /** The clip (a succeeded job's id) shown in the player and the inspector. */
  selectedJobId: string | null;
}

const initialState: BinState = { selectedJobId: null };

export const binSlice = createSlice({
  name: 'bin',
  initialState,
  reducers: {
    clipSelected(state, action: PayloadAction<string | null>) {
      state.selectedJobId = action.payload;
    },
  },
});

export const { clipSelected } = binSlice.actions;
export const selectSelectedJobId = (state: RootState) => state.bin.selectedJobId;
