import { createSlice, type PayloadAction } from '@reduxjs/toolkit';
import type { Expansion, Job, PackInfo } from '../../../preload/contract.js';
import type { Precision, RecipeRequest } from '../../../preload/recipe.js';
import { createAppAsyncThunk } from '../../app/hooks.js';
import type { RootState } from '../../app/store.js';
import { type ClipView, selectClipViews } from '../media/mediaSlice.js';
import { loadStudioInfo } from '../project/projectSlice.js';
import { errorMessage } from '../ui/uiSlice.js';

export const UI_MODES = ['text', 'image', 'extend', 'bridge', 'remix', 'loop'] as const;
export type UiMode = (typeof UI_MODES)[number];
export const MODE_NAMES: Record<UiMode, string> = {
  text: 'Text',
  image: 'Image',
  extend: 'Extend',
  bridge: 'Bridge',
  remix: 'Remix',
  loop: 'Loop',
};
/** What each mode takes as its source: nothing, an image, or a video. */
export const SOURCE_KIND: Record<UiMode, 'image' | 'video' | null> = {
  text: null,
  image: 'image',
  extend: 'video',
  bridge: 'video',
  remix: 'video',
  loop: 'image',
};

type SubmitStatus = 'idle' | 'pending' | 'succeeded' | 'failed';
export type Field =
  | 'prompt'
  | 'negativePrompt'
  | 'seed'
  | 'steps'
  | 'guidance'
  | 'source'
  | 'sourceEnd'
  | 'strength'
  | 'size'
  | 'frames';

export interface PromptState {
  mode: UiMode;
  prompt: string;
  negativePrompt: string;
  seed: string;
  seedLocked: boolean;
  steps: string;
  guidance: string;
  sampler: 'euler' | 'heun';
  /** The transformer to run: the pack's default until the user picks the other one. */
  precision: Precision;
  sizeName: string;
  frames: number;
  variations: number;
  sourceClipId: string;
  endClipId: string;
  direction: 'forward' | 'backward';
  strength: string;
  expansion: Expansion | null;
  errors: Partial<Record<Field, string>>;
  submitStatus: SubmitStatus;
  error: string | null;
}

const randomSeed = () => Math.floor(Math.random() * 0xffffffff);

const initialState: PromptState = {
  mode: 'text',
  prompt: '',
  negativePrompt: '',
  seed: String(randomSeed()),
  seedLocked: false,
  steps: '50',
  guidance: '4',
  sampler: 'euler',
  precision: 'fp32',
  sizeName: 'square',
  frames: 17,
  variations: 1,
  sourceClipId: '',
  endClipId: '',
  direction: 'forward',
  strength: '0.6',
  expansion: null,
  errors: {},
  submitStatus: 'idle',
  error: null,
};

/** Checks the form; returns the request to queue, or the reason per field. */
export function validatePrompt(
  state: PromptState,
  pack: PackInfo | null,
  clips: ClipView[],
): { errors: Partial<Record<Field, string>>; request: RecipeRequest | null } {
  const errors: Partial<Record<Field, string>> = {};
  const int = (field: Field, text: string, min: number, max: number, what: string) => {
    const value = Number(text);
    if (text.trim() === '' || !Number.isInteger(value) || value < min || value > max)
      errors[field] = `${what} must be a whole number from ${min} to ${max}`;
    return value;
  };
  if (state.mode === 'text' && state.prompt.trim() === '') errors.prompt = 'Describe the clip to generate';
  if (state.prompt.length > 500) errors.prompt = 'At most 500 characters';
  if (state.negativePrompt.length > 500) errors.negativePrompt = 'At most 500 characters';
  const seed = int('seed', state.seed, 0, 0xffffffff, 'Seed');
  const steps = int('steps', state.steps, 1, 200, 'Steps');
  const guidance = Number(state.guidance);
  if (state.guidance.trim() === '' || !Number.isFinite(guidance) || guidance < 0 || guidance > 30)
    errors.guidance = 'Guidance must be a number from 0 to 30';
  const size = pack?.sizes.find((s) => s.name === state.sizeName);
  if (pack && !size) errors.size = 'Pick a size';
  if (pack && !pack.frameCounts.includes(state.frames)) errors.frames = 'Pick a duration';
  const kind = SOURCE_KIND[state.mode];
  const byId = (id: string) => clips.find((c) => c.clip.id === id)?.asset ?? null;
  const source = state.sourceClipId ? byId(state.sourceClipId) : null;
  if (kind && state.mode !== 'loop' && !source) errors.source = `Pick ${kind === 'image' ? 'an image' : 'a clip'}`;
  if (source && kind && source.kind !== kind)
    errors.source = `This mode needs ${kind === 'image' ? 'an image' : 'a clip'}`;
  const end = state.mode === 'bridge' && state.endClipId ? byId(state.endClipId) : null;
  if (state.mode === 'bridge' && !end) errors.sourceEnd = 'Pick the clip the bridge leads into';
  const strength = Number(state.strength);
  if (state.mode === 'remix' && (!Number.isFinite(strength) || strength <= 0 || strength > 1))
    errors.strength = 'Strength must be more than 0 and at most 1';
  if (Object.keys(errors).length > 0) return { errors, request: null };
  const mode =
    state.mode === 'text'
      ? 't2v'
      : state.mode === 'image'
        ? 'i2v'
        : state.mode === 'extend'
          ? state.direction === 'forward'
            ? 'extend_forward'
            : 'extend_backward'
          : state.mode;
  const request: RecipeRequest = {
    mode,
    prompt: state.prompt.trim(),
    ...(state.negativePrompt.trim() ? { negativePrompt: state.negativePrompt.trim() } : {}),
    seed,
    steps,
    guidance,
    sampler: state.sampler,
    ...(pack?.precisions.includes(state.precision) ? { precision: state.precision } : {}),
    ...(size ? { width: size.width, height: size.height } : {}),
    ...(pack ? { frames: state.frames } : {}),
    ...(source && (kind || state.mode === 'loop') ? { source: source.path } : {}),
    ...(end ? { sourceEnd: end.path } : {}),
    ...(state.mode === 'remix' ? { strength } : {}),
    ...(pack ? { pack: pack.name } : {}),
  };
  return { errors: {}, request };
}

/** Validates and queues the form (with its variations). */
export const submitPrompt = createAppAsyncThunk(
  'prompt/submit',
  async (_arg: undefined, { getState, extra, rejectWithValue, dispatch }) => {
    const state = getState();
    const { errors, request } = validatePrompt(
      state.prompt,
      state.project.info?.packs[0] ?? null,
      selectClipViews(state),
    );
    if (!request) {
      dispatch(fieldErrorsShown(errors));
      return rejectWithValue('Check the highlighted fields');
    }
    try {
      const jobs: Job[] = await extra.platform.api.generate(request, { variations: state.prompt.variations });
      return jobs;
    } catch (error) {
      return rejectWithValue(errorMessage(error));
    }
  },
);

export const expandPrompt = createAppAsyncThunk('prompt/expand', async (text: string, { extra }) =>
  extra.platform.api.expandPrompt(text),
);

export interface Prefill {
  mode: UiMode;
  sourceClipId?: string;
  direction?: 'forward' | 'backward';
  prompt?: string;
  strength?: string;
}

export const promptSlice = createSlice({
  name: 'prompt',
  initialState,
  reducers: {
    promptEdited(state, action: PayloadAction<string>) {
      state.prompt = action.payload;
      delete state.errors.prompt;
    },
    fieldChanged(state, action: PayloadAction<Partial<PromptState>>) {
      Object.assign(state, action.payload);
      for (const key of Object.keys(action.payload)) {
        const field = key === 'sourceClipId' ? 'source' : key === 'endClipId' ? 'sourceEnd' : key;
        delete state.errors[field as Field];
      }
    },
    seedRolled(state) {
      state.seed = String(randomSeed());
      delete state.errors.seed;
    },
    fieldErrorsShown(state, action: PayloadAction<Partial<Record<Field, string>>>) {
      state.errors = action.payload;
    },
    /** Inspector actions fill the form with a clip as the source. */
    promptPrefilled(state, action: PayloadAction<Prefill>) {
      const p = action.payload;
      state.mode = p.mode;
      state.sourceClipId = p.sourceClipId ?? '';
      if (p.direction) state.direction = p.direction;
      if (p.prompt !== undefined) state.prompt = p.prompt;
      if (p.strength !== undefined) state.strength = p.strength;
      state.errors = {};
      state.error = null;
    },
  },
  extraReducers: (builder) => {
    builder
      .addCase(loadStudioInfo.fulfilled, (state, { payload }) => {
        const pack = payload.packs[0];
        if (!pack) return;
        state.steps = String(pack.defaults.steps);
        state.guidance = String(pack.defaults.guidance);
        state.sampler = pack.defaults.sampler;
        state.precision = pack.defaults.precision ?? 'fp32';
        state.frames = pack.defaults.frames;
        state.sizeName =
          pack.sizes.find((s) => s.width === pack.defaults.width && s.height === pack.defaults.height)?.name ??
          pack.sizes[0]?.name ??
          '';
      })
      .addCase(expandPrompt.fulfilled, (state, { payload, meta }) => {
        if (meta.arg === state.prompt) state.expansion = payload;
      })
      .addCase(submitPrompt.pending, (state) => {
        state.submitStatus = 'pending';
        state.error = null;
      })
      .addCase(submitPrompt.fulfilled, (state) => {
        state.submitStatus = 'succeeded';
        if (!state.seedLocked) state.seed = String(randomSeed());
      })
      .addCase(submitPrompt.rejected, (state, action) => {
        state.submitStatus = 'failed';
        state.error = action.payload ?? action.error.message ?? 'could not queue the job';
      });
  },
});

export const { promptEdited, fieldChanged, seedRolled, fieldErrorsShown, promptPrefilled } = promptSlice.actions;
export const selectPrompt = (state: RootState) => state.prompt;
