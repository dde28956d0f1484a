/**
 * The inference worker's entry. Started by `utilityProcess.fork` (Electron) or `child_process.fork`
 * (web host, tests). Reports onnxruntime's version and providers, then runs one generate job at a
 * time through the engine, streaming progress and previews; a cancel message aborts the job.
 * Right after reporting ready it warms the engine up (loads the default pack, primes the
 * transformer); a job that arrives meanwhile waits for the warm-up instead of racing it.
 */
import { toErrorInfo } from '../common/errors.js';
import { hostToWorkerSchema, type WorkerToHost } from '../common/workerProtocol.js';
import { loadEngine } from './engineLoader.js';
import { onnxInfo } from './onnx.js';
import { connectParentPort } from './port.js';

const port = connectParentPort();
const post = (message: WorkerToHost) => port.post(message);

let running: { jobId: string; controller: AbortController } | null = null;
/** Settles when the warm-up started after `ready` has finished (or failed). */
let warming: Promise<unknown> = Promise.resolve();

const engine = await loadEngine();
const info = onnxInfo();

port.onMessage((raw) => {
  const parsed = hostToWorkerSchema.safeParse(raw);
  if (!parsed.success) {
    console.error('[worker] ignored an invalid message:', parsed.error.message);
    return;
  }
  const message = parsed.data;
  if (message.type === 'cancel') {
    if (running?.jobId === message.jobId) running.controller.abort();
    return;
  }
  const { jobId, request, target } = message;
  if (running) {
    post({ type: 'failed', jobId, error: { name: 'WorkerBusy', message: `worker is running ${running.jobId}` } });
    return;
  }
  if (!engine.ok) {
    post({ type: 'failed', jobId, error: toErrorInfo(engine.error) });
    return;
  }
  const controller = new AbortController();
  running = { jobId, controller };
  warming
    .then(() =>
      engine.generate(request, target, {
        signal: controller.signal,
        onProgress: (progress) => post({ type: 'progress', jobId, progress }),
        onPreview: (preview) => post({ type: 'preview', jobId, preview }),
      }),
    )
    .then(
      (result) => post({ type: 'succeeded', jobId, result }),
      (error: unknown) => {
        if (controller.signal.aborted) post({ type: 'cancelled', jobId });
        else post({ type: 'failed', jobId, error: toErrorInfo(error) });
      },
    )
    .finally(() => {
      running = null;
    });
});

post({
  type: 'ready',
  info: { ...info, engineAvailable: engine.ok, engineError: engine.ok ? null : toErrorInfo(engine.error) },
});

// A failed warm-up is only logged: the job that needs the pack reports the error itself.
warming =
  engine.ok && engine.warmUp
    ? engine.warmUp().then(
        (w) =>
          console.error(
            `[worker] warm: pack ${w.pack} on ${w.provider}, load ${w.loadMs.toFixed(0)} ms, ready to sample after ${w.warmMs.toFixed(0)} ms`,
          ),
        (error: unknown) => console.error('[worker] warm-up failed:', (error as Error).message),
      )
    : warming;
