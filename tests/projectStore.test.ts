/** The project store with real files in temp dirs: atomic saves, backups, damage, migration, paths. */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CURRENT_VERSION, emptyProject, type ProjectFile } from '../main/node/project/schema.js';
import {
  loadProjectFile,
  readRecent,
  rememberRecent,
  restoreProjectBackup,
  saveProjectFile,
  toAbsolute,
  toRelative,
  writeFileAtomic,
} from '../main/node/project/store.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tessera-project-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function withAsset(file: ProjectFile, path: string): ProjectFile {
  return {
    ...file,
    assets: [
      {
        id: 'asset-1',
        kind: 'image',
        origin: 'imported',
        path,
        posterPath: path,
        recipePath: null,
        name: 'red.png',
        width: 128,
        height: 128,
        frames: 1,
        durationSec: 0,
        fps: 0,
        recipe: null,
        createdAt: file.createdAt,
      },
    ],
    clips: [{ id: 'clip-1', name: 'red.png', takeIds: ['take-1'], activeTakeId: 'take-1', createdAt: file.createdAt }],
    takes: [{ id: 'take-1', clipId: 'clip-1', jobId: null, assetId: 'asset-1', seed: null, createdAt: file.createdAt }],
    timeline: { clipIds: ['clip-1'] },
  };
}

describe('project store', () => {
  it('writes atomically: the content lands, no temporary file is left behind', async () => {
    const target = join(dir, 'x.json');
    await writeFileAtomic(target, '{"a":1}');
    await writeFileAtomic(target, '{"a":2}');
    expect(readFileSync(target, 'utf8')).toBe('{"a":2}');
    expect(readdirSync(dir)).toEqual(['x.json']);
  });

  it('saves project.json with relative paths and media/, loads them back absolute', async () => {
    const file = withAsset(emptyProject('Beach'), join(dir, 'media', 'red.png'));
    await saveProjectFile(dir, file);
    const onDisk = JSON.parse(readFileSync(join(dir, 'project.json'), 'utf8')) as ProjectFile;
    expect(onDisk.version).toBe(CURRENT_VERSION);
    expect(onDisk.assets[0]?.path).toBe('media/red.png');
    expect(existsSync(join(dir, 'media'))).toBe(true);
    const loaded = await loadProjectFile(dir);
    expect(loaded.file.assets[0]?.path).toBe(join(dir, 'media', 'red.png'));
    expect(loaded.file.timeline.clipIds).toEqual(['clip-1']);
    expect(loaded.migratedFrom).toBeNull();
  });

  it('a moved project folder still finds its media', async () => {
    await saveProjectFile(dir, withAsset(emptyProject('Move me'), join(dir, 'media', 'red.png')));
    const moved = mkdtempSync(join(tmpdir(), 'tessera-moved-'));
    try {
      writeFileSync(join(moved, 'project.json'), readFileSync(join(dir, 'project.json')));
      const { file } = await loadProjectFile(moved);
      expect(file.assets[0]?.path).toBe(join(moved, 'media', 'red.png'));
    } finally {
      rmSync(moved, { recursive: true, force: true });
    }
  });

  it('keeps the previous version as project.json.bak', async () => {
    await saveProjectFile(dir, emptyProject('First'));
    await saveProjectFile(dir, emptyProject('Second'));
    const backup = JSON.parse(readFileSync(join(dir, 'project.json.bak'), 'utf8')) as ProjectFile;
    expect(backup.name).toBe('First');
    expect((await loadProjectFile(dir)).file.name).toBe('Second');
  });

  it('reports a damaged project.json clearly, offers the backup, and changes nothing', async () => {
    await saveProjectFile(dir, emptyProject('Good'));
    await saveProjectFile(dir, emptyProject('Better'));
    writeFileSync(join(dir, 'project.json'), '{"format":"tessera-project","version":2,"name":');
    const error = await loadProjectFile(dir).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'ProjectDamaged', hasBackup: true });
    expect(String((error as Error).message)).toMatch(/damaged: not valid JSON.*Restore the backup/);
    // Nothing was overwritten by the failed open.
    expect(readFileSync(join(dir, 'project.json'), 'utf8')).toContain('"name":');
    await restoreProjectBackup(dir);
    expect((await loadProjectFile(dir)).file.name).toBe('Good');
    // The damaged file is kept for the record.
    expect(readdirSync(dir).some((n) => n.startsWith('project.json.damaged-'))).toBe(true);
  });

  it('names the invalid field of a schema violation, and says when there is no backup', async () => {
    writeFileSync(join(dir, 'project.json'), JSON.stringify({ ...emptyProject('x'), clips: [{ id: 7 }] }));
    const error = await loadProjectFile(dir).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'ProjectDamaged', hasBackup: false });
    expect((error as Error).message).toMatch(/clips\.0\.id.*no backup/);
    await expect(restoreProjectBackup(dir)).rejects.toThrow(/no backup/);
  });

  it('refuses a project from a newer Tessera', async () => {
    writeFileSync(join(dir, 'project.json'), JSON.stringify({ ...emptyProject('x'), version: 99 }));
    await expect(loadProjectFile(dir)).rejects.toThrow(/version 99 is newer/);
  });

  it('migrates a version 1 project: every clip gets one take, the timeline is kept', async () => {
    const v1 = {
      format: 'tessera-project',
      version: 1,
      name: 'Old',
      createdAt: '2024-01-01T00:00:00.000Z',
      clips: [{ id: 'c1', prompt: 'a red ball', video: 'media/c1.mp4', poster: 'media/c1.png', recipe: null }],
      timeline: ['c1', 'gone'],
    };
    writeFileSync(join(dir, 'project.json'), JSON.stringify(v1));
    const { file, migratedFrom } = await loadProjectFile(dir);
    expect(migratedFrom).toBe(1);
    expect(file.version).toBe(2);
    expect(file.clips).toHaveLength(1);
    expect(file.clips[0]?.activeTakeId).toBe(file.takes[0]?.id);
    expect(file.assets[0]?.path).toBe(join(dir, 'media', 'c1.mp4'));
    expect(file.timeline.clipIds).toEqual(['c1']);
    // Saved in the current version.
    await saveProjectFile(dir, file);
    expect((JSON.parse(readFileSync(join(dir, 'project.json'), 'utf8')) as ProjectFile).version).toBe(2);
  });

  it('keeps paths outside the project absolute and converts inside ones', () => {
    expect(toRelative('/p/proj', '/p/proj/media/a.mp4')).toBe('media/a.mp4');
    expect(toRelative('/p/proj', '/elsewhere/a.mp4')).toBe('/elsewhere/a.mp4');
    expect(toAbsolute('/p/proj', 'media/a.mp4')).toBe(join('/p/proj', 'media', 'a.mp4'));
  });

  it('remembers recent projects, newest first, without duplicates', async () => {
    const path = join(dir, 'recent.json');
    expect(await readRecent(path)).toEqual([]);
    await rememberRecent(path, { dir: '/a', name: 'A', openedAt: '1' });
    await rememberRecent(path, { dir: '/b', name: 'B', openedAt: '2' });
    await rememberRecent(path, { dir: '/a', name: 'A', openedAt: '3' });
    expect((await readRecent(path)).map((r) => r.dir)).toEqual(['/a', '/b']);
  });
});
