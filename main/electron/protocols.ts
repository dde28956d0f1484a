/**
 * Custom protocols: `tessera-app://app/…` serves the built renderer (with its CSP header), and
 * `tessera-media://media/?path=…` serves media files under the studio's media roots. The renderer
 * never loads file:// URLs.
 */
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { net, protocol } from 'electron';
import { mediaType, resolveMedia } from '../node/media.js';

export const APP_SCHEME = 'tessera-app';
export const MEDIA_SCHEME = 'tessera-media';
export const APP_URL = `${APP_SCHEME}://app/index.html`;

export const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  `img-src 'self' data: ${MEDIA_SCHEME}:`,
  `media-src 'self' ${MEDIA_SCHEME}:`,
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

/** Must run before `app` is ready. */
export function registerSchemes(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
    { scheme: MEDIA_SCHEME, privileges: { standard: true, secure: true, stream: true, supportFetchAPI: true } },
  ]);
}

export function handleProtocols(rendererDir: string, mediaRoots: readonly string[]): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const { pathname } = new URL(request.url);
    const file = normalize(join(rendererDir, decodeURIComponent(pathname)));
    if (!file.startsWith(normalize(rendererDir) + sep)) return new Response('not found', { status: 404 });
    try {
      const body = await readFile(file);
      const headers: Record<string, string> = { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' };
      if (extname(file) === '.html') headers['content-security-policy'] = CSP;
      return new Response(body, { headers });
    } catch {
      return new Response('not found', { status: 404 });
    }
  });
  protocol.handle(MEDIA_SCHEME, async (request) => {
    const path = await resolveMedia(new URL(request.url).searchParams.get('path') ?? '', mediaRoots);
    if (!path) return new Response('no such media', { status: 404 });
    // net.fetch on file:// streams and answers Range requests (video seeking).
    const response = await net.fetch(pathToFileURL(path).href, { headers: request.headers });
    const headers = new Headers(response.headers);
    headers.set('content-type', mediaType(path) ?? 'application/octet-stream');
    return new Response(response.body, { status: response.status, headers });
  });
}
