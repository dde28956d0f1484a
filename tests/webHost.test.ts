import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startWebHost, type WebHost } from '../main/node/webHost.js';
import type { JobEvent, WsServerFrame } from '../preload/contract.js';
import { startTestStudio, type TestStudio, until } from './helpers.js';

let studio: TestStudio;
let web: WebHost;
let staticDir: string;

beforeAll(async () => {
  staticDir = mkdtempSync(join(tmpdir(), 'tessera-static-'));
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>Tessera</title>');
  writeFileSync(join(staticDir, 'app.js'), 'console.log(1)');
  studio = startTestStudio();
  web = await startWebHost({ studio, staticDir, port: 0 });
  await studio.host.whenReady();
});

afterAll(async () => {
  await web?.close();
  studio?.cleanup();
  rmSync(staticDir, { recursive: true, force: true });
});

/** Opens a WebSocket; resolves with it once open, or rejects with the refusal's HTTP status. */
function connect(query: string, origin: string | undefined): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${web.port}/ws${query}`, origin ? { origin } : {});
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

function client(ws: WebSocket) {
  const frames: WsServerFrame[] = [];
  ws.on('message', (data) => frames.push(JSON.parse(data.toString()) as WsServerFrame));
  let id = 0;
  return {
    frames,
    async call(method: string, args: unknown[]) {
      const requestId = ++id;
      ws.send(JSON.stringify({ id: requestId, method, args }));
      await until(() => frames.some((f) => f.kind === 'reply' && f.id === requestId), 10_000, `reply to ${method}`);
      return frames.find((f) => f.kind === 'reply' && f.id === requestId) as Extract<WsServerFrame, { kind: 'reply' }>;
    },
  };
}

describe('web host HTTP', () => {
  it('binds loopback and prints a URL with the token', () => {
    expect(web.url).toBe(`http://127.0.0.1:${web.port}/?token=${web.token}`);
    expect(web.token.length).toBeGreaterThanOrEqual(32);
  });

  it('refuses a request without the token (401) and with a bad token (403)', async () => {
    expect((await fetch(`${web.origin}/`)).status).toBe(401);
    expect((await fetch(`${web.origin}/app.js`)).status).toBe(401);
    expect((await fetch(`${web.origin}/?token=${'x'.repeat(web.token.length)}`)).status).toBe(403);
    expect((await fetch(`${web.origin}/?token=short`)).status).toBe(403);
    expect((await fetch(`${web.origin}/`, { headers: { cookie: 'tessera_token=nope' } })).status).toBe(403);
  });

  it('serves the studio with the token, with a CSP and a session cookie for its assets', async () => {
    const page = await fetch(web.url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Tessera');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const cookie = page.headers.get('set-cookie') ?? '';
    expect(cookie).toContain('HttpOnly');
    const asset = await fetch(`${web.origin}/app.js`, { headers: { cookie: cookie.split(';')[0] ?? '' } });
    expect(asset.status).toBe(200);
    expect((await fetch(`${web.origin}/../../etc/passwd?token=${web.token}`)).status).toBe(404);
  });

  it('refuses a foreign Host header (DNS rebinding)', async () => {
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port: web.port, path: `/?token=${web.token}`, headers: { host: 'evil.example:80' } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(400);
  });
});

describe('web host WebSocket', () => {
  it('refuses another Origin, a missing Origin, a missing token and a bad token', async () => {
    await expect(connect(`?token=${web.token}`, 'http://evil.example')).rejects.toThrow('HTTP 403');
    await expect(connect(`?token=${web.token}`, `http://127.0.0.1:${web.port + 1}`)).rejects.toThrow('HTTP 403');
    await expect(connect(`?token=${web.token}`, undefined)).rejects.toThrow('HTTP 403');
    await expect(connect('', web.origin)).rejects.toThrow('HTTP 401');
    await expect(connect('?token=wrong', web.origin)).rejects.toThrow('HTTP 403');
  });

  it('with the right token and Origin, serves the contract and streams job events', async () => {
    const ws = await connect(`?token=${web.token}`, web.origin);
    const c = client(ws);
    const status = await c.call('getWorkerStatus', []);
    expect(status.ok).toBe(true);
    if (status.ok) expect(status.result).toMatchObject({ state: 'ready', providers: expect.arrayContaining(['cpu']) });

    const submitted = await c.call('submitJob', [{ prompt: 'over the wire', steps: 2 }]);
    expect(submitted.ok).toBe(true);
    const jobId = submitted.ok ? (submitted.result as { id: string }).id : '';
    const jobEvents = () =>
      c.frames.flatMap((f) => (f.kind === 'event' && f.event === 'onJobEvent' ? [f.payload as JobEvent] : []));
    await until(
      () => jobEvents().some((e) => e.type === 'succeeded' && e.job.id === jobId),
      15_000,
      'job success event',
    );
    expect(jobEvents().map((e) => e.type)).toEqual(
      expect.arrayContaining(['queued', 'started', 'progress', 'succeeded']),
    );

    // Its media is served with the token, refused without, and nothing outside the media roots is.
    const done = jobEvents().find((e) => e.type === 'succeeded');
    const videoPath = done && 'job' in done ? (done.job.result?.videoPath ?? '') : '';
    const media = (path: string, token = web.token) =>
      fetch(`${web.origin}/media?path=${encodeURIComponent(path)}&token=${token}`);
    const video = await media(videoPath);
    expect(video.status).toBe(200);
    expect(video.headers.get('content-type')).toBe('video/mp4');
    expect((await media(videoPath, '')).status).toBe(401);
    const ranged = await fetch(`${web.origin}/media?path=${encodeURIComponent(videoPath)}&token=${web.token}`, {
      headers: { range: 'bytes=0-3' },
    });
    expect(ranged.status).toBe(206);
    expect(await ranged.text()).toBe('not ');
    expect((await media(join(staticDir, 'index.html'))).status).toBe(404);
    expect((await media(`${studio.dataDir}/clips/../../../etc/passwd.png`)).status).toBe(404);
    ws.close();
  });

  it('rejects invalid messages with a ContractError and keeps the connection', async () => {
    const ws = await connect(`?token=${web.token}`, web.origin);
    const c = client(ws);
    const unknown = await c.call('rm -rf', []);
    expect(unknown).toMatchObject({ ok: false, error: { name: 'ContractError' } });
    const badArgs = await c.call('submitJob', [{ prompt: 123 }]);
    expect(badArgs).toMatchObject({ ok: false, error: { name: 'ContractError' } });
    expect(!badArgs.ok && badArgs.error.message).toContain('prompt');
    const badId = await c.call('cancelJob', ['../../x']);
    expect(badId).toMatchObject({ ok: false, error: { name: 'ContractError' } });

    ws.send('this is not json');
    ws.send(JSON.stringify({ id: 'seven', method: 'listJobs' }));
    await until(() => c.frames.filter((f) => f.kind === 'reply' && f.id === null).length === 2, 5_000, 'frame errors');
    for (const frame of c.frames.filter((f) => f.kind === 'reply' && f.id === null)) {
      expect(frame).toMatchObject({ ok: false, error: { name: 'ContractError' } });
    }
    expect((await c.call('listJobs', [])).ok).toBe(true);
    ws.close();
  });
});
