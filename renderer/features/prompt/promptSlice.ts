import { createSlice, type PayloadAction } from '@reduxjs/toolkit';
import { createAppAsyncThunk } from '../../app/hooks.js';
import type { RootState } from '../../app/store.js';

type SubmitStatus = 'idle' | 'pending' | 'succeeded' | 'failed';

interface PromptState {
  text: string;
  submitStatus: SubmitStatus;
  error: string | null;
}

const initialState: PromptState = { text: '', submitStatus: 'idle', error: null };

/** Queues a text-to-video job for the current prompt. */
export const submitPrompt = createAppAsyncThunk(
  'prompt/submit',
  async (_arg: undefined, { getState, extra, rejectWithValue }) => {
    try {
      return await extra.platform.api.submitJob({ mode: 't2v', prompt: getState().prompt.text.trim() });
    } catch (error) {
      return rejectWithValue(error instanceof Error ? error.message : String(error));
    }
  },
);

export const promptSlice = createSlice({
  name: 'prompt',
  initialState,
  reducers: {
    promptEdited(state, action: PayloadAction<string>) {
      state.text = action.payload;
    },
  },
  extraReducers: (builder) => {
    builder
      .addCase(submitPrompt.pending, (state) => {
        state.submitStatus = 'pending';
        state.error = null;
      })
      .addCase(submitPrompt.fulfilled, (state) => {
        state.submitStatus = 'succeeded';
      })
      .addCase(submitPrompt.rejected, (state, action) => {
        state.submitStatus = 'failed';
        state.error = action.payload ?? action.error.message ?? 'could not submit';
      });
  },
});

export const { promptEdited } = promptSlice.actions;
export const selectPrompt = (state: RootState) => state.prompt;
