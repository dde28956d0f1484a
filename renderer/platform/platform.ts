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
  }
}

export interface Platform {
  kind: 'electron' | 'web';
  api: TesseraApi;
  /** A URL the renderer may load for a media file path reported by the main side. */
  mediaUrl(path: string): string;
}

export function connectPlatform(): Platform {
  if (window.tessera) {
    return {
      kind: 'electron',
      api: window.tessera,
      mediaUrl: (path) => `tessera-media://media/?path=${encodeURIComponent(path)}`,
    };
  }
  const token = new URLSearchParams(window.location.search).get('token') ?? '';
  const scheme = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
  const api = connectWebSocketApi(`${scheme}//${window.location.host}/ws?token=${encodeURIComponent(token)}`);
  return {
    kind: 'web',
    api,
    mediaUrl: (path) => `/media?path=${encodeURIComponent(path)}&token=${encodeURIComponent(token)}`,
  };
}
