import { describe, expect, it } from 'vitest';
import { dispatch } from '../main/common/dispatch.js';
import { EVENT_NAMES, METHOD_NAMES } from '../preload/channels.js';
import { events, jobEventSchema, methods, type TesseraBackend, wsRequestSchema } from '../preload/contract.js';

const notUsed = async (): Promise<never> => {
  throw new Error('not used in this test');
};

const backend: TesseraBackend = {
  getWorkerStatus: async () => ({
    state: 'ready',
    onnxruntimeVersion: '1.30.0',
    providers: ['cpu'],
    engineAvailable: true,
    pid: 1,
    restarts: 0,
    lastError: null,
  }),
  submitJob: async (request) => ({
    id: 'job-1',
    kind: 'generate',
    request,
    state: 'queued',
    progress: null,
    result: null,
    error: null,
    createdAt: new Date(0).toISOString(),
    startedAt: null,
    finishedAt: null,
  }),
  cancelJob: async (id) => id === 'job-1',
  listJobs: async () => [],
  retryJob: notUsed,
  removeJob: notUsed,
  clearFinishedJobs: notUsed,
  generate: notUsed,
  getStudioInfo: notUsed,
  expandPrompt: notUsed,
  getProject: async () => null,
  newProject: notUsed,
  openProject: notUsed,
  saveProject: notUsed,
  saveProjectAs: notUsed,
  closeProject: notUsed,
  listRecentProjects: async () => [],
  restoreBackup: notUsed,
  importMedia: notUsed,
  extractFrame: notUsed,
  rerender: notUsed,
  setActiveTake: notUsed,
  removeClip: notUsed,
  addToTimeline: notUsed,
  moveInTimeline: notUsed,
  removeFromTimeline: notUsed,
  undo: notUsed,
  redo: notUsed,
};

describe('contract', () => {
  it('has schemas for exactly the declared method and event names', () => {
    expect(Object.keys(methods).sort()).toEqual([...METHOD_NAMES].sort());
    expect(Object.keys(events).sort()).toEqual([...EVENT_NAMES].sort());
  });

  it('validates submitJob arguments and fills the recipe defaults', () => {
    const parsed = methods.submitJob.args.parse([{ prompt: 'a red ball' }]);
    expect(parsed[0].mode).toBe('t2v');
    expect(methods.submitJob.args.safeParse([{ prompt: 42 }]).success).toBe(false);
    expect(methods.submitJob.args.safeParse([{ prompt: 'x', mode: 'nope' }]).success).toBe(false);
    expect(methods.submitJob.args.safeParse([{ prompt: 'x'.repeat(501) }]).success).toBe(false);
    expect(methods.submitJob.args.safeParse([]).success).toBe(false);
  });

  it('accepts only well-formed job ids', () => {
    expect(methods.cancelJob.args.safeParse(['job-abc_1']).success).toBe(true);
    expect(methods.cancelJob.args.safeParse(['../etc/passwd']).success).toBe(false);
    expect(methods.cancelJob.args.safeParse(['']).success).toBe(false);
    expect(methods.cancelJob.args.safeParse([1]).success).toBe(false);
  });

  it('rejects extra arguments', () => {
    expect(methods.listJobs.args.safeParse([1]).success).toBe(false);
  });

  it('discriminates job events', () => {
    const progress = { type: 'progress', jobId: 'j', progress: { step: 1, total: 4, elapsedMs: 5, etaMs: 15 } };
    expect(jobEventSchema.parse(progress)).toEqual(progress);
    expect(jobEventSchema.safeParse({ type: 'progress', jobId: 'j' }).success).toBe(false);
    expect(jobEventSchema.safeParse({ type: 'exploded', jobId: 'j' }).success).toBe(false);
  });

  it('validates project, take and timeline arguments', () => {
    expect(methods.newProject.args.safeParse([{ name: 'Beach day' }]).success).toBe(true);
    expect(methods.newProject.args.safeParse([{ name: '   ' }]).success).toBe(false);
    expect(methods.openProject.args.safeParse(['']).success).toBe(false);
    expect(methods.rerender.args.safeParse([{ clipId: 'clip-1', newSeed: true }]).success).toBe(true);
    expect(methods.rerender.args.safeParse([{ clipId: '../x', newSeed: true }]).success).toBe(false);
    expect(methods.setActiveTake.args.safeParse(['clip-1', 'take-2']).success).toBe(true);
    expect(methods.moveInTimeline.args.safeParse([0, -1]).success).toBe(false);
    expect(methods.addToTimeline.args.safeParse(['clip-1']).success).toBe(true);
    expect(methods.generate.args.parse([{ prompt: 'x' }, {}])[1].variations).toBe(1);
    expect(methods.generate.args.safeParse([{ prompt: 'x' }, { variations: 5 }]).success).toBe(false);
    expect(methods.extractFrame.args.safeParse([{ clipId: 'c', timeSec: -1 }]).success).toBe(false);
  });

  it('validates undo and redo: no arguments; the reply says what was done and what is next', () => {
    for (const method of ['undo', 'redo'] as const) {
      expect(methods[method].args.safeParse([]).success).toBe(true);
      expect(methods[method].args.safeParse([1]).success).toBe(false);
      expect(methods[method].args.safeParse([{ steps: 3 }]).success).toBe(false);
    }
    const history = { canUndo: false, canRedo: true, undoLabel: null, redoLabel: 'Redo remove clip' };
    expect(methods.undo.result.safeParse({ done: 'Undo remove clip', history }).success).toBe(true);
    expect(methods.undo.result.safeParse({ done: null, history: { ...history, canRedo: 'yes' } }).success).toBe(false);
  });

  it('validates WebSocket request frames', () => {
    expect(wsRequestSchema.safeParse({ id: 1, method: 'listJobs', args: [] }).success).toBe(true);
    expect(wsRequestSchema.safeParse({ id: -1, method: 'listJobs', args: [] }).success).toBe(false);
    expect(wsRequestSchema.safeParse({ id: 1, method: 'listJobs' }).success).toBe(false);
  });
});

describe('dispatch', () => {
  it('calls the backend with parsed arguments', async () => {
    const reply = await dispatch(backend, 'submitJob', [{ prompt: 'a cat' }]);
    expect(reply.ok).toBe(true);
    if (reply.ok) expect((reply.result as { request: { mode: string } }).request.mode).toBe('t2v');
    expect(await dispatch(backend, 'cancelJob', ['job-1'])).toEqual({ ok: true, result: true });
  });

  it('refuses unknown methods, prototype keys and invalid arguments with a ContractError', async () => {
    for (const [method, args] of [
      ['deleteEverything', []],
      ['constructor', []],
      ['__proto__', []],
      ['submitJob', [{ prompt: 7 }]],
      ['cancelJob', ['bad id!']],
      ['listJobs', 'not an array'],
    ] as const) {
      const reply = await dispatch(backend, method, args);
      expect(reply.ok, `${method}`).toBe(false);
      if (!reply.ok) expect(reply.error.name).toBe('ContractError');
    }
  });

  it('passes backend errors across as {name, message}', async () => {
    const failing: TesseraBackend = {
      ...backend,
      listJobs: async () => {
        throw new RangeError('boom');
      },
    };
    expect(await dispatch(failing, 'listJobs', [])).toEqual({
      ok: false,
      error: { name: 'RangeError', message: 'boom' },
    });
  });
});
