/**
 * Runs generate jobs one at a time in the worker. A job is queued, then running, then exactly one
 * of succeeded / failed / cancelled. If the worker dies mid-job, that job fails with the exit's
 * reason, the host restarts the worker and the queue goes on.
 */
import { randomUUID } from 'node:crypto';
import type { ErrorInfo, Job, JobEvent } from '../../preload/contract.js';
import type { RecipeRequestParsed } from '../../preload/recipe.js';
import { Emitter } from '../common/emitter.js';
import type { WorkerExit, WorkerToHost } from '../common/workerProtocol.js';
import type { WorkerHost } from './workerHost.js';

export interface JobQueueOptions {
  /** Where clips are written. */
  outDir: string;
  /** How long a running job may take to honour a cancel before its worker is killed. */
  cancelGraceMs?: number;
}

const clone = (job: Job): Job => structuredClone(job);
const now = () => new Date().toISOString();
export const newJobId = () => `job-${Date.now().toString(36)}-${randomUUID().slice(0, 8)}`;

export class JobQueue {
  readonly onEvent = new Emitter<JobEvent>();

  private readonly jobs = new Map<string, Job>();
  /** Per-job output folder (a project's media/); the queue's default otherwise. */
  private readonly outDirs = new Map<string, string>();
  private running: { id: string; cancelRequested: boolean; killTimer: NodeJS.Timeout | null } | null = null;
  /**
   * Jobs whose run `drain` abandoned while the worker was still on it, with how many such runs are
   * unfinished. The worker runs one job at a time, so each abandoned run's messages (ending with
   * exactly one succeeded / failed / cancelled) arrive before those of a later run of the same job
   * id, which a reopened project re-queues: they are dropped, or a late 'cancelled' from the
   * abandoned run would end the re-queued job.
   */
  private readonly abandoned = new Map<string, number>();
  private readonly unsubscribe: (() => void)[];

  constructor(
    private readonly host: WorkerHost,
    private readonly options: JobQueueOptions,
  ) {
    this.unsubscribe = [
      host.onStatus.on((status) => {
        if (status.state === 'ready') this.pump();
      }),
      host.onMessage.on((message) => this.handleMessage(message)),
      host.onExit.on((exit) => this.handleExit(exit)),
    ];
  }

  submit(request: RecipeRequestParsed, options: { id?: string; outDir?: string } = {}): Job {
    const id = options.id ?? newJobId();
    const job: Job = {
      id,
      kind: 'generate',
      request,
      state: 'queued',
      progress: null,
      result: null,
      error: null,
      createdAt: now(),
      startedAt: null,
      finishedAt: null,
    };
    this.jobs.set(id, job);
    if (options.outDir) this.outDirs.set(id, options.outDir);
    this.onEvent.emit({ type: 'queued', job: clone(job) });
    this.pump();
    return clone(job);
  }

  /** Puts back jobs saved with a project: queued (or interrupted) ones run again, finished ones are history. */
  restore(jobs: readonly Job[], outDir: string): void {
    for (const saved of jobs) {
      const job = clone(saved);
      if (job.state === 'running' || job.state === 'queued') {
        job.state = 'queued';
        job.progress = null;
        job.startedAt = null;
      }
      this.jobs.set(job.id, job);
      this.outDirs.set(job.id, outDir);
    }
    this.pump();
  }

  /** Removes a finished job from the list; queued or running jobs must be cancelled first. */
  remove(id: string): boolean {
    const job = this.jobs.get(id);
    if (!job || job.state === 'queued' || job.state === 'running') return false;
    this.jobs.delete(id);
    this.outDirs.delete(id);
    this.onEvent.emit({ type: 'removed', jobIds: [id] });
    return true;
  }

  /** Removes every succeeded, failed or cancelled job; returns how many. */
  clearFinished(): number {
    const ids = [...this.jobs.values()].filter((j) => j.state !== 'queued' && j.state !== 'running').map((j) => j.id);
    for (const id of ids) {
      this.jobs.delete(id);
      this.outDirs.delete(id);
    }
    if (ids.length > 0) this.onEvent.emit({ type: 'removed', jobIds: ids });
    return ids.length;
  }

  /**
   * Empties the queue (the project is closing): the running job is cancelled in the worker and
   * reported back as queued, so it runs again when the project reopens. Returns the jobs as they were.
   */
  drain(): Job[] {
    const snapshot = this.list();
    const running = this.running;
    if (running) {
      this.host.send({ type: 'cancel', jobId: running.id });
      if (running.killTimer) clearTimeout(running.killTimer);
      this.abandoned.set(running.id, (this.abandoned.get(running.id) ?? 0) + 1);
      this.running = null;
    }
    const ids = [...this.jobs.keys()];
    this.jobs.clear();
    this.outDirs.clear();
    if (ids.length > 0) this.onEvent.emit({ type: 'removed', jobIds: ids });
    return snapshot.map((job) =>
      job.state === 'running' ? { ...job, state: 'queued', progress: null, startedAt: null } : job,
    );
  }

  /** True when the job was queued or running and is now (being) cancelled. */
  cancel(id: string): boolean {
    const job = this.jobs.get(id);
    if (!job) return false;
    if (job.state === 'queued') {
      this.finish(job, 'cancelled');
      return true;
    }
    if (job.state !== 'running' || !this.running || this.running.id !== id) return false;
    if (this.running.cancelRequested) return true;
    this.running.cancelRequested = true;
    this.host.send({ type: 'cancel', jobId: id });
    const running = this.running;
    running.killTimer = setTimeout(() => this.host.kill(), this.options.cancelGraceMs ?? 5000);
    return true;
  }

  list(): Job[] {
    return [...this.jobs.values()].map(clone);
  }

  get(id: string): Job | undefined {
    const job = this.jobs.get(id);
    return job && clone(job);
  }

  dispose(): void {
    for (const off of this.unsubscribe) off();
    if (this.running?.killTimer) clearTimeout(this.running.killTimer);
    this.onEvent.clear();
  }

  private pump(): void {
    if (this.running || this.host.status.state !== 'ready') return;
    const next = [...this.jobs.values()].find((job) => job.state === 'queued');
    if (!next) return;
    this.running = { id: next.id, cancelRequested: false, killTimer: null };
    next.state = 'running';
    next.startedAt = now();
    this.onEvent.emit({ type: 'started', job: clone(next) });
    this.host.send({
      type: 'generate',
      jobId: next.id,
      request: next.request,
      target: { outDir: this.outDirs.get(next.id) ?? this.options.outDir, baseName: next.id },
    });
  }

  private handleMessage(message: WorkerToHost): void {
    if (message.type === 'ready') return;
    const stale = this.abandoned.get(message.jobId);
    if (stale) {
      const ends = message.type === 'succeeded' || message.type === 'failed' || message.type === 'cancelled';
      if (ends && stale === 1) this.abandoned.delete(message.jobId);
      else if (ends) this.abandoned.set(message.jobId, stale - 1);
      return;
    }
    const job = this.jobs.get(message.jobId);
    if (job?.state !== 'running') return;
    switch (message.type) {
      case 'progress':
        job.progress = message.progress;
        this.onEvent.emit({ type: 'progress', jobId: job.id, progress: message.progress });
        return;
      case 'preview':
        this.onEvent.emit({ type: 'preview', jobId: job.id, preview: message.preview });
        return;
      case 'succeeded':
        job.result = message.result;
        this.finish(job, 'succeeded');
        return;
      case 'failed':
        this.finish(job, 'failed', message.error);
        return;
      case 'cancelled':
        this.finish(job, 'cancelled');
        return;
    }
  }

  private handleExit(exit: WorkerExit): void {
    this.abandoned.clear(); // the runs died with the worker: no more messages from them
    const running = this.running;
    if (!running) return;
    const job = this.jobs.get(running.id);
    if (!job) return;
    if (running.cancelRequested) this.finish(job, 'cancelled');
    else this.finish(job, 'failed', { name: 'WorkerCrashed', message: `${exit.reason} while running ${job.id}` });
  }

  private finish(job: Job, state: 'succeeded' | 'failed' | 'cancelled', error: ErrorInfo | null = null): void {
    job.state = state;
    job.error = error;
    job.finishedAt = now();
    if (this.running?.id === job.id) {
      if (this.running.killTimer) clearTimeout(this.running.killTimer);
      this.running = null;
    }
    this.onEvent.emit({ type: state, job: clone(job) });
    // Let the host settle its own state for this message first.
    queueMicrotask(() => this.pump());
  }
}
