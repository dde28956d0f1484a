/**
 * project.json: the schema of a project file, its versions and the migrations between them.
 * Paths inside are relative to the project folder (POSIX separators), so a folder can be moved
 * or shared. Validated with zod on every load; older versions are migrated on load and written
 * in the current version on the next save.
 */
import { z } from 'zod';
import { assetSchema, clipSchema, jobSchema, takeSchema, timelineSchema } from '../../../preload/contract.js';
import { recipeSchema } from '../../../preload/recipe.js';

export const PROJECT_FILE = 'project.json';
export const BACKUP_FILE = 'project.json.bak';
export const MEDIA_DIR = 'media';
export const CURRENT_VERSION = 2;

export const projectFileSchema = z.object({
  format: z.literal('tessera-project'),
  version: z.literal(CURRENT_VERSION),
  name: z.string().min(1),
  createdAt: z.string(),
  updatedAt: z.string(),
  assets: z.array(assetSchema),
  clips: z.array(clipSchema),
  takes: z.array(takeSchema),
  timeline: timelineSchema,
  /** Queued jobs survive closing the project; finished ones are kept as the queue's history. */
  jobs: z.array(jobSchema),
});
export type ProjectFile = z.infer<typeof projectFileSchema>;

/** Version 1 (the foundation's draft): one file per clip, no takes, no jobs. */
export const projectFileV1Schema = z.object({
  format: z.literal('tessera-project'),
  version: z.literal(1),
  name: z.string().min(1),
  createdAt: z.string(),
  clips: z.array(
    z.object({
      id: z.string(),
      prompt: z.string(),
      video: z.string(),
      poster: z.string().nullable(),
      recipe: recipeSchema.nullable(),
    }),
  ),
  timeline: z.array(z.string()),
});
export type ProjectFileV1 = z.infer<typeof projectFileV1Schema>;

export class ProjectError extends Error {
  override name = 'ProjectError';
}

/** project.json exists but cannot be read as a project; `hasBackup` says whether a backup can be offered. */
export class ProjectDamagedError extends Error {
  override name = 'ProjectDamaged';
  constructor(
    message: string,
    readonly hasBackup: boolean,
  ) {
    super(message);
  }
}

function migrateV1(v1: ProjectFileV1): ProjectFile {
  const assets: ProjectFile['assets'] = [];
  const clips: ProjectFile['clips'] = [];
  const takes: ProjectFile['takes'] = [];
  for (const old of v1.clips) {
    const assetId = `asset-${old.id}`;
    const takeId = `take-${old.id}`;
    const r = old.recipe;
    assets.push({
      id: assetId,
      kind: 'video',
      origin: r ? 'generated' : 'imported',
      path: old.video,
      posterPath: old.poster,
      recipePath: null,
      name: old.prompt,
      width: r?.width ?? 0,
      height: r?.height ?? 0,
      frames: r?.frames ?? 0,
      durationSec: r ? r.frames / r.fps : 0,
      fps: r?.fps ?? 0,
      recipe: r,
      createdAt: r?.createdAt ?? v1.createdAt,
    });
    takes.push({ id: takeId, clipId: old.id, jobId: null, assetId, seed: r?.seed ?? null, createdAt: v1.createdAt });
    clips.push({ id: old.id, name: old.prompt, takeIds: [takeId], activeTakeId: takeId, createdAt: v1.createdAt });
  }
  return {
    format: 'tessera-project',
    version: 2,
    name: v1.name,
    createdAt: v1.createdAt,
    updatedAt: v1.createdAt,
    assets,
    clips,
    takes,
    timeline: { clipIds: v1.timeline.filter((id) => clips.some((c) => c.id === id)) },
    jobs: [],
  };
}

/** Migrations by the version they upgrade from. Each returns the next version's (unvalidated) data. */
const MIGRATIONS: Record<number, (data: unknown) => unknown> = {
  1: (data) => migrateV1(projectFileV1Schema.parse(data)),
};

/** Validates (and migrates) parsed JSON into the current version. Throws with the offending field. */
export function upgradeProject(data: unknown): { file: ProjectFile; migratedFrom: number | null } {
  const version =
    typeof data === 'object' && data !== null && 'version' in data && typeof data.version === 'number'
      ? data.version
      : null;
  if (version === null) throw new Error('no "version" field');
  if (version > CURRENT_VERSION)
    throw new Error(`version ${version} is newer than this Tessera understands (${CURRENT_VERSION})`);
  let current = data;
  for (let v = version; v < CURRENT_VERSION; v++) {
    const migrate = MIGRATIONS[v];
    if (!migrate) throw new Error(`no migration from version ${v}`);
    current = migrate(current);
  }
  const parsed = projectFileSchema.safeParse(current);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`);
  }
  return { file: parsed.data, migratedFrom: version === CURRENT_VERSION ? null : version };
}

export function emptyProject(name: string, now = new Date().toISOString()): ProjectFile {
  return {
    format: 'tessera-project',
    version: CURRENT_VERSION,
    name,
    createdAt: now,
    updatedAt: now,
    assets: [],
    clips: [],
    takes: [],
    timeline: { clipIds: [] },
    jobs: [],
  };
}
