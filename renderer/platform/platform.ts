/**
 * The renderer's only door to the main side: `window.tessera` under Electron (exposed by the
 * preload), or a WebSocket client with the same interface under the web host.
 */
import type { TesseraApi } from '../../preload/contract.js';
import { connectWebSocketApi } from './wsClient.js';

declare global {
  interface Window {
    /** Exposed by preload/preload.ts under Electron. */
    tessera?: TesseraApi;
    /** Electron only: the path of a dropped or picked file (webUtils.getPathForFile). */
    tesseraFiles?: { pathForFile(file: File): string };
  }
}

export interface Platform {
  kind: 'electron' | 'web';
  api: TesseraApi;
  /** A URL the renderer may load for a media file path reported by the main side. */
  mediaUrl(path: string): string;
  /** A path the main side can import: Electron knows the file's path, the web host receives an upload. */
  fileToPath(file: File): Promise<string>;
}

export function connectPlatform(): Platform {
  if (window.tessera) {
    const files = window.tesseraFiles;
    return {
      kind: 'electron',
      api: window.tessera,
      mediaUrl: (path) => `tessera-media://media/?path=${encodeURIComponent(path)}`,
      fileToPath: async (file) => {
        const path = files?.pathForFile(file);
        if (!path) throw new Error(`cannot read ${file.name}: drop a file from disk`);
        return path;
      },
    };
  }
  const token = new URLSearchParams(window.location.search).get('token') ?? '';
  const scheme = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
  const api = connectWebSocketApi(`${scheme}//${window.location.host}/ws?token=${encodeURIComponent(token)}`);
  return {
    kind: 'web',
    api,
    mediaUrl: (path) => `/media?path=${encodeURIComponent(path)}&token=${encodeURIComponent(token)}`,
    fileToPath: async (file) => {
      const response = await fetch(`/upload?name=${encodeURIComponent(file.name)}&token=${encodeURIComponent(token)}`, {
        method: 'POST',
        body: file,
      });
      if (!response.ok) throw new Error(`upload of ${file.name} refused: ${await response.text()}`);
      const { path } = (await response.json()) as { path: string };
      return path;
    },
  };
}
