/**
 * Undo and redo of project edits. The main side owns the history (it owns the document); this
 * slice mirrors what the buttons need from each snapshot and sends the commands.
 */
import { createSlice } from '@reduxjs/toolkit';
import type { HistoryState } from '../../../preload/contract.js';
import { createAppAsyncThunk } from '../../app/hooks.js';
import type { RootState } from '../../app/store.js';
import { projectSnapshotReceived } from '../project/projectSlice.js';
import { errorMessage } from '../ui/uiSlice.js';

const initialState: HistoryState = { canUndo: false, canRedo: false, undoLabel: null, redoLabel: null };

export const undoEdit = createAppAsyncThunk(
  'history/undo',
  async (_: undefined, { extra, rejectWithValue }) => {
    try {
      return await extra.platform.api.undo();
    } catch (error) {
      return rejectWithValue(errorMessage(error));
    }
  },
  // Ctrl+Z with nothing to undo is not an error; the main side would do nothing anyway.
  { condition: (_, { getState }) => getState().history.canUndo },
);

export const redoEdit = createAppAsyncThunk(
  'history/redo',
  async (_: undefined, { extra, rejectWithValue }) => {
    try {
      return await extra.platform.api.redo();
    } catch (error) {
      return rejectWithValue(errorMessage(error));
    }
  },
  { condition: (_, { getState }) => getState().history.canRedo },
);

export const historySlice = createSlice({
  name: 'history',
  initialState,
  reducers: {},
  extraReducers: (builder) => {
    builder.addCase(projectSnapshotReceived, (_, { payload }) => payload?.history ?? initialState);
    for (const thunk of [undoEdit, redoEdit]) {
      builder.addCase(thunk.fulfilled, (_, { payload }) => payload.history);
    }
  },
});

export const selectHistory = (state: RootState) => state.history;
