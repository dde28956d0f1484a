import { combineReducers, configureStore } from '@reduxjs/toolkit';
import { binSlice } from '../features/bin/binSlice.js';
import { projectSlice } from '../features/project/projectSlice.js';
import { promptSlice } from '../features/prompt/promptSlice.js';
import { queueSlice } from '../features/queue/queueSlice.js';
import { timelineSlice } from '../features/timeline/timelineSlice.js';
import { workerSlice } from '../features/worker/workerSlice.js';
import type { Platform } from '../platform/platform.js';

export const rootReducer = combineReducers({
  [projectSlice.name]: projectSlice.reducer,
  [promptSlice.name]: promptSlice.reducer,
  [queueSlice.name]: queueSlice.reducer,
  [binSlice.name]: binSlice.reducer,
  [timelineSlice.name]: timelineSlice.reducer,
  [workerSlice.name]: workerSlice.reducer,
});

/** Thunks reach the main side through the platform, never through globals. */
export interface ThunkExtra {
  platform: Platform;
}

export function createStore(platform: Platform) {
  return configureStore({
    reducer: rootReducer,
    middleware: (getDefault) => getDefault({ thunk: { extraArgument: { platform } satisfies ThunkExtra } }),
  });
}

export type AppStore = ReturnType<typeof createStore>;
export type RootState = ReturnType<typeof rootReducer>;
export type AppDispatch = AppStore['dispatch'];
