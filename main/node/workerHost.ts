/**
 * Keeps one inference worker alive: starts it, validates what it says, reports its status, and
 * restarts it when it crashes (a crash is an event with a reason, never a dead app). Gives up after
 * `maxRestarts` crashes within a minute and reports state `crashed`.
 */
import type { WorkerStatus } from '../../preload/contract.js';
import { Emitter } from '../common/emitter.js';
import {
  type HostToWorker,
  type SpawnWorker,
  type WorkerExit,
  type WorkerProcess,
  type WorkerToHost,
  workerToHostSchema,
} from '../common/workerProtocol.js';

export interface WorkerHostOptions {
  restartDelayMs?: number;
  maxRestarts?: number;
}

export class WorkerHost {
  readonly onStatus = new Emitter<WorkerStatus>();
  readonly onMessage = new Emitter<WorkerToHost>();
  readonly onExit = new Emitter<WorkerExit>();

  private process: WorkerProcess | null = null;
  private stopped = false;
  private restartTimer: NodeJS.Timeout | null = null;
  private readonly crashTimes: number[] = [];
  private current: WorkerStatus = {
    state: 'stopped',
    onnxruntimeVersion: null,
    providers: [],
    engineAvailable: false,
    pid: null,
    restarts: 0,
    lastError: null,
  };

  constructor(
    private readonly spawn: SpawnWorker,
    private readonly options: WorkerHostOptions = {},
  ) {}

  get status(): WorkerStatus {
    return { ...this.current, providers: [...this.current.providers] };
  }

  start(): void {
    this.stopped = false;
    this.launch();
  }

  /** Resolves once the worker has reported ready (or busy); rejects after `timeoutMs`. */
  whenReady(timeoutMs = 30_000): Promise<WorkerStatus> {
    if (this.current.state === 'ready' || this.current.state === 'busy') return Promise.resolve(this.status);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new Error(`worker not ready after ${timeoutMs} ms (state ${this.current.state})`));
      }, timeoutMs);
      const off = this.onStatus.on((status) => {
        if (status.state === 'ready') {
          clearTimeout(timer);
          off();
          resolve(status);
        }
      });
    });
  }

  send(message: HostToWorker): void {
    if (!this.process) throw new Error('worker is not running');
    if (message.type === 'generate') this.update({ state: 'busy' });
    this.process.send(message);
  }

  /** Kills the worker; it restarts as after a crash. */
  kill(): void {
    this.process?.kill();
  }

  stop(): void {
    this.stopped = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.process?.kill();
    this.process = null;
    this.update({ state: 'stopped', pid: null });
  }

  private launch(): void {
    this.update({ state: this.current.restarts > 0 ? 'restarting' : 'starting', pid: null });
    const child = this.spawn();
    this.process = child;
    this.update({ pid: child.pid ?? null });
    child.onMessage((raw) => {
      if (this.process !== child) return;
      const parsed = workerToHostSchema.safeParse(raw);
      if (!parsed.success) {
        console.error('[worker-host] ignored an invalid worker message:', parsed.error.message);
        return;
      }
      const message = parsed.data;
      if (message.type === 'ready') {
        const { onnxruntimeVersion, providers, engineAvailable } = message.info;
        this.update({ state: 'ready', onnxruntimeVersion, providers, engineAvailable });
      } else if (message.type === 'succeeded' || message.type === 'failed' || message.type === 'cancelled') {
        this.update({ state: 'ready' });
      }
      this.onMessage.emit(message);
    });
    child.onExit((exit) => {
      if (this.process !== child) return;
      this.process = null;
      this.onExit.emit(exit);
      if (this.stopped) return;
      this.scheduleRestart(exit);
    });
  }

  private scheduleRestart(exit: WorkerExit): void {
    const now = Date.now();
    this.crashTimes.push(now);
    while (this.crashTimes.length > 0 && (this.crashTimes[0] ?? now) < now - 60_000) this.crashTimes.shift();
    const lastError = { name: 'WorkerExited', message: exit.reason };
    if (this.crashTimes.length > (this.options.maxRestarts ?? 5)) {
      this.update({ state: 'crashed', pid: null, lastError });
      return;
    }
    this.update({ state: 'restarting', pid: null, lastError, restarts: this.current.restarts + 1 });
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (!this.stopped) this.launch();
    }, this.options.restartDelayMs ?? 250);
  }

  private update(patch: Partial<WorkerStatus>): void {
    this.current = { ...this.current, ...patch };
    this.onStatus.emit(this.status);
  }
}
