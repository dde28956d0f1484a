/** Assets, clips and takes of the open project, normalised; the main side's snapshots replace them. */
import { createEntityAdapter, createSelector, createSlice } from '@reduxjs/toolkit';
import type { Asset, Clip, Take, TesseraApi } from '../../../preload/contract.js';
import { createAppAsyncThunk } from '../../app/hooks.js';
import type { RootState } from '../../app/store.js';
import { projectSnapshotReceived } from '../project/projectSlice.js';
import { errorMessage } from '../ui/uiSlice.js';

const assetsAdapter = createEntityAdapter<Asset>();
const clipsAdapter = createEntityAdapter<Clip>();
const takesAdapter = createEntityAdapter<Take>();

export const assetsSlice = createSlice({
  name: 'assets',
  initialState: assetsAdapter.getInitialState(),
  reducers: {},
  extraReducers: (b) =>
    b.addCase(projectSnapshotReceived, (state, { payload }) => assetsAdapter.setAll(state, payload?.assets ?? [])),
});

export const clipsSlice = createSlice({
  name: 'clips',
  initialState: clipsAdapter.getInitialState(),
  reducers: {},
  extraReducers: (b) =>
    b.addCase(projectSnapshotReceived, (state, { payload }) => clipsAdapter.setAll(state, payload?.clips ?? [])),
});

export const takesSlice = createSlice({
  name: 'takes',
  initialState: takesAdapter.getInitialState(),
  reducers: {},
  extraReducers: (b) =>
    b.addCase(projectSnapshotReceived, (state, { payload }) => takesAdapter.setAll(state, payload?.takes ?? [])),
});

const assets = assetsAdapter.getSelectors<RootState>((s) => s.assets);
const clips = clipsAdapter.getSelectors<RootState>((s) => s.clips);
const takes = takesAdapter.getSelectors<RootState>((s) => s.takes);
export const selectAssetById = assets.selectById;
export const selectClips = clips.selectAll;
export const selectClipById = clips.selectById;
export const selectTakeById = takes.selectById;
export const selectAllTakes = takes.selectAll;

/** A clip with its active take's file: what the bin, player, inspector and timeline show. */
export interface ClipView {
  clip: Clip;
  take: Take | null;
  asset: Asset | null;
  takes: { take: Take; asset: Asset | null }[];
}

export const selectClipViews = createSelector(
  [selectClips, (s: RootState) => s.takes.entities, (s: RootState) => s.assets.entities],
  (all, takeMap, assetMap): ClipView[] =>
    all.map((clip) => {
      const list = clip.takeIds.flatMap((id) => {
        const take = takeMap[id];
        return take ? [{ take, asset: take.assetId ? (assetMap[take.assetId] ?? null) : null }] : [];
      });
      const active = list.find((t) => t.take.id === clip.activeTakeId) ?? null;
      return { clip, take: active?.take ?? null, asset: active?.asset ?? null, takes: list };
    }),
);

/** Clips with a finished take (what the media bin lists). */
export const selectReadyClips = createSelector([selectClipViews], (views) => views.filter((v) => v.asset !== null));

export const selectClipView = (state: RootState, clipId: string | null): ClipView | undefined =>
  clipId ? selectClipViews(state).find((v) => v.clip.id === clipId) : undefined;

const call = <A extends unknown[], R>(name: string, run: (api: TesseraApi, ...a: A) => Promise<R>) =>
  createAppAsyncThunk(name, async (args: A, { extra, rejectWithValue }) => {
    try {
      return await run(extra.platform.api, ...args);
    } catch (error) {
      return rejectWithValue(errorMessage(error));
    }
  });

export const importMediaPath = call('media/import', (api, path: string) => api.importMedia(path));
export const rerenderClip = call('media/rerender', (api, clipId: string, newSeed: boolean) =>
  api.rerender({ clipId, newSeed }),
);
export const setActiveTake = call('media/setActiveTake', (api, clipId: string, takeId: string) =>
  api.setActiveTake(clipId, takeId),
);
export const extractFrame = call('media/extractFrame', (api, clipId: string, timeSec: number) =>
  api.extractFrame({ clipId, timeSec }),
);
export const removeClip = call('media/removeClip', (api, clipId: string) => api.removeClip(clipId));
export const addToTimeline = call('timeline/add', (api, clipId: string, index?: number) =>
  api.addToTimeline(clipId, index),
);
export const moveInTimeline = call('timeline/move', (api, from: number, to: number) => api.moveInTimeline(from, to));
export const removeFromTimeline = call('timeline/remove', (api, index: number) => api.removeFromTimeline(index));
