/**
 * The web host: serves the built renderer over HTTP on loopback and bridges the contract over a
 * WebSocket, so the studio runs in any browser (and e2e tests drive the real app).
 *
 * Security: a random per-launch token is required on every request (`?token=`, or the HttpOnly
 * cookie set when the page loads with it): missing -> 401, wrong -> 403. The Host header must be
 * the loopback address (DNS rebinding), WebSocket upgrades must come from the host's own Origin,
 * and every WebSocket frame is validated with the contract's schemas.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, rm, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, extname, join, normalize, sep } from 'node:path';
import type { Duplex } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { WebSocket, WebSocketServer } from 'ws';
import { type WsServerFrame, wsRequestSchema } from '../../preload/contract.js';
import { dispatch } from '../common/dispatch.js';
import { mediaType, resolveMedia } from './media.js';
import type { Studio } from './studio.js';

export interface WebHostOptions {
  studio: Studio;
  /** The built renderer (index.html + assets). */
  staticDir: string;
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  /** Fixed token (tests); random by default. */
  token?: string;
}

export interface WebHost {
  url: string;
  origin: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const COOKIE = 'tessera_token';
const MAX_FRAME_BYTES = 1 << 20;
/** Largest file the browser may upload for import. */
const MAX_UPLOAD_BYTES = 512 << 20;
const STATIC_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

function sameToken(given: string | null | undefined, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function cookieToken(req: IncomingMessage): string | null {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === COOKIE) return rest.join('=');
  }
  return null;
}

export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  const { studio, staticDir } = options;
  const bindHost = options.host ?? '127.0.0.1';
  const token = options.token ?? randomBytes(24).toString('base64url');
  let origin = '';
  let allowedHosts: string[] = [];

  /** 'ok', or the status to refuse with. */
  const authorize = (req: IncomingMessage, url: URL): 'ok' | 400 | 401 | 403 => {
    if (!allowedHosts.includes(req.headers.host ?? '')) return 400;
    const given = url.searchParams.get('token') ?? cookieToken(req);
    if (!given) return 401;
    return sameToken(given, token) ? 'ok' : 403;
  };

  const csp = () =>
    [
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self'",
      "img-src 'self' data: blob:",
      "media-src 'self' blob:",
      `connect-src 'self' ${origin.replace('http:', 'ws:')}`,
      "object-src 'none'",
      "base-uri 'none'",
      "form-action 'none'",
      "frame-ancestors 'none'",
    ].join('; ');

  const refuse = (res: ServerResponse, status: number, text: string) => {
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
    res.end(text);
  };

  const serveStatic = async (res: ServerResponse, pathname: string, setCookie: boolean) => {
    const rel = pathname === '/' ? 'index.html' : decodeURIComponent(pathname).replace(/^\/+/, '');
    const file = normalize(join(staticDir, rel));
    if (!file.startsWith(normalize(staticDir) + sep)) return refuse(res, 404, 'not found');
    let body: Buffer;
    try {
      body = await readFile(file);
    } catch {
      return refuse(res, 404, 'not found');
    }
    const headers: Record<string, string> = {
      'content-type': STATIC_TYPES[extname(file)] ?? 'application/octet-stream',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
    };
    if (extname(file) === '.html') {
      headers['content-security-policy'] = csp();
      if (setCookie) headers['set-cookie'] = `${COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`;
    }
    res.writeHead(200, headers);
    res.end(body);
  };

  const serveMedia = async (req: IncomingMessage, res: ServerResponse, url: URL) => {
    const path = await resolveMedia(url.searchParams.get('path') ?? '', studio.mediaRoots);
    if (!path) return refuse(res, 404, 'no such media');
    const size = (await stat(path)).size;
    const headers: Record<string, string | number> = {
      'content-type': mediaType(path) ?? 'application/octet-stream',
      'accept-ranges': 'bytes',
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-store',
    };
    const range = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? '');
    if (range && size > 0) {
      const start = range[1] ? Number(range[1]) : Math.max(0, size - Number(range[2]));
      const end = range[1] && range[2] ? Math.min(Number(range[2]), size - 1) : size - 1;
      if (start > end || start >= size) {
        res.writeHead(416, { 'content-range': `bytes */${size}` });
        return res.end();
      }
      res.writeHead(206, {
        ...headers,
        'content-range': `bytes ${start}-${end}/${size}`,
        'content-length': end - start + 1,
      });
      createReadStream(path, { start, end }).pipe(res);
      return;
    }
    res.writeHead(200, { ...headers, 'content-length': size });
    createReadStream(path).pipe(res);
  };

  /**
   * POST /upload?name=file.png: the browser's way to hand a file to the studio (Electron passes a
   * path instead). Same token and Origin rules as the WebSocket; the body is written to the
   * uploads folder and the reply names the file, which the page then imports with `importMedia`.
   */
  const serveUpload = async (req: IncomingMessage, res: ServerResponse, url: URL) => {
    if (req.headers.origin !== origin && req.headers.origin !== origin.replace('127.0.0.1', 'localhost'))
      return refuse(res, 403, 'bad origin');
    const name = basename(url.searchParams.get('name') ?? '').replace(/[^\w.\- ]/g, '_');
    if (!name || !mediaType(name) || extname(name).toLowerCase() === '.json')
      return refuse(res, 415, 'upload PNG, JPEG, MP4 or WebM files');
    const length = Number(req.headers['content-length'] ?? Number.NaN);
    if (!Number.isFinite(length)) return refuse(res, 411, 'content-length required');
    if (length > MAX_UPLOAD_BYTES) return refuse(res, 413, 'file too large');
    const dir = join(studio.uploadsDir, randomBytes(8).toString('hex'));
    await mkdir(dir, { recursive: true });
    const path = join(dir, name);
    let received = 0;
    req.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > MAX_UPLOAD_BYTES) req.destroy(new Error('file too large'));
    });
    try {
      await pipeline(req, createWriteStream(path));
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify({ path }));
  };

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const verdict = authorize(req, url);
    if (verdict !== 'ok') {
      const text = { 400: 'bad host', 401: 'token required', 403: 'bad token' }[verdict];
      return refuse(res, verdict, text);
    }
    if (req.method === 'POST' && url.pathname === '/upload') {
      serveUpload(req, res, url).catch((error: unknown) => {
        if (!res.headersSent) refuse(res, 500, 'upload failed');
        console.error('[web-host]', error);
      });
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(res, 405, 'method not allowed');
    const handle =
      url.pathname === '/media'
        ? serveMedia(req, res, url)
        : serveStatic(res, url.pathname, url.searchParams.has('token'));
    handle.catch((error: unknown) => {
      if (!res.headersSent) refuse(res, 500, 'internal error');
      console.error('[web-host]', error);
    });
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });

  const rejectUpgrade = (socket: Duplex, status: number, text: string) => {
    socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  };

  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/ws') return rejectUpgrade(socket, 404, 'Not Found');
    const verdict = authorize(req, url);
    if (verdict !== 'ok')
      return rejectUpgrade(
        socket,
        verdict,
        verdict === 401 ? 'Unauthorized' : verdict === 403 ? 'Forbidden' : 'Bad Request',
      );
    if (req.headers.origin !== origin && req.headers.origin !== origin.replace('127.0.0.1', 'localhost')) {
      return rejectUpgrade(socket, 403, 'Forbidden');
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  wss.on('connection', (ws: WebSocket) => {
    const send = (frame: WsServerFrame) => {
      if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(frame));
    };
    const off = studio.onEvent.on(({ event, payload }) => send({ kind: 'event', event, payload }));
    ws.on('close', off);
    ws.on('message', async (data, isBinary) => {
      let raw: unknown;
      try {
        if (isBinary) throw new Error('binary frames are not accepted');
        raw = JSON.parse(data.toString());
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        return send({
          kind: 'reply',
          id: null,
          ok: false,
          error: { name: 'ContractError', message: `bad frame: ${message}` },
        });
      }
      const request = wsRequestSchema.safeParse(raw);
      if (!request.success) {
        const id = typeof raw === 'object' && raw !== null && 'id' in raw && typeof raw.id === 'number' ? raw.id : null;
        return send({
          kind: 'reply',
          id,
          ok: false,
          error: { name: 'ContractError', message: `bad frame: ${request.error.issues[0]?.message ?? 'invalid'}` },
        });
      }
      const reply = await dispatch(studio.backend, request.data.method, request.data.args);
      send({ kind: 'reply', id: request.data.id, ...reply });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, bindHost, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const hostPart = bindHost.includes(':') ? `[${bindHost}]` : bindHost;
  origin = `http://${hostPart}:${port}`;
  allowedHosts = [`${hostPart}:${port}`, `localhost:${port}`];

  return {
    url: `${origin}/?token=${token}`,
    origin,
    port,
    token,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
