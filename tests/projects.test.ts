/**
 * Projects through the studio backend with a real forked worker (the step fixture engine): clips
 * land in media/, takes, timeline, autosave, and queued jobs surviving close and reopen.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ProjectFile } from '../main/node/project/schema.js';
import { startTestStudio, type TestStudio, until } from './helpers.js';

let studio: TestStudio | null = null;
afterEach(() => {
  studio?.cleanup();
  studio = null;
});

const readProject = (dir: string) => JSON.parse(readFileSync(join(dir, 'project.json'), 'utf8')) as ProjectFile;

describe('projects', () => {
  it('generates into the project media folder; re-render makes a new take; the file follows', async () => {
    const s = startTestStudio();
    studio = s;
    const { backend } = s;
    const project = await backend.newProject({ name: 'Beach day' });
    expect(project.dir).toBe(join(s.dataDir, 'projects', 'beach-day'));
    const [job] = await backend.generate({ mode: 't2v', prompt: 'a red ball', steps: 2, seed: 7 }, { variations: 1 });
    await until(() => s.queue.get(job?.id ?? '')?.state === 'succeeded', 20_000, 'first job');
    await until(() => (s.projects.snapshot()?.assets.length ?? 0) === 1, 5_000, 'asset');
    const snap = s.projects.snapshot();
    const asset = snap?.assets[0];
    expect(asset?.path.startsWith(join(project.dir, 'media'))).toBe(true);
    const clip = snap?.clips[0];
    expect(clip?.name).toBe('a red ball');
    expect(clip?.activeTakeId).toBe(snap?.takes[0]?.id);

    const again = await backend.rerender({ clipId: clip?.id ?? '', newSeed: true });
    expect(again.request.seed).not.toBe(7);
    // A new take keeps every setting of the first one's recipe but the seed.
    const first = asset?.recipe;
    expect(first).toBeDefined();
    expect(again.request).toMatchObject({
      prompt: first?.prompt,
      steps: first?.steps,
      sampler: first?.sampler,
      guidance: first?.guidance,
      guidanceInterval: first?.guidanceInterval ?? [0, 1],
      guidanceHigh: first?.guidanceHigh ?? null,
      precision: first?.precision ?? 'fp32',
      search: first?.search ?? 1,
    });
    await until(() => s.queue.get(again.id)?.state === 'succeeded', 20_000, 'second take');
    const after = s.projects.snapshot();
    const takes = after?.takes.filter((t) => t.clipId === clip?.id) ?? [];
    expect(takes).toHaveLength(2);
    expect(after?.clips[0]?.activeTakeId).toBe(takes[1]?.id);
    await backend.setActiveTake(clip?.id ?? '', takes[0]?.id ?? '');
    await backend.addToTimeline(clip?.id ?? '');
    await backend.saveProject();
    const onDisk = readProject(project.dir);
    expect(onDisk.clips[0]?.activeTakeId).toBe(takes[0]?.id);
    expect(onDisk.timeline.clipIds).toEqual([clip?.id]);
    expect(onDisk.assets.every((a) => a.path.startsWith('media/'))).toBe(true);
  });

  it('variations get consecutive seeds, one clip each', async () => {
    const s = startTestStudio();
    studio = s;
    await s.backend.newProject({ name: 'Vars' });
    const jobs = await s.backend.generate({ mode: 't2v', prompt: 'blue', steps: 1, seed: 100 }, { variations: 3 });
    expect(jobs.map((j) => j.request.seed)).toEqual([100, 101, 102]);
    expect(s.projects.snapshot()?.clips).toHaveLength(3);
  });

  it('autosaves a moment after a change', async () => {
    const s = startTestStudio();
    studio = s;
    const project = await s.backend.newProject({ name: 'Auto' });
    await s.backend.generate({ mode: 't2v', prompt: 'green', steps: 50 }, { variations: 1 });
    await until(() => readProject(project.dir).clips.length === 1, 6_000, 'autosave');
  });

  it('queued jobs survive closing and reopening the project', async () => {
    const s = startTestStudio({ TESSERA_TEST_STEP_MS: '200' });
    studio = s;
    const project = await s.backend.newProject({ name: 'Later' });
    const jobs = await s.backend.generate({ mode: 't2v', prompt: 'slow', steps: 20 }, { variations: 2 });
    await until(() => s.queue.get(jobs[0]?.id ?? '')?.state === 'running', 20_000, 'running');
    await s.backend.closeProject();
    expect(s.queue.list()).toEqual([]);
    const saved = readProject(project.dir).jobs;
    expect(saved.map((j) => j.state)).toEqual(['queued', 'queued']);
    const reopened = await s.backend.openProject(project.dir);
    expect(reopened.jobs.map((j) => j.id).sort()).toEqual(jobs.map((j) => j.id).sort());
    expect((await s.backend.listRecentProjects())[0]?.dir).toBe(project.dir);
  });

  it('a damaged project.json is reported with the backup offer; restoring opens the previous save', async () => {
    const s = startTestStudio();
    studio = s;
    const project = await s.backend.newProject({ name: 'Fragile' });
    await s.backend.saveProject();
    await s.backend.closeProject();
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(project.dir, 'project.json'), 'garbage');
    await expect(s.backend.openProject(project.dir)).rejects.toMatchObject({ name: 'ProjectDamaged' });
    expect(s.projects.snapshot()).toBeNull();
    const restored = await s.backend.restoreBackup(project.dir);
    expect(restored.name).toBe('Fragile');
    expect(existsSync(join(project.dir, 'project.json.bak'))).toBe(true);
  });
});
