import { combineReducers, configureStore } from '@reduxjs/toolkit';
import { historySlice } from '../features/history/historySlice.js';
import { assetsSlice, clipsSlice, takesSlice } from '../features/media/mediaSlice.js';
import { projectSlice } from '../features/project/projectSlice.js';
import { promptSlice } from '../features/prompt/promptSlice.js';
import { queueSlice } from '../features/queue/queueSlice.js';
import { timelineSlice } from '../features/timeline/timelineSlice.js';
import { uiSlice } from '../features/ui/uiSlice.js';
import { workerSlice } from '../features/worker/workerSlice.js';
import type { Platform } from '../platform/platform.js';
import { listenerMiddleware } from './listenerMiddleware.js';

export const rootReducer = combineReducers({
  [projectSlice.name]: projectSlice.reducer,
  [historySlice.name]: historySlice.reducer,
  [promptSlice.name]: promptSlice.reducer,
  [queueSlice.name]: queueSlice.reducer,
  [assetsSlice.name]: assetsSlice.reducer,
  [clipsSlice.name]: clipsSlice.reducer,
  [takesSlice.name]: takesSlice.reducer,
  [timelineSlice.name]: timelineSlice.reducer,
  [uiSlice.name]: uiSlice.reducer,
  [workerSlice.name]: workerSlice.reducer,
});

/** Thunks reach the main side through the platform, never through globals. */
export interface ThunkExtra {
  platform: Platform;
}

export function createStore(platform: Platform) {
  return configureStore({
    reducer: rootReducer,
    middleware: (getDefault) =>
      getDefault({ thunk: { extraArgument: { platform } satisfies ThunkExtra } }).prepend(
        listenerMiddleware.middleware,
      ),
  });
}

export type AppStore = ReturnType<typeof createStore>;
export type RootState = ReturnType<typeof rootReducer>;
export type AppDispatch = AppStore['dispatch'];
