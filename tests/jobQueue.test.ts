import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestStudio, type TestStudio, until } from './helpers.js';

let studio: TestStudio | null = null;
afterEach(() => {
  studio?.cleanup();
  studio = null;
});

const stateOf = (s: TestStudio, id: string) => s.queue.get(id)?.state;

describe('worker + job queue (real forked worker)', () => {
  it('reports onnxruntime-node version and providers', async () => {
    studio = startTestStudio();
    const status = await studio.host.whenReady();
    expect(status.state).toBe('ready');
    expect(status.onnxruntimeVersion).toMatch(/^\d+\.\d+\.\d+/);
    expect(status.providers).toContain('cpu');
    expect(status.engineAvailable).toBe(true);
    expect(status.pid).toBeGreaterThan(0);
  });

  it('runs jobs one at a time, in order, streaming progress', async () => {
    const s = startTestStudio();
    studio = s;
    const a = s.queue.submit({ mode: 't2v', prompt: 'first', steps: 3 });
    const b = s.queue.submit({ mode: 't2v', prompt: 'second', steps: 3 });
    await until(() => stateOf(s, b.id) === 'succeeded', 20_000, 'both jobs');
    expect(stateOf(s, a.id)).toBe('succeeded');
    const sequence = s.events.map(
      (e) => `${e.type}:${'job' in e ? e.job.id : 'jobId' in e ? e.jobId : e.jobIds.join(',')}`,
    );
    // b starts only after a finished.
    expect(sequence.indexOf(`started:${b.id}`)).toBeGreaterThan(sequence.indexOf(`succeeded:${a.id}`));
    expect(s.events.filter((e) => e.type === 'progress' && e.jobId === a.id)).toHaveLength(3);
    const result = s.queue.get(a.id)?.result;
    expect(result && existsSync(result.videoPath)).toBe(true);
  });

  it('fails the running job when the worker is killed, restarts the worker and goes on', async () => {
    const s = startTestStudio({ TESSERA_TEST_STEP_MS: '150' });
    studio = s;
    await s.host.whenReady();
    const firstPid = s.host.status.pid;
    const doomed = s.queue.submit({ mode: 't2v', prompt: 'doomed', steps: 50 });
    const next = s.queue.submit({ mode: 't2v', prompt: 'survivor', steps: 2 });
    await until(() => s.events.some((e) => e.type === 'progress' && e.jobId === doomed.id), 20_000, 'first progress');
    expect(firstPid).toBeGreaterThan(0);
    process.kill(firstPid as number, 'SIGKILL');

    await until(() => stateOf(s, doomed.id) === 'failed', 10_000, 'doomed job to fail');
    const failed = s.queue.get(doomed.id);
    expect(failed?.error?.name).toBe('WorkerCrashed');
    expect(failed?.error?.message).toContain('SIGKILL');

    await until(() => stateOf(s, next.id) === 'succeeded', 20_000, 'next job after restart');
    expect(s.host.status.restarts).toBe(1);
    expect(s.host.status.pid).not.toBe(firstPid);
    expect(s.host.status.lastError?.message).toContain('SIGKILL');
    expect(s.host.status.state).toBe('ready');
  });

  it('cancels a queued job at once and a running job through the worker', async () => {
    const s = startTestStudio({ TESSERA_TEST_STEP_MS: '100' });
    studio = s;
    const running = s.queue.submit({ mode: 't2v', prompt: 'long', steps: 100 });
    const queued = s.queue.submit({ mode: 't2v', prompt: 'never', steps: 2 });
    expect(s.queue.cancel(queued.id)).toBe(true);
    expect(stateOf(s, queued.id)).toBe('cancelled');
    await until(() => stateOf(s, running.id) === 'running' && s.queue.get(running.id)?.progress !== null);
    const pid = s.host.status.pid;
    expect(s.queue.cancel(running.id)).toBe(true);
    await until(() => stateOf(s, running.id) === 'cancelled', 5_000, 'cancel');
    // The engine honoured the signal: same worker, no restart.
    expect(s.host.status.pid).toBe(pid);
    expect(s.host.status.restarts).toBe(0);
    expect(s.queue.cancel(running.id)).toBe(false);
    expect(s.queue.cancel('job-unknown')).toBe(false);
  });

  it('runs a job re-queued by a reopened project to the end, ignoring the late cancel of its abandoned run', async () => {
    // Closing a project drains the queue mid-job; reopening it restores the same job id at once,
    // while the worker is still finishing the abandoned run (its 'cancelled' arrives within a step).
    const s = startTestStudio({ TESSERA_TEST_STEP_MS: '150' });
    studio = s;
    const job = s.queue.submit({ mode: 't2v', prompt: 'interrupted', steps: 4 });
    await until(() => s.events.some((e) => e.type === 'progress' && e.jobId === job.id), 20_000, 'first progress');
    const saved = s.queue.drain();
    expect(saved.map((j) => j.state)).toEqual(['queued']);
    // The host turns ready on the abandoned run's 'cancelled', which starts the restored job before
    // the queue sees that message.
    s.queue.restore(saved, s.dataDir);
    expect(stateOf(s, job.id)).toBe('queued');
    await until(() => ['succeeded', 'failed', 'cancelled'].includes(stateOf(s, job.id) ?? ''), 20_000, 'the re-run');
    expect(stateOf(s, job.id)).toBe('succeeded');
    expect(s.queue.get(job.id)?.result?.videoPath).toContain(s.dataDir);
    expect(s.host.status.restarts).toBe(0);
  });

  it('reports engine errors as {name, message} and keeps the worker', async () => {
    const s = startTestStudio();
    studio = s;
    const job = s.queue.submit({ mode: 't2v', prompt: 'please fail', steps: 1 });
    await until(() => stateOf(s, job.id) === 'failed');
    expect(s.queue.get(job.id)?.error).toEqual({ name: 'TypeError', message: 'refusing prompt: please fail' });
    expect(s.host.status.restarts).toBe(0);
  });

  it('still starts and reports onnxruntime when the engine cannot be loaded', async () => {
    const s = startTestStudio({ TESSERA_ENGINE_MODULE: '/nonexistent/engine.js' });
    studio = s;
    const status = await s.host.whenReady();
    expect(status.engineAvailable).toBe(false);
    expect(status.providers).toContain('cpu');
    const job = s.queue.submit({ mode: 't2v', prompt: 'x' });
    await until(() => stateOf(s, job.id) === 'failed');
    expect(s.queue.get(job.id)?.error?.name).toBe('EngineUnavailable');
  });
});
