/**
 * Messages between the main side (WorkerHost) and the inference worker. The same messages travel
 * over Electron's utilityProcess port and over child_process IPC.
 */
import { z } from 'zod';
import {
  errorInfoSchema,
  generateResultSchema,
  jobIdSchema,
  previewImageSchema,
  stepProgressSchema,
} from '../../preload/contract.js';
import { recipeRequestSchema } from '../../preload/recipe.js';

export const outputTargetSchema = z.object({ outDir: z.string().min(1), baseName: z.string().min(1) });

export const hostToWorkerSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('generate'),
    jobId: jobIdSchema,
    request: recipeRequestSchema,
    target: outputTargetSchema,
  }),
  z.object({ type: z.literal('cancel'), jobId: jobIdSchema }),
]);
export type HostToWorker = z.input<typeof hostToWorkerSchema>;

export const workerInfoSchema = z.object({
  onnxruntimeVersion: z.string(),
  providers: z.array(z.string()),
  engineAvailable: z.boolean(),
  engineError: errorInfoSchema.nullable(),
});
export type WorkerInfo = z.infer<typeof workerInfoSchema>;

export const workerToHostSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready'), info: workerInfoSchema }),
  z.object({ type: z.literal('progress'), jobId: jobIdSchema, progress: stepProgressSchema }),
  z.object({ type: z.literal('preview'), jobId: jobIdSchema, preview: previewImageSchema }),
  z.object({ type: z.literal('succeeded'), jobId: jobIdSchema, result: generateResultSchema }),
  z.object({ type: z.literal('failed'), jobId: jobIdSchema, error: errorInfoSchema }),
  z.object({ type: z.literal('cancelled'), jobId: jobIdSchema }),
]);
export type WorkerToHost = z.infer<typeof workerToHostSchema>;

export interface WorkerExit {
  code: number | null;
  signal: string | null;
  /** Human-readable, e.g. "worker was killed by SIGKILL". */
  reason: string;
}

/** A running worker process, whatever started it (utilityProcess.fork or child_process.fork). */
export interface WorkerProcess {
  readonly pid: number | undefined;
  send(message: HostToWorker): void;
  onMessage(listener: (message: unknown) => void): void;
  onExit(listener: (exit: WorkerExit) => void): void;
  kill(): void;
}

export type SpawnWorker = () => WorkerProcess;

export function describeExit(code: number | null, signal: string | null): string {
  if (signal) return `worker was killed by ${signal}`;
  return `worker exited with code ${code ?? 'unknown'}`;
}
