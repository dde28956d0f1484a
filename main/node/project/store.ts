/**
 * Project files on disk: atomic saves (temporary file, fsync, rename) that keep the previous
 * version as project.json.bak, loading with validation and migration, backup restore, path
 * conversion (relative on disk, absolute in memory) and the recent-projects list.
 */
import { constants } from 'node:fs';
import { copyFile, mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { type RecentProject, recentProjectSchema } from '../../../preload/contract.js';
import {
  BACKUP_FILE,
  MEDIA_DIR,
  PROJECT_FILE,
  ProjectDamagedError,
  type ProjectFile,
  upgradeProject,
} from './schema.js';

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Writes `data` to `path` so that a crash at any moment leaves either the old or the new file. */
export async function writeFileAtomic(path: string, data: string): Promise<void> {
  const temp = `${path}.tmp-${process.pid}-${Date.now().toString(36)}`;
  const handle = await open(temp, 'w', 0o644);
  try {
    await handle.writeFile(data, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  await syncDir(dirname(path));
}

async function syncDir(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  try {
    const handle = await open(dir, constants.O_RDONLY);
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Some file systems refuse to fsync a directory; the rename is still atomic.
  }
}

// ---- paths: absolute in memory, relative (POSIX separators) on disk ----------------------------

export function toRelative(dir: string, path: string): string {
  if (!isAbsolute(path)) return path;
  const rel = relative(dir, path);
  if (rel.startsWith('..') || isAbsolute(rel)) return path; // outside the project: keep as is
  return rel.split(sep).join('/');
}

export function toAbsolute(dir: string, path: string): string {
  return isAbsolute(path) ? path : resolve(dir, ...path.split('/'));
}

type Mapper = (path: string) => string;

function mapRecipe<T extends { source?: string; sourceEnd?: string }>(recipe: T, map: Mapper): T {
  return {
    ...recipe,
    ...(recipe.source !== undefined ? { source: map(recipe.source) } : {}),
    ...(recipe.sourceEnd !== undefined ? { sourceEnd: map(recipe.sourceEnd) } : {}),
  };
}

/** Applies `map` to every file path in the project. */
export function mapPaths(file: ProjectFile, map: Mapper): ProjectFile {
  return {
    ...file,
    assets: file.assets.map((a) => ({
      ...a,
      path: map(a.path),
      posterPath: a.posterPath === null ? null : map(a.posterPath),
      recipePath: a.recipePath === null ? null : map(a.recipePath),
      recipe: a.recipe && mapRecipe(a.recipe, map),
    })),
    jobs: file.jobs.map((j) => ({
      ...j,
      request: mapRecipe(j.request, map),
      result: j.result && {
        ...j.result,
        videoPath: map(j.result.videoPath),
        posterPath: map(j.result.posterPath),
        recipePath: map(j.result.recipePath),
        recipe: mapRecipe(j.result.recipe, map),
      },
    })),
  };
}

// ---- load / save ------------------------------------------------------------------------------

export function projectFilePath(dir: string): string {
  return join(dir, PROJECT_FILE);
}

export function mediaDir(dir: string): string {
  return join(dir, MEDIA_DIR);
}

/** Saves atomically; the file it replaces becomes project.json.bak. Paths are stored relative. */
export async function saveProjectFile(dir: string, file: ProjectFile): Promise<void> {
  await mkdir(mediaDir(dir), { recursive: true });
  const target = projectFilePath(dir);
  const json = `${JSON.stringify(
    mapPaths(file, (p) => toRelative(dir, p)),
    null,
    2,
  )}\n`;
  if (await exists(target)) {
    // Keep the previous version: copy it to a temporary name, then rename over the old backup.
    const backupTemp = `${join(dir, BACKUP_FILE)}.tmp-${process.pid}`;
    await copyFile(target, backupTemp);
    await rename(backupTemp, join(dir, BACKUP_FILE));
  }
  await writeFileAtomic(target, json);
}

/** Parses project.json text; throws a plain Error naming what is wrong. */
export function parseProjectText(text: string): { file: ProjectFile; migratedFrom: number | null } {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new Error(`not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  return upgradeProject(data);
}

/** Loads a project folder (paths made absolute). A damaged file throws ProjectDamagedError. */
export async function loadProjectFile(dir: string): Promise<{ file: ProjectFile; migratedFrom: number | null }> {
  const target = projectFilePath(dir);
  let text: string;
  try {
    text = await readFile(target, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const hasBackup = await exists(join(dir, BACKUP_FILE));
    if (code === 'ENOENT' && hasBackup)
      throw new ProjectDamagedError(`${target} is missing, but a backup exists. Restore the backup?`, true);
    if (code === 'ENOENT') throw new Error(`${dir} is not a Tessera project (no ${PROJECT_FILE})`);
    throw error;
  }
  try {
    const { file, migratedFrom } = parseProjectText(text);
    return { file: mapPaths(file, (p) => toAbsolute(dir, p)), migratedFrom };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const hasBackup = await exists(join(dir, BACKUP_FILE));
    throw new ProjectDamagedError(
      `${target} is damaged: ${reason}. ${
        hasBackup ? 'Restore the backup (the previous save)?' : 'There is no backup to restore.'
      }`,
      hasBackup,
    );
  }
}

/**
 * Replaces a damaged project.json with its backup, after checking the backup is readable. The
 * damaged file is kept next to it as project.json.damaged-<time>, never deleted.
 */
export async function restoreProjectBackup(dir: string): Promise<void> {
  const backup = join(dir, BACKUP_FILE);
  let text: string;
  try {
    text = await readFile(backup, 'utf8');
  } catch {
    throw new Error(`${dir} has no backup (${BACKUP_FILE}) to restore`);
  }
  try {
    parseProjectText(text);
  } catch (error) {
    throw new Error(`the backup is damaged too: ${error instanceof Error ? error.message : String(error)}`);
  }
  const target = projectFilePath(dir);
  if (await exists(target)) {
    await copyFile(target, `${target}.damaged-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  }
  await writeFileAtomic(target, text);
}

// ---- recent projects --------------------------------------------------------------------------

const MAX_RECENT = 10;

export async function readRecent(path: string): Promise<RecentProject[]> {
  try {
    const parsed = recentProjectSchema.array().safeParse(JSON.parse(await readFile(path, 'utf8')));
    return parsed.success ? parsed.data : [];
  } catch {
    return [];
  }
}

export async function rememberRecent(path: string, entry: RecentProject): Promise<RecentProject[]> {
  const list = [entry, ...(await readRecent(path)).filter((r) => r.dir !== entry.dir)].slice(0, MAX_RECENT);
  await mkdir(dirname(path), { recursive: true });
  await writeFileAtomic(path, `${JSON.stringify(list, null, 2)}\n`);
  return list;
}
