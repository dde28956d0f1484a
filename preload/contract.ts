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
import { recipeRequestSchema, recipeSchema } from './recipe.js';

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
]);
export type JobEvent = z.infer<typeof jobEventSchema>;

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
} as const satisfies Record<MethodName, MethodSpec>;

/** Every event: its payload. */
export const events = {
  onJobEvent: jobEventSchema,
  onWorkerStatus: workerStatusSchema,
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
