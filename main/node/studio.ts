/**
 * The studio's backend: implements the contract's methods on top of the worker host, the job
 * queue and the open project, and publishes its events. Plain Node; Electron's ipcMain and the web
 * host's WebSocket are thin transports over this one object.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { EventName, EventPayload, Expansion, TesseraBackend } from '../../preload/contract.js';
import type { Recipe } from '../../preload/recipe.js';
import { Emitter } from '../common/emitter.js';
import type { SpawnWorker } from '../common/workerProtocol.js';
import { JobQueue } from './jobQueue.js';
import { readPackInfos } from './packs.js';
import { clipsDir } from './paths.js';
import { Projects } from './project/projects.js';
import { WorkerHost, type WorkerHostOptions } from './workerHost.js';

export type StudioEvent = { [E in EventName]: { event: E; payload: EventPayload<E> } }[EventName];

/** Engine functions the main side calls itself (no model involved). */
export interface EngineTools {
  expandPrompt(text: string): Promise<Expansion>;
  readRecipeFromFile(path: string): Promise<Recipe>;
}

/**
 * Loads a module at run time without bundlers following it (the Electron bundle is CommonJS and
 * brings its own EngineTools and packsDir; these source modules need `import.meta`).
 */
const runtimeImport = <T>(specifier: string): Promise<T> => import(specifier) as Promise<T>;
type PromptModule = typeof import('../engine/prompt.js');
type MediaModule = typeof import('../engine/media.js');

/** From source (web host, tests): the engine's prompt and media modules, loaded on first use. */
export const sourceEngineTools: EngineTools = {
  expandPrompt: async (text) => (await runtimeImport<PromptModule>('../engine/prompt.js')).expandPrompt(text),
  readRecipeFromFile: async (path) => (await runtimeImport<MediaModule>('../engine/media.js')).readRecipeFromFile(path),
};

export interface StudioOptions extends WorkerHostOptions {
  spawnWorker: SpawnWorker;
  dataDir: string;
  cancelGraceMs?: number;
  /** Installed model packs (default: models/packs of the app). */
  packsDir?: string;
  /** Default parent folder of new projects (default: <dataDir>/projects). */
  projectsDir?: string;
  autosaveMs?: number;
  engineTools?: EngineTools;
}

export interface Studio {
  backend: TesseraBackend;
  onEvent: Emitter<StudioEvent>;
  host: WorkerHost;
  queue: JobQueue;
  projects: Projects;
  /** Folders whose files may be served as media (the data folder and the open project). */
  mediaRoots: string[];
  /** Where the web host puts uploaded files before they are imported. */
  uploadsDir: string;
  /** Stops the worker; resolves once the open project (if changed) is saved. */
  dispose(): Promise<void>;
}

async function defaultPacksDir(): Promise<string> {
  const { appRoot } = await runtimeImport<typeof import('./appRoot.js')>('./appRoot.js');
  return join(appRoot(), 'models', 'packs');
}

export function createStudio(options: StudioOptions): Studio {
  const outDir = clipsDir(options.dataDir);
  mkdirSync(outDir, { recursive: true });
  const uploadsDir = join(options.dataDir, 'uploads');
  const projectsDir = options.projectsDir ?? join(options.dataDir, 'projects');
  const tools = options.engineTools ?? sourceEngineTools;
  const mediaRoots = [options.dataDir];
  const host = new WorkerHost(options.spawnWorker, options);
  const queue = new JobQueue(host, { outDir, cancelGraceMs: options.cancelGraceMs });
  const projects = new Projects({
    queue,
    mediaRoots,
    projectsDir,
    dataDir: options.dataDir,
    autosaveMs: options.autosaveMs,
    readRecipe: (path) => tools.readRecipeFromFile(path),
  });
  const onEvent = new Emitter<StudioEvent>();
  const offs = [
    host.onStatus.on((payload) => onEvent.emit({ event: 'onWorkerStatus', payload })),
    queue.onEvent.on((payload) => onEvent.emit({ event: 'onJobEvent', payload })),
    projects.onChange.on((payload) => onEvent.emit({ event: 'onProject', payload })),
  ];
  let packsDir: Promise<string> | null = null;

  const backend: TesseraBackend = {
    getWorkerStatus: async () => host.status,
    submitJob: async (request) => {
      const [job] = await projects.generate(request, 1);
      if (!job) throw new Error('no job was queued');
      return job;
    },
    cancelJob: async (id) => queue.cancel(id),
    listJobs: async () => queue.list(),
    retryJob: async (id) => projects.retry(id),
    removeJob: async (id) => projects.removeJob(id),
    clearFinishedJobs: async () => projects.clearFinishedJobs(),
    generate: async (request, { variations }) => projects.generate(request, variations),
    getStudioInfo: async () => {
      packsDir ??= options.packsDir ? Promise.resolve(options.packsDir) : defaultPacksDir();
      return { packs: readPackInfos(await packsDir), projectsDir };
    },
    expandPrompt: async (text) => tools.expandPrompt(text),
    getProject: async () => projects.snapshot(),
    newProject: async ({ name, parentDir }) => projects.newProject(name, parentDir),
    openProject: async (dir) => projects.open(dir),
    saveProject: async () => projects.save(),
    saveProjectAs: async ({ dir, name }) => projects.saveAs(dir, name),
    closeProject: async () => {
      await projects.close();
      return true;
    },
    listRecentProjects: async () => projects.listRecent(),
    restoreBackup: async (dir) => projects.restoreBackup(dir),
    importMedia: async (path) => projects.importMedia(path),
    extractFrame: async ({ clipId, timeSec }) => projects.extractFrame(clipId, timeSec),
    rerender: async ({ clipId, newSeed }) => projects.rerender(clipId, newSeed),
    setActiveTake: async (clipId, takeId) => projects.setActiveTake(clipId, takeId),
    removeClip: async (clipId) => projects.removeClip(clipId),
    addToTimeline: async (clipId, index) => projects.addToTimeline(clipId, index),
    moveInTimeline: async (from, to) => projects.moveInTimeline(from, to),
    removeFromTimeline: async (index) => projects.removeFromTimeline(index),
    undo: async () => projects.undo(),
    redo: async () => projects.redo(),
  };

  host.start();
  return {
    backend,
    onEvent,
    host,
    queue,
    projects,
    mediaRoots,
    uploadsDir,
    async dispose() {
      // The save takes its snapshot of the queue now, before the queue is disposed.
      const saved = projects.dispose();
      for (const off of offs) off();
      queue.dispose();
      host.stop();
      onEvent.clear();
      await saved.catch((error: unknown) => console.error('[studio] could not save the project:', error));
    },
  };
}
