import { createAction, createSlice } from '@reduxjs/toolkit';
import type { ProjectSnapshot, RecentProject, StudioInfo } from '../../../preload/contract.js';
import { createAppAsyncThunk } from '../../app/hooks.js';
import type { RootState } from '../../app/store.js';
import { errorMessage } from '../ui/uiSlice.js';

/** The main side published the open project (null: none open). Every entity slice follows it. */
export const projectSnapshotReceived = createAction<ProjectSnapshot | null>('project/snapshotReceived');

export type ProjectDialog =
  | { kind: 'new' }
  | { kind: 'open' }
  | { kind: 'saveAs' }
  | { kind: 'damaged'; dir: string; message: string };

type Status = 'idle' | 'pending' | 'succeeded' | 'failed';

interface ProjectState {
  dir: string | null;
  name: string;
  dirty: boolean;
  savedAt: string | null;
  info: StudioInfo | null;
  recent: RecentProject[];
  dialog: ProjectDialog | null;
  status: Status;
}

const initialState: ProjectState = {
  dir: null,
  name: 'No project',
  dirty: false,
  savedAt: null,
  info: null,
  recent: [],
  dialog: null,
  status: 'idle',
};

export const loadStudioInfo = createAppAsyncThunk('project/loadInfo', (_: undefined, { extra }) =>
  extra.platform.api.getStudioInfo(),
);

export const loadRecent = createAppAsyncThunk('project/loadRecent', (_: undefined, { extra }) =>
  extra.platform.api.listRecentProjects(),
);

export const newProject = createAppAsyncThunk(
  'project/new',
  async (arg: { name: string; parentDir?: string }, { extra, rejectWithValue }) => {
    try {
      return await extra.platform.api.newProject(arg);
    } catch (error) {
      return rejectWithValue(errorMessage(error));
    }
  },
);

/** Opens a project; a damaged project.json opens the restore-backup dialog instead of a toast. */
export const openProject = createAppAsyncThunk(
  'project/open',
  async (dir: string, { extra, rejectWithValue, dispatch }) => {
    try {
      return await extra.platform.api.openProject(dir);
    } catch (error) {
      if (error instanceof Error && error.name === 'ProjectDamaged') {
        dispatch(projectDialogOpened({ kind: 'damaged', dir, message: error.message }));
        return rejectWithValue('');
      }
      return rejectWithValue(errorMessage(error));
    }
  },
);

export const restoreBackup = createAppAsyncThunk(
  'project/restoreBackup',
  async (dir: string, { extra, rejectWithValue }) => {
    try {
      return await extra.platform.api.restoreBackup(dir);
    } catch (error) {
      return rejectWithValue(errorMessage(error));
    }
  },
);

export const saveProject = createAppAsyncThunk('project/save', async (_: undefined, { extra, rejectWithValue }) => {
  try {
    return await extra.platform.api.saveProject();
  } catch (error) {
    return rejectWithValue(errorMessage(error));
  }
});

export const saveProjectAs = createAppAsyncThunk(
  'project/saveAs',
  async (arg: { dir: string; name?: string }, { extra, rejectWithValue }) => {
    try {
      return await extra.platform.api.saveProjectAs(arg);
    } catch (error) {
      return rejectWithValue(errorMessage(error));
    }
  },
);

export const closeProject = createAppAsyncThunk('project/close', async (_: undefined, { extra, rejectWithValue }) => {
  try {
    return await extra.platform.api.closeProject();
  } catch (error) {
    return rejectWithValue(errorMessage(error));
  }
});

const opened = [newProject, openProject, restoreBackup, saveProjectAs] as const;

export const projectSlice = createSlice({
  name: 'project',
  initialState,
  reducers: {
    projectDialogOpened(state, action: { payload: ProjectDialog | null }) {
      state.dialog = action.payload;
    },
  },
  extraReducers: (builder) => {
    builder.addCase(projectSnapshotReceived, (state, { payload }) => {
      state.dir = payload?.dir ?? null;
      state.name = payload?.name ?? 'No project';
      state.dirty = payload?.dirty ?? false;
      state.savedAt = payload?.savedAt ?? null;
    });
    builder.addCase(loadStudioInfo.fulfilled, (state, { payload }) => {
      state.info = payload;
    });
    builder.addCase(loadRecent.fulfilled, (state, { payload }) => {
      state.recent = payload;
    });
    for (const thunk of opened) {
      builder.addCase(thunk.pending, (state) => {
        state.status = 'pending';
      });
      builder.addCase(thunk.fulfilled, (state) => {
        state.status = 'succeeded';
        state.dialog = null;
      });
      builder.addCase(thunk.rejected, (state) => {
        state.status = 'failed';
      });
    }
  },
});

export const { projectDialogOpened } = projectSlice.actions;
export const selectProject = (state: RootState) => state.project;
export const selectProjectName = (state: RootState) => state.project.name;
export const selectStudioInfo = (state: RootState) => state.project.info;
export const selectPack = (state: RootState) => state.project.info?.packs[0] ?? null;
