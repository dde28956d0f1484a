/**
 * The open project, as the main side sees it: the source of truth for project.json and media/.
 * Every change marks the project dirty, publishes a snapshot and schedules an autosave; generated
 * clips land in the project's media/ folder; the job queue is saved with the project and restored
 * when it reopens. User edits (timeline, removing a clip, choosing a take) go through `edit` and
 * can be undone (history.ts); generation, imports and job bookkeeping are never recorded.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { copyFile, cp, mkdir, readdir, stat } from 'node:fs/promises';
import { basename, extname, join, relative, resolve, sep } from 'node:path';
import type {
  Asset,
  Clip,
  HistoryStep,
  Job,
  JobEvent,
  ProjectSnapshot,
  RecentProject,
  Timeline,
} from '../../../preload/contract.js';
import { type Recipe, type RecipeRequestParsed, requestFromRecipe } from '../../../preload/recipe.js';
import { Emitter } from '../../common/emitter.js';
import { extractFramePng, probeMedia } from '../ffmpeg.js';
import type { JobQueue } from '../jobQueue.js';
import { mediaType } from '../media.js';
import { makeConsistent } from './consistency.js';
import { applyDiff, captureDoc, type DocDiff, diffDocs, EditHistory } from './history.js';
import { emptyProject, ProjectError, type ProjectFile } from './schema.js';
import {
  loadProjectFile,
  mapPaths,
  mediaDir,
  readRecent,
  rememberRecent,
  restoreProjectBackup,
  saveProjectFile,
} from './store.js';

export interface ProjectsOptions {
  queue: JobQueue;
  /** The studio's media roots; the open project's folder is added while it is open. */
  mediaRoots: string[];
  /** Default parent of new projects. */
  projectsDir: string;
  /** recent.json lives here. */
  dataDir: string;
  /** Autosave delay after a change (default 2000 ms). */
  autosaveMs?: number;
  /** Reads the recipe a Tessera MP4 carries (the engine's readRecipeFromFile). */
  readRecipe?: (path: string) => Promise<Recipe>;
}

const shortId = (prefix: string) => `${prefix}-${randomUUID().slice(0, 12)}`;
const nowIso = () => new Date().toISOString();

function slug(name: string): string {
  return (
    name
      .normalize('NFKD')
      .replace(/[^\w\s-]/g, '')
      .trim()
      .replace(/\s+/g, '-')
      .toLowerCase()
      .slice(0, 60) || 'project'
  );
}

async function isEmptyOrMissing(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).length === 0;
  } catch {
    return true;
  }
}

async function freeDir(parent: string, name: string): Promise<string> {
  const base = slug(name);
  for (let i = 1; ; i++) {
    const dir = join(parent, i === 1 ? base : `${base}-${i}`);
    if (await isEmptyOrMissing(dir)) return dir;
  }
}

async function freeFile(dir: string, name: string): Promise<string> {
  const ext = extname(name);
  const stem = slug(basename(name, ext)) || 'file';
  for (let i = 1; ; i++) {
    const path = join(dir, `${i === 1 ? stem : `${stem}-${i}`}${ext.toLowerCase()}`);
    try {
      await stat(path);
    } catch {
      return path;
    }
  }
}

const MODE_LABEL: Record<string, string> = {
  t2v: 'Text',
  image: 'Still',
  i2v: 'Image',
  extend_forward: 'Extend forward',
  extend_backward: 'Extend backward',
  bridge: 'Bridge',
  remix: 'Remix',
  loop: 'Loop',
};

export class Projects {
  readonly onChange = new Emitter<ProjectSnapshot | null>();

  private dir: string | null = null;
  private file: ProjectFile | null = null;
  private dirty = false;
  /** Counts changes, so a change made while a save is in flight keeps the project dirty. */
  private changes = 0;
  private savedAt: string | null = null;
  private saveTimer: NodeJS.Timeout | null = null;
  private saving: Promise<void> = Promise.resolve();
  /** Undo history of the open project's user edits; a new one on every open. */
  private history = new EditHistory();
  private readonly off: () => void;

  constructor(private readonly options: ProjectsOptions) {
    this.off = options.queue.onEvent.on((event) => this.onJobEvent(event));
  }

  get recentPath(): string {
    return join(this.options.dataDir, 'recent.json');
  }

  snapshot(): ProjectSnapshot | null {
    if (!this.dir || !this.file) return null;
    const f = this.file;
    return structuredClone({
      dir: this.dir,
      name: f.name,
      assets: f.assets,
      clips: f.clips,
      takes: f.takes,
      timeline: f.timeline,
      jobs: this.options.queue.list(),
      dirty: this.dirty,
      savedAt: this.savedAt,
      history: this.history.state(),
    });
  }

  // ---- lifecycle ------------------------------------------------------------------------------

  async newProject(name: string, parentDir?: string): Promise<ProjectSnapshot> {
    const dir = await freeDir(resolve(parentDir ?? this.options.projectsDir), name);
    await this.close();
    await saveProjectFile(dir, emptyProject(name.trim()));
    return this.open(dir);
  }

  async open(dirArg: string): Promise<ProjectSnapshot> {
    return this.load(resolve(dirArg), new EditHistory());
  }

  /** Opens `dir` with `history` (a fresh one, or the same document's after Save as). */
  private async load(dir: string, history: EditHistory): Promise<ProjectSnapshot> {
    const { file } = await loadProjectFile(dir); // throws ProjectDamaged before anything changes
    await this.close();
    this.dir = dir;
    this.file = { ...file, jobs: [] };
    this.history = history;
    this.savedAt = file.updatedAt;
    this.dirty = false;
    await mkdir(mediaDir(dir), { recursive: true });
    this.options.mediaRoots.push(dir);
    this.options.queue.restore(file.jobs, mediaDir(dir));
    await rememberRecent(this.recentPath, { dir, name: file.name, openedAt: nowIso() });
    return this.publish(false);
  }

  async restoreBackup(dir: string): Promise<ProjectSnapshot> {
    await restoreProjectBackup(resolve(dir));
    return this.open(dir);
  }

  /** Saves (if needed) and closes; queued and interrupted jobs are saved to run on reopen. */
  async close(): Promise<void> {
    if (!this.dir || !this.file) return;
    const jobs = this.options.queue.drain();
    await this.saveNow(jobs);
    const dir = this.dir;
    const index = this.options.mediaRoots.indexOf(dir);
    if (index >= 0) this.options.mediaRoots.splice(index, 1);
    this.dir = null;
    this.file = null;
    this.history = new EditHistory();
    this.onChange.emit(null);
  }

  async save(): Promise<ProjectSnapshot> {
    this.requireOpen();
    await this.saveNow();
    return this.publish(false);
  }

  /** Copies the project (with its media) to `dirArg` and continues there. */
  async saveAs(dirArg: string, name?: string): Promise<ProjectSnapshot> {
    const { dir: oldDir, file } = this.requireOpen();
    const dir = resolve(dirArg);
    if (dir === oldDir) return this.save();
    if (!(await isEmptyOrMissing(dir))) throw new ProjectError(`${dir} is not empty: choose a new or empty folder`);
    const jobs = this.options.queue.drain();
    await this.saveNow(jobs);
    await mkdir(dir, { recursive: true });
    await cp(mediaDir(oldDir), mediaDir(dir), { recursive: true });
    const move = (p: string) => {
      const rel = relative(oldDir, p);
      return rel.startsWith('..') || rel === p ? p : join(dir, rel);
    };
    const moved = mapPaths({ ...file, jobs, name: name?.trim() || file.name }, move);
    await saveProjectFile(dir, { ...moved, updatedAt: nowIso() });
    const index = this.options.mediaRoots.indexOf(oldDir);
    if (index >= 0) this.options.mediaRoots.splice(index, 1);
    this.dir = null;
    this.file = null;
    // The same document in a new folder (ids unchanged; diffs hold no paths): undo carries on.
    return this.load(dir, this.history);
  }

  async listRecent(): Promise<RecentProject[]> {
    return readRecent(this.recentPath);
  }

  /** The open project, or a new "Untitled" one in the projects folder. */
  async ensureOpen(): Promise<{ dir: string; file: ProjectFile }> {
    if (!this.dir || !this.file) await this.newProject('Untitled');
    return this.requireOpen();
  }

  dispose(): Promise<void> {
    this.off();
    if (this.saveTimer) clearTimeout(this.saveTimer);
    return this.dir && this.dirty ? this.saveNow() : this.saving;
  }

  // ---- generation -----------------------------------------------------------------------------

  /** Queues `variations` jobs (consecutive seeds), each a new clip with one pending take. */
  async generate(request: RecipeRequestParsed, variations = 1): Promise<Job[]> {
    const { dir, file } = await this.ensureOpen();
    const base = request.seed ?? randomInt(0, 0xffffffff - 4);
    const jobs: Job[] = [];
    for (let i = 0; i < variations; i++) {
      const seed = (base + i) % 0x100000000;
      const clipId = shortId('clip');
      const takeId = shortId('take');
      const job = this.options.queue.submit({ ...request, seed }, { outDir: mediaDir(dir) });
      const name = request.prompt.trim() || MODE_LABEL[request.mode] || request.mode;
      file.clips.push({ id: clipId, name, takeIds: [takeId], activeTakeId: null, createdAt: nowIso() });
      file.takes.push({ id: takeId, clipId, jobId: job.id, assetId: null, seed, createdAt: nowIso() });
      jobs.push(job);
    }
    this.changed();
    return jobs;
  }

  /** A new take of `clipId`: its active take's recipe, with the same seed or a new one. */
  async rerender(clipId: string, newSeed: boolean): Promise<Job> {
    const { dir, file } = this.requireOpen();
    const clip = this.clip(clipId);
    const recipe = this.activeAsset(clip)?.recipe;
    if (!recipe) throw new ProjectError(`"${clip.name}" has no recipe to render again (imported without one)`);
    let seed = recipe.seed;
    while (newSeed && seed === recipe.seed) seed = randomInt(0, 0xffffffff);
    const job = this.options.queue.submit(requestFromRecipe(recipe, seed), { outDir: mediaDir(dir) });
    const takeId = shortId('take');
    file.takes.push({ id: takeId, clipId, jobId: job.id, assetId: null, seed, createdAt: nowIso() });
    clip.takeIds.push(takeId);
    this.changed();
    return job;
  }

  /** Runs a failed or cancelled job's request again, for the same take. */
  retry(jobId: string): Job {
    const { dir, file } = this.requireOpen();
    const old = this.options.queue.get(jobId);
    if (!old) throw new ProjectError(`no job ${jobId}`);
    if (old.state === 'queued' || old.state === 'running') throw new ProjectError('this job has not finished');
    const job = this.options.queue.submit(old.request, { outDir: mediaDir(dir) });
    const take = file.takes.find((t) => t.jobId === jobId);
    if (take && take.assetId === null) take.jobId = job.id;
    this.options.queue.remove(jobId);
    this.changed();
    return job;
  }

  removeJob(jobId: string): boolean {
    const removed = this.options.queue.remove(jobId);
    if (removed) this.dropPendingTakes();
    return removed;
  }

  clearFinishedJobs(): number {
    const count = this.options.queue.clearFinished();
    if (count > 0) this.dropPendingTakes();
    return count;
  }

  // ---- media ----------------------------------------------------------------------------------

  /** Copies a file into media/ and lists it as a clip; a Tessera MP4 brings its recipe along. */
  async importMedia(source: string): Promise<Clip> {
    const { dir, file } = await this.ensureOpen();
    if (!mediaType(source) || extname(source).toLowerCase() === '.json') {
      throw new ProjectError(`${basename(source)}: import PNG or JPEG images, or MP4 or WebM videos`);
    }
    const probe = await probeMedia(source);
    const media = mediaDir(dir);
    await mkdir(media, { recursive: true });
    const inside = resolve(source).startsWith(media + sep);
    const path = inside ? resolve(source) : await freeFile(media, basename(source));
    if (!inside) await copyFile(source, path);
    let recipe: Recipe | null = null;
    if (probe.kind === 'video' && this.options.readRecipe)
      recipe = await this.options.readRecipe(path).catch(() => null);
    let posterPath: string | null = path;
    if (probe.kind === 'video') {
      posterPath = `${path.slice(0, -extname(path).length)}.poster.png`;
      await extractFramePng(path, 0, posterPath).catch(() => {
        posterPath = null;
      });
    }
    const name = recipe?.prompt || basename(source);
    const asset = this.addAsset(file, {
      kind: probe.kind,
      origin: 'imported',
      path,
      posterPath,
      recipePath: null,
      name,
      width: probe.width,
      height: probe.height,
      frames: probe.frames,
      durationSec: probe.durationSec,
      fps: probe.fps,
      recipe,
    });
    return this.addClipFor(file, asset, recipe?.seed ?? null);
  }

  /** The frame of `clipId` at `timeSec` as a PNG in media/, listed as a clip of its own. */
  async extractFrame(clipId: string, timeSec: number): Promise<Clip> {
    const { dir, file } = this.requireOpen();
    const clip = this.clip(clipId);
    const asset = this.activeAsset(clip);
    if (!asset) throw new ProjectError(`"${clip.name}" has no finished take yet`);
    if (asset.kind === 'image') return clip;
    const out = await freeFile(mediaDir(dir), `${clip.name.slice(0, 40)}-frame-${timeSec.toFixed(2)}.png`);
    await extractFramePng(asset.path, timeSec, out);
    const probe = await probeMedia(out);
    const created = this.addAsset(file, {
      kind: 'image',
      origin: 'frame',
      path: out,
      posterPath: out,
      recipePath: null,
      name: `Frame ${timeSec.toFixed(2)} s of ${clip.name}`,
      width: probe.width,
      height: probe.height,
      frames: 1,
      durationSec: 0,
      fps: 0,
      recipe: null,
    });
    return this.addClipFor(file, created, null);
  }

  setActiveTake(clipId: string, takeId: string): boolean {
    const clip = this.clip(clipId);
    const take = this.requireOpen().file.takes.find((t) => t.id === takeId && t.clipId === clipId);
    if (!take?.assetId) throw new ProjectError('that take is not ready');
    this.edit('choose take', () => {
      clip.activeTakeId = takeId;
    });
    return true;
  }

  /** Takes the clip out of the project (its takes and timeline entries too); its files stay in media/. */
  removeClip(clipId: string): boolean {
    return this.edit('remove clip', (file) => {
      const before = file.clips.length;
      file.clips = file.clips.filter((c) => c.id !== clipId);
      file.takes = file.takes.filter((t) => t.clipId !== clipId);
      file.timeline.clipIds = file.timeline.clipIds.filter((id) => id !== clipId);
      return file.clips.length < before;
    });
  }

  // ---- timeline -------------------------------------------------------------------------------

  addToTimeline(clipId: string, index?: number): Timeline {
    this.clip(clipId);
    return this.edit('add to timeline', (file) => {
      const ids = file.timeline.clipIds;
      ids.splice(Math.min(index ?? ids.length, ids.length), 0, clipId);
      return structuredClone(file.timeline);
    });
  }

  moveInTimeline(from: number, to: number): Timeline {
    const { file } = this.requireOpen();
    if (from >= file.timeline.clipIds.length) throw new ProjectError(`no clip at position ${from + 1}`);
    return this.edit('move in timeline', () => {
      const ids = file.timeline.clipIds;
      const [id] = ids.splice(from, 1);
      if (id !== undefined) ids.splice(Math.min(to, ids.length), 0, id);
      return structuredClone(file.timeline);
    });
  }

  removeFromTimeline(index: number): Timeline {
    const { file } = this.requireOpen();
    if (index >= file.timeline.clipIds.length) throw new ProjectError(`no clip at position ${index + 1}`);
    return this.edit('remove from timeline', () => {
      file.timeline.clipIds.splice(index, 1);
      return structuredClone(file.timeline);
    });
  }

  // ---- undo -----------------------------------------------------------------------------------

  /** Undoes the latest user edit; with nothing to undo it changes nothing (keys repeat, replies race). */
  undo(): HistoryStep {
    this.requireOpen();
    const label = this.history.undo((diff) => this.applyFromHistory(diff));
    return this.historyStepped(label === null ? null : `Undo ${label}`);
  }

  redo(): HistoryStep {
    this.requireOpen();
    const label = this.history.redo((diff) => this.applyFromHistory(diff));
    return this.historyStepped(label === null ? null : `Redo ${label}`);
  }

  // ---- internals ------------------------------------------------------------------------------

  /**
   * Runs a user edit (validated by the caller) and records what it changed for undo. Edits must
   * leave the document consistent; undo and redo then only need to re-check what moved since.
   */
  private edit<T>(label: string, change: (file: ProjectFile) => T): T {
    const { file } = this.requireOpen();
    const before = captureDoc(file);
    const result = change(file);
    this.history.record(label, diffDocs(before, captureDoc(file)));
    this.changed();
    return result;
  }

  /** Applies an undo or redo diff, repairs what moved on since, and returns what really changed. */
  private applyFromHistory(diff: DocDiff): DocDiff {
    const { file } = this.requireOpen();
    const before = captureDoc(file);
    applyDiff(file, diff);
    makeConsistent(file, {
      job: (jobId) => this.options.queue.get(jobId),
      assetFor: (job) => this.assetForJob(file, job).id,
    });
    return diffDocs(before, captureDoc(file));
  }

  /** Publishes once the history has settled, so the snapshot's Undo and Redo labels are current. */
  private historyStepped(done: string | null): HistoryStep {
    // With nothing done the document is unchanged, but moot entries may have left the stacks.
    if (done === null) this.publish(false);
    else this.changed();
    return { done, history: this.history.state() };
  }

  private requireOpen(): { dir: string; file: ProjectFile } {
    if (!this.dir || !this.file) throw new ProjectError('no project is open: create or open one first');
    return { dir: this.dir, file: this.file };
  }

  private clip(clipId: string): Clip {
    const clip = this.requireOpen().file.clips.find((c) => c.id === clipId);
    if (!clip) throw new ProjectError(`no clip ${clipId} in this project`);
    return clip;
  }

  private activeAsset(clip: Clip): Asset | undefined {
    const { file } = this.requireOpen();
    const take = file.takes.find((t) => t.id === clip.activeTakeId);
    return take?.assetId ? file.assets.find((a) => a.id === take.assetId) : undefined;
  }

  private addAsset(file: ProjectFile, asset: Omit<Asset, 'id' | 'createdAt'>): Asset {
    const created: Asset = { ...asset, id: shortId('asset'), createdAt: nowIso() };
    file.assets.push(created);
    return created;
  }

  private addClipFor(file: ProjectFile, asset: Asset, seed: number | null): Clip {
    const clipId = shortId('clip');
    const takeId = shortId('take');
    file.takes.push({ id: takeId, clipId, jobId: null, assetId: asset.id, seed, createdAt: nowIso() });
    const clip: Clip = { id: clipId, name: asset.name, takeIds: [takeId], activeTakeId: takeId, createdAt: nowIso() };
    file.clips.push(clip);
    this.changed();
    return structuredClone(clip);
  }

  /** Takes whose job is gone and that never finished; clips left without takes go too. */
  private dropPendingTakes(): void {
    const { file } = this.requireOpen();
    const live = new Set(this.options.queue.list().map((j) => j.id));
    const dropped = new Set(
      file.takes.filter((t) => t.assetId === null && t.jobId !== null && !live.has(t.jobId)).map((t) => t.id),
    );
    if (dropped.size === 0) {
      this.changed();
      return;
    }
    file.takes = file.takes.filter((t) => !dropped.has(t.id));
    for (const clip of file.clips) clip.takeIds = clip.takeIds.filter((id) => !dropped.has(id));
    const empty = new Set(file.clips.filter((c) => c.takeIds.length === 0).map((c) => c.id));
    file.clips = file.clips.filter((c) => !empty.has(c.id));
    file.timeline.clipIds = file.timeline.clipIds.filter((id) => !empty.has(id));
    this.changed();
  }

  /** The asset listing a succeeded job's output: the one already listed, or a new one. */
  private assetForJob(file: ProjectFile, job: Job): Asset {
    const r = job.result;
    if (!r) throw new ProjectError(`job ${job.id} has no result`);
    const path = r.frames === 1 ? r.posterPath : r.videoPath;
    const listed = file.assets.find((a) => a.path === path);
    if (listed) return listed;
    return this.addAsset(file, {
      kind: r.frames === 1 ? 'image' : 'video',
      origin: 'generated',
      path,
      posterPath: r.posterPath,
      recipePath: r.recipePath,
      name: r.recipe.prompt || MODE_LABEL[r.recipe.mode] || r.recipe.mode,
      width: r.width,
      height: r.height,
      frames: r.frames,
      durationSec: r.durationSec,
      fps: r.recipe.fps,
      recipe: r.recipe,
    });
  }

  private onJobEvent(event: JobEvent): void {
    if (!this.file || event.type === 'progress' || event.type === 'preview') return;
    if (event.type === 'succeeded' && event.job.result) {
      // No take: a job from a closed project, or its clip was removed while it ran (an undo of
      // that removal lists the output then, see consistency.ts).
      const take = this.file.takes.find((t) => t.jobId === event.job.id);
      if (!take) return;
      take.assetId = this.assetForJob(this.file, event.job).id;
      take.seed = event.job.result.recipe.seed;
      const clip = this.file.clips.find((c) => c.id === take.clipId);
      if (clip) clip.activeTakeId = take.id;
    }
    this.changed();
  }

  private changed(): void {
    if (!this.file) return;
    this.dirty = true;
    this.changes++;
    this.publish(true);
  }

  private publish(schedule: boolean): ProjectSnapshot {
    if (schedule) {
      if (this.saveTimer) clearTimeout(this.saveTimer);
      this.saveTimer = setTimeout(() => {
        this.saveTimer = null;
        this.saveNow().catch((error: unknown) => console.error('[projects] autosave failed:', error));
      }, this.options.autosaveMs ?? 2000);
    }
    const snap = this.snapshot();
    if (!snap) throw new ProjectError('no project is open');
    this.onChange.emit(snap);
    return snap;
  }

  /** Writes project.json now (serialised with any save in flight). */
  private saveNow(jobs?: Job[]): Promise<void> {
    if (this.saveTimer) {
      clearTimeout(this.saveTimer);
      this.saveTimer = null;
    }
    const dir = this.dir;
    const file = this.file;
    if (!dir || !file) return this.saving;
    const updatedAt = nowIso();
    const version = this.changes;
    const data: ProjectFile = structuredClone({ ...file, updatedAt, jobs: jobs ?? this.options.queue.list() });
    const run = async () => {
      await saveProjectFile(dir, data);
      if (this.dir === dir) {
        this.dirty = this.changes !== version;
        this.savedAt = updatedAt;
        file.updatedAt = updatedAt;
        const snap = this.snapshot();
        if (snap) this.onChange.emit(snap);
      }
    };
    this.saving = this.saving.then(run, run);
    return this.saving;
  }
}
