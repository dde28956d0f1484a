/**
 * Electron preload (sandboxed): exposes the contract as `window.tessera`, nothing else. Only the
 * contract's method and event names pass; main validates every argument against the schemas.
 * Bundled to CommonJS by esbuild (sandboxed preloads may require only `electron`).
 */
import { contextBridge, type IpcRendererEvent, ipcRenderer, webUtils } from 'electron';
import { EVENT_CHANNEL, EVENT_NAMES, INVOKE_CHANNEL, isEventName, METHOD_NAMES } from './channels.js';
import type { Reply, TesseraApi } from './contract.js';

async function invoke(method: string, args: unknown[]): Promise<unknown> {
  const reply = (await ipcRenderer.invoke(INVOKE_CHANNEL, method, args)) as Reply;
  if (reply.ok) return reply.result;
  const error = new Error(reply.error.message);
  error.name = reply.error.name;
  throw error;
}

function subscribe(event: string, listener: (payload: unknown) => void): () => void {
  const handler = (_: IpcRendererEvent, name: unknown, payload: unknown) => {
    if (isEventName(name) && name === event) listener(payload);
  };
  ipcRenderer.on(EVENT_CHANNEL, handler);
  return () => {
    ipcRenderer.removeListener(EVENT_CHANNEL, handler);
  };
}

const api: Record<string, unknown> = {};
for (const method of METHOD_NAMES) api[method] = (...args: unknown[]) => invoke(method, args);
for (const event of EVENT_NAMES) api[event] = (listener: (payload: unknown) => void) => subscribe(event, listener);

// Built from the contract's own name lists; `satisfies` cannot see through the loop.
contextBridge.exposeInMainWorld('tessera', api as TesseraApi);
// Dropped or picked files: their path on disk, which the main side imports (`importMedia`).
contextBridge.exposeInMainWorld('tesseraFiles', { pathForFile: (file: File) => webUtils.getPathForFile(file) });
