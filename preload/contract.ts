/**
 * The one contract between the renderer and the main side. Methods return promises, events are
 * named `onX` and return an unsubscribe function, errors cross as `{name, message}`.
 *
 * Runtime schemas (zod) validate every argument on the main side (Electron IPC and the web
 * host's WebSocket alike); the renderer imports only the types. To add a method: add its name
 * to `channels.ts`, its schemas to `methods`, and implement it in `main/node/studio.ts`.
 */
import { z } from 'zod';
import type { EventName, MethodName } from './channels.js';
import { modeSchema, precisionSchema, recipeRequestSchema, recipeSchema, seedSchema } from './recipe.js';

export { EVENT_NAMES, type EventName, METHOD_NAMES, type MethodName } from './channels.js';

/** Errors cross every boundary as plain data. */
export const errorInfoSchema = z.object({ name: z.string(), message: z.string() });
export type ErrorInfo = z.infer<typeof errorInfoSchema>;

export const jobIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'job ids are 1-64 letters, digits, _ or -');

export const workerStateSchema = z.enum(['starting', 'ready', 'busy', 'restarting', 'crashed', 'stopped']);
export type WorkerState = z.infer<typeof workerStateSchema>;

export const workerStatusSchema = z.object({
  state: workerStateSchema,
  /** onnxruntime-node's version, once the worker has reported it. */
  onnxruntimeVersion: z.string().nullable(),
  /** Execution providers onnxruntime-node offers on this machine. */
  providers: z.array(z.string()),
  /** Whether the worker could load the engine (`main/engine/index.ts`). */
  engineAvailable: z.boolean(),
  pid: z.number().int().nullable(),
  restarts: z.number().int().min(0),
  lastError: errorInfoSchema.nullable(),
});
export type WorkerStatus = z.infer<typeof workerStatusSchema>;

export const stepProgressSchema = z.object({
  step: z.number().int().min(0),
  total: z.number().int().min(0),
  elapsedMs: z.number().min(0),
  etaMs: z.number().min(0),
});
export type StepProgress = z.infer<typeof stepProgressSchema>;

export const previewImageSchema = z.object({
  step: z.number().int(),
  width: z.number().int(),
  height: z.number().int(),
  dataUrl: z.string().startsWith('data:image/'),
});
export type PreviewImage = z.infer<typeof previewImageSchema>;

export const generateResultSchema = z.object({
  recipe: recipeSchema,
  videoPath: z.string(),
  posterPath: z.string(),
  recipePath: z.string(),
  frames: z.number().int(),
  width: z.number().int(),
  height: z.number().int(),
  durationSec: z.number(),
});
export type GenerateResultInfo = z.infer<typeof generateResultSchema>;

export const jobStateSchema = z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled']);
export type JobState = z.infer<typeof jobStateSchema>;

export const jobSchema = z.object({
  id: jobIdSchema,
  kind: z.literal('generate'),
  request: recipeRequestSchema,
  state: jobStateSchema,
  progress: stepProgressSchema.nullable(),
  result: generateResultSchema.nullable(),
  error: errorInfoSchema.nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});
export type Job = z.infer<typeof jobSchema>;

export const jobEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('queued'), job: jobSchema }),
  z.object({ type: z.literal('started'), job: jobSchema }),
  z.object({ type: z.literal('progress'), jobId: jobIdSchema, progress: stepProgressSchema }),
  z.object({ type: z.literal('preview'), jobId: jobIdSchema, preview: previewImageSchema }),
  z.object({ type: z.literal('succeeded'), job: jobSchema }),
  z.object({ type: z.literal('failed'), job: jobSchema }),
  z.object({ type: z.literal('cancelled'), job: jobSchema }),
  z.object({ type: z.literal('removed'), jobIds: z.array(jobIdSchema) }),
]);
export type JobEvent = z.infer<typeof jobEventSchema>;

// ---------------------------------------------------------------------------------------------
// Projects. The main side owns the files; the renderer sees snapshots with absolute paths.

/** Entity ids: letters, digits, _ and -. */
export const entityIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'ids are 1-64 letters, digits, _ or -');

export const assetKindSchema = z.enum(['video', 'image']);
export type AssetKind = z.infer<typeof assetKindSchema>;

/** A file in the project's media/ folder: a generated clip, an imported file, or an extracted frame. */
export const assetSchema = z.object({
  id: entityIdSchema,
  kind: assetKindSchema,
  origin: z.enum(['generated', 'imported', 'frame']),
  /** Relative to the project folder in project.json; absolute in snapshots. */
  path: z.string().min(1),
  posterPath: z.string().nullable(),
  recipePath: z.string().nullable(),
  name: z.string(),
  width: z.number().int().min(0),
  height: z.number().int().min(0),
  frames: z.number().int().min(0),
  durationSec: z.number().min(0),
  fps: z.number().min(0),
  recipe: recipeSchema.nullable(),
  createdAt: z.string(),
});
export type Asset = z.infer<typeof assetSchema>;

/** One rendering of a clip. Pending while its job runs (assetId null). */
export const takeSchema = z.object({
  id: entityIdSchema,
  clipId: entityIdSchema,
  jobId: jobIdSchema.nullable(),
  assetId: entityIdSchema.nullable(),
  seed: seedSchema.nullable(),
  createdAt: z.string(),
});
export type Take = z.infer<typeof takeSchema>;

/** What the media bin lists: a clip with its takes; the active take is what plays and what the timeline uses. */
export const clipSchema = z.object({
  id: entityIdSchema,
  name: z.string(),
  takeIds: z.array(entityIdSchema),
  activeTakeId: entityIdSchema.nullable(),
  createdAt: z.string(),
});
export type Clip = z.infer<typeof clipSchema>;

export const timelineSchema = z.object({ clipIds: z.array(entityIdSchema) });
export type Timeline = z.infer<typeof timelineSchema>;

/**
 * The project's undo history as the renderer sees it. Only user edits are recorded (timeline add,
 * move and remove, removing a clip, choosing a take); generation and imports are not.
 */
export const historyStateSchema = z.object({
  canUndo: z.boolean(),
  canRedo: z.boolean(),
  /** What Undo would do, ready to show (e.g. "Undo remove from timeline"); null when nothing. */
  undoLabel: z.string().nullable(),
  redoLabel: z.string().nullable(),
});
export type HistoryState = z.infer<typeof historyStateSchema>;

/** The reply to undo and redo: what was done (null: nothing to do) and the history after it. */
export const historyStepSchema = z.object({
  done: z.string().nullable(),
  history: historyStateSchema,
});
export type HistoryStep = z.infer<typeof historyStepSchema>;

export const projectSnapshotSchema = z.object({
  dir: z.string(),
  name: z.string(),
  assets: z.array(assetSchema),
  clips: z.array(clipSchema),
  takes: z.array(takeSchema),
  timeline: timelineSchema,
  jobs: z.array(jobSchema),
  /** Unsaved changes (autosave follows within a few seconds). */
  dirty: z.boolean(),
  savedAt: z.string().nullable(),
  history: historyStateSchema,
});
export type ProjectSnapshot = z.infer<typeof projectSnapshotSchema>;

export const recentProjectSchema = z.object({ dir: z.string(), name: z.string(), openedAt: z.string() });
export type RecentProject = z.infer<typeof recentProjectSchema>;

export const packInfoSchema = z.object({
  name: z.string(),
  version: z.string(),
  fps: z.number(),
  modes: z.array(modeSchema),
  sizes: z.array(z.object({ name: z.string(), width: z.number().int(), height: z.number().int() })),
  frameCounts: z.array(z.number().int()),
  defaults: z.object({
    width: z.number().int(),
    height: z.number().int(),
    frames: z.number().int(),
    steps: z.number().int(),
    guidance: z.number(),
    sampler: z.enum(['euler', 'heun']),
    /** Absent in packs from before transformer variants: those run fp32. */
    precision: precisionSchema.optional(),
  }),
  /** The transformer precisions the pack ships (fp32 always; int8 when it has the variant). */
  precisions: z.array(precisionSchema),
});
export type PackInfo = z.infer<typeof packInfoSchema>;

export const studioInfoSchema = z.object({
  packs: z.array(packInfoSchema),
  /** Where new projects go unless the user picks another folder. */
  projectsDir: z.string(),
});
export type StudioInfo = z.infer<typeof studioInfoSchema>;

export const expansionSchema = z.object({
  caption: z.string(),
  unknownWords: z.array(z.string()),
  notes: z.array(z.string()),
});
export type Expansion = z.infer<typeof expansionSchema>;

/** An absolute folder or file path on this machine. */
const pathSchema = z.string().min(1).max(4096);
const projectNameSchema = z.string().trim().min(1, 'a project needs a name').max(100);

export const newProjectArgsSchema = z.object({ name: projectNameSchema, parentDir: pathSchema.optional() });
export const saveAsArgsSchema = z.object({ dir: pathSchema, name: projectNameSchema.optional() });
export const rerenderArgsSchema = z.object({ clipId: entityIdSchema, newSeed: z.boolean() });
export const extractFrameArgsSchema = z.object({ clipId: entityIdSchema, timeSec: z.number().min(0).max(3600) });
export const submitArgsSchema = z.object({
  /** Variations: the same recipe with consecutive seeds, each a clip of its own. */
  variations: z.number().int().min(1).max(4).default(1),
});

interface MethodSpec {
  args: z.ZodTuple;
  result: z.ZodType;
}

/** Every method: its argument tuple and its result. */
export const methods = {
  getWorkerStatus: { args: z.tuple([]), result: workerStatusSchema },
  submitJob: { args: z.tuple([recipeRequestSchema]), result: jobSchema },
  cancelJob: { args: z.tuple([jobIdSchema]), result: z.boolean() },
  listJobs: { args: z.tuple([]), result: z.array(jobSchema) },
  retryJob: { args: z.tuple([jobIdSchema]), result: jobSchema },
  removeJob: { args: z.tuple([jobIdSchema]), result: z.boolean() },
  clearFinishedJobs: { args: z.tuple([]), result: z.number().int() },
  generate: { args: z.tuple([recipeRequestSchema, submitArgsSchema]), result: z.array(jobSchema) },
  getStudioInfo: { args: z.tuple([]), result: studioInfoSchema },
  expandPrompt: { args: z.tuple([z.string().max(500)]), result: expansionSchema },
  getProject: { args: z.tuple([]), result: projectSnapshotSchema.nullable() },
  newProject: { args: z.tuple([newProjectArgsSchema]), result: projectSnapshotSchema },
  openProject: { args: z.tuple([pathSchema]), result: projectSnapshotSchema },
  saveProject: { args: z.tuple([]), result: projectSnapshotSchema },
  saveProjectAs: { args: z.tuple([saveAsArgsSchema]), result: projectSnapshotSchema },
  closeProject: { args: z.tuple([]), result: z.boolean() },
  listRecentProjects: { args: z.tuple([]), result: z.array(recentProjectSchema) },
  restoreBackup: { args: z.tuple([pathSchema]), result: projectSnapshotSchema },
  importMedia: { args: z.tuple([pathSchema]), result: clipSchema },
  extractFrame: { args: z.tuple([extractFrameArgsSchema]), result: clipSchema },
  rerender: { args: z.tuple([rerenderArgsSchema]), result: jobSchema },
  setActiveTake: { args: z.tuple([entityIdSchema, entityIdSchema]), result: z.boolean() },
  removeClip: { args: z.tuple([entityIdSchema]), result: z.boolean() },
  addToTimeline: {
    args: z.tuple([entityIdSchema, z.number().int().min(0).optional()]),
    result: timelineSchema,
  },
  moveInTimeline: { args: z.tuple([z.number().int().min(0), z.number().int().min(0)]), result: timelineSchema },
  removeFromTimeline: { args: z.tuple([z.number().int().min(0)]), result: timelineSchema },
  /** Undoes the latest user edit of the open project (a no-op when there is none). */
  undo: { args: z.tuple([]), result: historyStepSchema },
  redo: { args: z.tuple([]), result: historyStepSchema },
} as const satisfies Record<MethodName, MethodSpec>;

/** Every event: its payload. */
export const events = {
  onJobEvent: jobEventSchema,
  onWorkerStatus: workerStatusSchema,
  /** The open project changed (null: closed). */
  onProject: projectSnapshotSchema.nullable(),
} as const satisfies Record<EventName, z.ZodType>;

export type MethodArgs<M extends MethodName> = z.input<(typeof methods)[M]['args']>;
export type MethodResult<M extends MethodName> = z.output<(typeof methods)[M]['result']>;
export type EventPayload<E extends EventName> = z.output<(typeof events)[E]>;

/** The API as the renderer sees it (`window.tessera` in Electron, a WebSocket client in a browser). */
export type TesseraApi = { [M in MethodName]: (...args: MethodArgs<M>) => Promise<MethodResult<M>> } & {
  [E in EventName]: (listener: (payload: EventPayload<E>) => void) => () => void;
};

/** What the main side implements: parsed arguments in, results out. */
export type TesseraBackend = {
  [M in MethodName]: (...args: z.output<(typeof methods)[M]['args']>) => Promise<MethodResult<M>>;
};

/** The reply envelope shared by IPC and WebSocket, so errors keep their name. */
export const replySchema = z.union([
  z.object({ ok: z.literal(true), result: z.unknown() }),
  z.object({ ok: z.literal(false), error: errorInfoSchema }),
]);
export type Reply = z.infer<typeof replySchema>;

/** WebSocket frames (web host). Client to host: */
export const wsRequestSchema = z.object({
  id: z.number().int().min(0),
  method: z.string(),
  args: z.array(z.unknown()),
});
export type WsRequest = z.infer<typeof wsRequestSchema>;

/** Host to client: a reply to request `id`, or an event. */
export type WsServerFrame =
  | ({ kind: 'reply'; id: number | null } & Reply)
  | { kind: 'event'; event: EventName; payload: unknown };
