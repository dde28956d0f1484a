import { createSlice } from '@reduxjs/toolkit';
import type { RootState } from '../../app/store.js';

/** The open project. Saving and loading arrive with the studio issue. */
interface ProjectState {
  name: string;
}

const initialState: ProjectState = { name: 'Untitled project' };

export const projectSlice = createSlice({
  name: 'project',
  initialState,
  reducers: {},
});

export const selectProjectName = (state: RootState) => state.project.name;
