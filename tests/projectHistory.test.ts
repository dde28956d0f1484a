/**
 * Undo and redo of project edits through the studio backend, with a real forked worker (the step
 * fixture engine) writing real files into a temporary project's media/: each kind of edit, redo
 * cleared by a new edit, the bound, save and reopen, and media files never deleted.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dispatch } from '../main/common/dispatch.js';
import { HISTORY_LIMIT } from '../main/node/project/history.js';
import type { ProjectFile } from '../main/node/project/schema.js';
import type { Job, ProjectSnapshot } from '../preload/contract.js';
import { startTestStudio, type TestStudio, until } from './helpers.js';

let studio: TestStudio | null = null;
afterEach(() => {
  studio?.cleanup();
  studio = null;
});

const readProject = (dir: string) => JSON.parse(readFileSync(join(dir, 'project.json'), 'utf8')) as ProjectFile;
const mediaFiles = (dir: string) => readdirSync(join(dir, 'media')).sort();

function snap(s: TestStudio): ProjectSnapshot {
  const snapshot = s.projects.snapshot();
  if (!snapshot) throw new Error('no project open');
  return snapshot;
}

/** The clip ids on the timeline, as clip names (easier to read in failures). */
function timelineNames(s: TestStudio): string[] {
  const p = snap(s);
  return p.timeline.clipIds.map((id) => p.clips.find((c) => c.id === id)?.name ?? `missing ${id}`);
}

/** Generates one clip per prompt and waits until every one has its finished take. */
async function generated(s: TestStudio, prompts: string[]): Promise<string[]> {
  const ids: string[] = [];
  for (const prompt of prompts) {
    const [job] = await s.backend.generate({ mode: 't2v', prompt, steps: 1, seed: ids.length }, { variations: 1 });
    await until(() => s.queue.get(job?.id ?? '')?.state === 'succeeded', 20_000, `job for ${prompt}`);
    const clip = snap(s).clips.find((c) => c.name === prompt);
    await until(() => Boolean(snap(s).clips.find((c) => c.name === prompt)?.activeTakeId), 5_000, 'take');
    if (!clip) throw new Error(`no clip ${prompt}`);
    ids.push(clip.id);
  }
  return ids;
}

const finished = (s: TestStudio, job: Job | undefined) =>
  until(() => s.queue.get(job?.id ?? '')?.state === 'succeeded', 20_000, `job ${job?.id}`);

describe('undo and redo of project edits', () => {
  it('timeline add, move and remove undo and redo in order, with labels', async () => {
    const s = startTestStudio();
    studio = s;
    const { backend } = s;
    await backend.newProject({ name: 'Timeline' });
    const [a = '', b = '', c = ''] = await generated(s, ['alpha', 'beta', 'gamma']);
    // Generation is not an edit.
    expect(snap(s).history).toEqual({ canUndo: false, canRedo: false, undoLabel: null, redoLabel: null });

    await backend.addToTimeline(a);
    await backend.addToTimeline(b);
    await backend.addToTimeline(c, 0);
    await backend.moveInTimeline(0, 2);
    await backend.removeFromTimeline(0);
    expect(timelineNames(s)).toEqual(['beta', 'gamma']);
    expect(snap(s).history.undoLabel).toBe('Undo remove from timeline');

    expect(await backend.undo()).toMatchObject({
      done: 'Undo remove from timeline',
      history: { undoLabel: 'Undo move in timeline', redoLabel: 'Redo remove from timeline' },
    });
    expect(timelineNames(s)).toEqual(['alpha', 'beta', 'gamma']);
    await backend.undo();
    expect(timelineNames(s)).toEqual(['gamma', 'alpha', 'beta']);
    await backend.undo();
    expect(timelineNames(s)).toEqual(['alpha', 'beta']);
    await backend.undo();
    await backend.undo();
    expect(timelineNames(s)).toEqual([]);
    expect(await backend.undo()).toMatchObject({ done: null, history: { canUndo: false, canRedo: true } });

    for (let i = 0; i < 5; i++) await backend.redo();
    expect(timelineNames(s)).toEqual(['beta', 'gamma']);
    expect(snap(s).history).toMatchObject({ canRedo: false, undoLabel: 'Undo remove from timeline' });
    // The snapshot the renderer gets carries the same history.
    expect(snap(s).dirty).toBe(true);
    await backend.saveProject();
    expect(readProject(snap(s).dir).timeline.clipIds).toEqual([b, c]);
  });

  it('choosing a take undoes to the previous take; a take rendered since stays', async () => {
    const s = startTestStudio();
    studio = s;
    const { backend } = s;
    await backend.newProject({ name: 'Takes' });
    const [clipId = ''] = await generated(s, ['delta']);
    await finished(s, await backend.rerender({ clipId, newSeed: true }));
    await until(() => snap(s).takes.filter((t) => t.assetId).length === 2, 5_000, 'second take');
    const [first, second] = snap(s).takes;
    expect(snap(s).clips[0]?.activeTakeId).toBe(second?.id);

    await backend.setActiveTake(clipId, first?.id ?? '');
    expect(snap(s).history.undoLabel).toBe('Undo choose take');
    // A third take arrives after the choice (not an edit) and becomes active, as new takes do.
    await finished(s, await backend.rerender({ clipId, newSeed: true }));
    await until(() => snap(s).takes.filter((t) => t.assetId).length === 3, 5_000, 'third take');
    const third = snap(s).takes[2];
    expect(snap(s).clips[0]?.activeTakeId).toBe(third?.id);

    await backend.undo();
    const clip = snap(s).clips[0];
    expect(clip?.activeTakeId).toBe(second?.id);
    expect(clip?.takeIds).toEqual([first?.id, second?.id, third?.id]);
    await backend.redo();
    expect(snap(s).clips[0]?.activeTakeId).toBe(first?.id);
  });

  it('removing a clip undoes with its takes and timeline places; its files are never deleted', async () => {
    const s = startTestStudio();
    studio = s;
    const { backend } = s;
    const project = await backend.newProject({ name: 'Remove' });
    const [a = '', b = ''] = await generated(s, ['echo', 'foxtrot']);
    await finished(s, await backend.rerender({ clipId: a, newSeed: true }));
    await until(() => snap(s).takes.filter((t) => t.assetId).length === 3, 5_000, 'take');
    await backend.addToTimeline(a);
    await backend.addToTimeline(b);
    await backend.addToTimeline(a);
    const before = snap(s);
    const files = mediaFiles(project.dir);
    expect(files.length).toBe(9); // three takes: .mp4, .png and .json each

    expect(await backend.removeClip(a)).toBe(true);
    expect(snap(s).clips.map((c) => c.id)).toEqual([b]);
    expect(timelineNames(s)).toEqual(['foxtrot']);
    expect(mediaFiles(project.dir)).toEqual(files);

    await backend.undo();
    const after = snap(s);
    expect(after.clips).toEqual(before.clips);
    expect(after.takes).toEqual(before.takes);
    expect(after.timeline).toEqual(before.timeline);
    expect(after.assets).toEqual(before.assets);
    await backend.redo();
    expect(snap(s).clips.map((c) => c.id)).toEqual([b]);
    await backend.undo();
    expect(timelineNames(s)).toEqual(['echo', 'foxtrot', 'echo']);
    for (let i = 0; i < 6; i++) await backend.undo();
    for (let i = 0; i < 6; i++) await backend.redo();
    expect(mediaFiles(project.dir)).toEqual(files);
    // Every clip's active take resolves to a listed asset whose file is on disk.
    for (const clip of snap(s).clips) {
      const take = snap(s).takes.find((t) => t.id === clip.activeTakeId);
      const asset = snap(s).assets.find((x) => x.id === take?.assetId);
      expect(asset && files.includes(asset.path.split(/[\\/]/).pop() ?? '')).toBe(true);
    }
  });

  it('a clip removed while its job runs comes back with the finished output', async () => {
    const s = startTestStudio({ TESSERA_TEST_STEP_MS: '100' });
    studio = s;
    const { backend } = s;
    const project = await backend.newProject({ name: 'Running' });
    const [job] = await backend.generate({ mode: 't2v', prompt: 'golf', steps: 10 }, { variations: 1 });
    await until(() => s.queue.get(job?.id ?? '')?.state === 'running', 20_000, 'running');
    const clipId = snap(s).clips[0]?.id ?? '';
    await backend.addToTimeline(clipId);
    await backend.removeClip(clipId);
    await finished(s, job);
    // The job's files landed in media/, but no clip is there to list them.
    expect(mediaFiles(project.dir).length).toBe(3);
    expect(snap(s).clips).toEqual([]);

    await backend.undo();
    const p = snap(s);
    expect(p.clips.map((c) => c.id)).toEqual([clipId]);
    expect(p.timeline.clipIds).toEqual([clipId]);
    const take = p.takes.find((t) => t.id === p.clips[0]?.activeTakeId);
    const asset = p.assets.find((a) => a.id === take?.assetId);
    expect(asset?.path).toBe(s.queue.get(job?.id ?? '')?.result?.videoPath);
    expect(asset?.origin).toBe('generated');
    // Redo and undo again: the same asset, not a second listing.
    await backend.redo();
    await backend.undo();
    expect(snap(s).assets).toHaveLength(1);
  });

  it('a take rendered for a restored clip survives redoing and undoing the removal again', async () => {
    const s = startTestStudio();
    studio = s;
    const { backend } = s;
    const project = await backend.newProject({ name: 'Restored' });
    const [a = ''] = await generated(s, ['papa']);
    await backend.removeClip(a);
    await backend.undo();
    await finished(s, await backend.rerender({ clipId: a, newSeed: true }));
    await until(() => snap(s).takes.filter((t) => t.assetId).length === 2, 5_000, 'second take');
    const takes = snap(s).clips[0]?.takeIds;
    await backend.redo();
    expect(snap(s).clips).toEqual([]);
    expect(snap(s).takes).toEqual([]);
    await backend.undo();
    expect(snap(s).clips[0]?.takeIds).toEqual(takes);
    expect(snap(s).clips[0]?.activeTakeId).toBe(takes?.[1]);
    expect(mediaFiles(project.dir).length).toBe(6);
  });

  it('undo leaves a clip generated after the edit alone', async () => {
    const s = startTestStudio();
    studio = s;
    const { backend } = s;
    await backend.newProject({ name: 'Later clips' });
    const [a = ''] = await generated(s, ['hotel']);
    await backend.addToTimeline(a);
    await backend.removeFromTimeline(0);
    await generated(s, ['india']);
    await backend.undo();
    expect(timelineNames(s)).toEqual(['hotel']);
    expect(snap(s).clips.map((c) => c.name)).toEqual(['hotel', 'india']);
    expect(snap(s).clips.every((c) => c.activeTakeId !== null)).toBe(true);
  });

  it('a new edit clears redo', async () => {
    const s = startTestStudio();
    studio = s;
    const { backend } = s;
    await backend.newProject({ name: 'Redo' });
    const [a = '', b = ''] = await generated(s, ['juliet', 'kilo']);
    await backend.addToTimeline(a);
    await backend.undo();
    expect(snap(s).history.canRedo).toBe(true);
    await backend.addToTimeline(b);
    expect(snap(s).history).toMatchObject({ canRedo: false, redoLabel: null, undoLabel: 'Undo add to timeline' });
    expect(await backend.redo()).toMatchObject({ done: null });
    expect(timelineNames(s)).toEqual(['kilo']);
  });

  it(`keeps the last ${HISTORY_LIMIT} edits`, async () => {
    const s = startTestStudio();
    studio = s;
    const { backend } = s;
    await backend.newProject({ name: 'Bound' });
    const [a = ''] = await generated(s, ['lima']);
    for (let i = 0; i < HISTORY_LIMIT + 5; i++) await backend.addToTimeline(a);
    let undone = 0;
    while ((await backend.undo()).done) undone++;
    expect(undone).toBe(HISTORY_LIMIT);
    expect(snap(s).timeline.clipIds).toHaveLength(5);
    expect(snap(s).history.canUndo).toBe(false);
  });

  it('undo after a save marks the project changed and saves; reopening starts a new history', async () => {
    const s = startTestStudio();
    studio = s;
    const { backend } = s;
    const project = await backend.newProject({ name: 'Reload' });
    const [a = '', b = ''] = await generated(s, ['mike', 'november']);
    await backend.addToTimeline(a);
    await backend.addToTimeline(b);
    await backend.saveProject();
    expect(snap(s).dirty).toBe(false);
    expect(readProject(project.dir).timeline.clipIds).toEqual([a, b]);

    await backend.undo();
    expect(snap(s).dirty).toBe(true);
    expect(snap(s).timeline.clipIds).toEqual([a]);
    // Autosave (2 s) writes the undone state; project.json.bak keeps the previous save.
    await until(() => readProject(project.dir).timeline.clipIds.length === 1, 6_000, 'autosave');
    expect(JSON.parse(readFileSync(join(project.dir, 'project.json.bak'), 'utf8')).timeline.clipIds).toEqual([a, b]);

    await backend.closeProject();
    const reopened = await backend.openProject(project.dir);
    expect(reopened.timeline.clipIds).toEqual([a]);
    expect(reopened.history).toEqual({ canUndo: false, canRedo: false, undoLabel: null, redoLabel: null });
    expect(await backend.undo()).toMatchObject({ done: null });
    expect(await backend.redo()).toMatchObject({ done: null });
    expect(snap(s).timeline.clipIds).toEqual([a]);
    // Editing the reopened project is undoable as usual.
    await backend.removeFromTimeline(0);
    await backend.undo();
    expect(snap(s).timeline.clipIds).toEqual([a]);
    expect(mediaFiles(project.dir).length).toBe(6);
  });

  it('Save as carries the history on; New project clears it', async () => {
    const s = startTestStudio();
    studio = s;
    const { backend } = s;
    await backend.newProject({ name: 'Original' });
    const [a = ''] = await generated(s, ['oscar']);
    await backend.addToTimeline(a);
    const copy = await backend.saveProjectAs({ dir: join(s.dataDir, 'copy') });
    expect(copy.history.undoLabel).toBe('Undo add to timeline');
    await backend.undo();
    expect(snap(s).timeline.clipIds).toEqual([]);
    expect(snap(s).dir).toBe(join(s.dataDir, 'copy'));
    const fresh = await backend.newProject({ name: 'Fresh' });
    expect(fresh.history.canRedo).toBe(false);
    expect(fresh.history.canUndo).toBe(false);
  });

  it('undo and redo cross the contract: validated arguments, an error with no project open', async () => {
    const s = startTestStudio();
    studio = s;
    const bad = await dispatch(s.backend, 'undo', [1]);
    expect(bad).toMatchObject({ ok: false, error: { name: 'ContractError' } });
    const closed = await dispatch(s.backend, 'redo', []);
    expect(closed).toMatchObject({ ok: false, error: { name: 'ProjectError' } });
    await s.backend.newProject({ name: 'Contract' });
    expect(await dispatch(s.backend, 'undo', [])).toEqual({
      ok: true,
      result: { done: null, history: { canUndo: false, canRedo: false, undoLabel: null, redoLabel: null } },
    });
  });
});
