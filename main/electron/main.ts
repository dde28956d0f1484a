/**
 * Electron main entry (bundled to build/electron/main.cjs). The only corner of main/ that imports
 * `electron`: window, protocols, IPC, utility process. Everything else is the plain-Node studio.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { app, BrowserWindow, session, shell } from 'electron';
import type { Expansion } from '../../preload/contract.js';
import type { Recipe } from '../../preload/recipe.js';
import { createStudio, type EngineTools, type Studio } from '../node/studio.js';
import { serveContract } from './ipc.js';
import { APP_URL, handleProtocols, registerSchemes } from './protocols.js';
import { utilityWorkerSpawner } from './utilityWorker.js';

// Bundled layout: build/electron/main.cjs, build/preload/preload.cjs, build/worker/worker.mjs, build/renderer/.
const buildDir = join(__dirname, '..');

/** The built engine (ESM) for the prompt expander and recipe reading; this bundle is CommonJS. */
function builtEngineTools(): EngineTools {
  interface EngineModule {
    expandPrompt(text: string): Expansion;
    readRecipeFromFile(path: string): Promise<Recipe>;
  }
  let engine: Promise<EngineModule> | null = null;
  const load = () => {
    engine ??= import(pathToFileURL(join(buildDir, 'engine', 'index.js')).href) as Promise<EngineModule>;
    return engine;
  };
  return {
    expandPrompt: async (text) => (await load()).expandPrompt(text),
    readRecipeFromFile: async (path) => (await load()).readRecipeFromFile(path),
  };
}

registerSchemes();
app.enableSandbox();

let window: BrowserWindow | null = null;
let studio: Studio | null = null;

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1440,
    height: 900,
    minWidth: 960,
    minHeight: 600,
    backgroundColor: '#111317',
    title: 'Tessera',
    show: false,
    webPreferences: {
      preload: join(buildDir, 'preload', 'preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  });
  win.once('ready-to-show', () => win.show());
  win.webContents.on('will-navigate', (event) => event.preventDefault());
  win.webContents.on('will-redirect', (event) => event.preventDefault());
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('https://')) void shell.openExternal(url);
    return { action: 'deny' };
  });
  void win.loadURL(APP_URL);
  return win;
}

app.on('web-contents-created', (_, contents) => {
  contents.on('will-attach-webview', (event) => event.preventDefault());
});

app.whenReady().then(() => {
  session.defaultSession.setPermissionRequestHandler((_, __, callback) => callback(false));
  studio = createStudio({
    spawnWorker: utilityWorkerSpawner(join(buildDir, 'worker', 'worker.mjs')),
    dataDir: process.env.TESSERA_DATA_DIR ?? app.getPath('userData'),
    packsDir: join(app.getAppPath(), 'models', 'packs'),
    engineTools: builtEngineTools(),
  });
  handleProtocols(join(buildDir, 'renderer'), studio.mediaRoots);
  serveContract(studio, () => window?.webContents ?? null);
  window = createWindow();
  window.on('closed', () => {
    window = null;
  });
  app.on('activate', () => {
    if (!window) window = createWindow();
  });
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

let quitting = false;
app.on('before-quit', (event) => {
  if (quitting || !studio) return;
  // Save the open project (an autosave may be pending) and stop the worker, then quit for real.
  event.preventDefault();
  quitting = true;
  void studio.dispose().finally(() => app.quit());
});
