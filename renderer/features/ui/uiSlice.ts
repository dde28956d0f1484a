import { createSlice, type PayloadAction } from '@reduxjs/toolkit';
import type { RootState } from '../../app/store.js';

export interface Toast {
  id: number;
  kind: 'error' | 'info';
  message: string;
  /** What the user can do about it. */
  action: string | null;
  at: string;
}

interface UiState {
  /** The clip shown in the player and the inspector. */
  selectedClipId: string | null;
  /** Player position of the selected clip, seconds. */
  playheadSec: number;
  toasts: Toast[];
  /** Every message shown, for the log. */
  log: Toast[];
  helpOpen: boolean;
  logOpen: boolean;
  nextToastId: number;
}

const initialState: UiState = {
  selectedClipId: null,
  playheadSec: 0,
  toasts: [],
  log: [],
  helpOpen: false,
  logOpen: false,
  nextToastId: 1,
};

export const uiSlice = createSlice({
  name: 'ui',
  initialState,
  reducers: {
    clipSelected(state, action: PayloadAction<string | null>) {
      if (state.selectedClipId !== action.payload) state.playheadSec = 0;
      state.selectedClipId = action.payload;
    },
    playheadMoved(state, action: PayloadAction<number>) {
      state.playheadSec = action.payload;
    },
    toastShown: {
      reducer(state, action: PayloadAction<Omit<Toast, 'id'>>) {
        const toast = { ...action.payload, id: state.nextToastId++ };
        state.toasts = [...state.toasts.slice(-3), toast];
        state.log = [...state.log.slice(-199), toast];
      },
      prepare(message: string, action: string | null = null, kind: Toast['kind'] = 'error') {
        return { payload: { message, action, kind, at: new Date().toISOString() } };
      },
    },
    toastDismissed(state, action: PayloadAction<number>) {
      state.toasts = state.toasts.filter((t) => t.id !== action.payload);
    },
    helpToggled(state, action: PayloadAction<boolean | undefined>) {
      state.helpOpen = action.payload ?? !state.helpOpen;
    },
    logToggled(state, action: PayloadAction<boolean | undefined>) {
      state.logOpen = action.payload ?? !state.logOpen;
    },
  },
});

export const { clipSelected, playheadMoved, toastShown, toastDismissed, helpToggled, logToggled } = uiSlice.actions;
export const selectSelectedClipId = (state: RootState) => state.ui.selectedClipId;
export const selectPlayhead = (state: RootState) => state.ui.playheadSec;
export const selectToasts = (state: RootState) => state.ui.toasts;
export const selectLog = (state: RootState) => state.ui.log;
export const selectHelpOpen = (state: RootState) => state.ui.helpOpen;
export const selectLogOpen = (state: RootState) => state.ui.logOpen;

/** The message of anything thrown across the contract. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
