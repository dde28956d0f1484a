import { createSelector, createSlice, type PayloadAction } from '@reduxjs/toolkit';
import type { Asset } from '../../../preload/contract.js';
import type { RootState } from '../../app/store.js';
import { selectClipViews } from '../media/mediaSlice.js';
import { clipFps, layOut, type Segment } from '../player/timelinePlayback.js';
import { projectSnapshotReceived } from '../project/projectSlice.js';

/** What the player plays: the selected clip, or the timeline. */
export type PlaybackSource = 'clip' | 'timeline';

/** The timeline: clip ids in order (a clip may appear more than once); each plays its active take. */
interface TimelineState {
  clipIds: string[];
  playback: PlaybackSource;
  /** Position (index in clipIds) the player is showing when it plays the timeline. */
  playingPosition: number | null;
}

const initialState: TimelineState = { clipIds: [], playback: 'clip', playingPosition: null };

export const timelineSlice = createSlice({
  name: 'timeline',
  initialState,
  reducers: {
    playbackSourceChanged(state, action: PayloadAction<PlaybackSource>) {
      state.playback = action.payload;
      if (action.payload === 'clip') state.playingPosition = null;
    },
    timelinePositionPlaying(state, action: PayloadAction<number | null>) {
      state.playingPosition = action.payload;
    },
  },
  extraReducers: (b) =>
    b.addCase(projectSnapshotReceived, (state, { payload }) => {
      state.clipIds = payload?.timeline.clipIds ?? [];
    }),
});

export const { playbackSourceChanged, timelinePositionPlaying } = timelineSlice.actions;
export const selectTimelineClipIds = (state: RootState) => state.timeline.clipIds;
export const selectPlaybackSource = (state: RootState) => state.timeline.playback;
/** The timeline position the player shows, when it plays the timeline. */
export const selectPlayingPosition = (state: RootState) =>
  state.timeline.playback === 'timeline' ? state.timeline.playingPosition : null;

/** A timeline entry the player can play: its clip's active take, a video. */
export interface PlaybackItem {
  /** Index in the timeline's clip ids. */
  position: number;
  clipId: string;
  name: string;
  asset: Asset;
  frames: number;
  durationSec: number;
  fps: number;
}

/** The timeline's playable clips laid end to end (entries without a finished video are skipped). */
export const selectTimelineSegments = createSelector(
  [selectTimelineClipIds, selectClipViews],
  (clipIds, views): Segment<PlaybackItem>[] =>
    layOut(
      clipIds.flatMap((clipId, position) => {
        const view = views.find((v) => v.clip.id === clipId);
        const asset = view?.asset;
        if (!view || !asset || asset.kind !== 'video' || asset.frames <= 0) return [];
        const fps = clipFps(asset);
        const durationSec = asset.durationSec || asset.frames / fps;
        return [{ position, clipId, name: view.clip.name, asset, frames: asset.frames, durationSec, fps }];
      }),
    ),
);
