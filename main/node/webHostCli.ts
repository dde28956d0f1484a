/**
 * `npm run studio:web`: builds the renderer and the worker if needed, starts the worker and the web host, prints
 * the URL (with its token). Options: --port N (or TESSERA_PORT; default 5178, a free port if
 * taken), --host ADDR (default 127.0.0.1; anything else exposes the studio beyond this machine).
 */
import { parseArgs } from 'node:util';
import { forkWorkerSpawner } from './forkWorker.js';
import { defaultDataDir } from './paths.js';
import { ensureRendererBuilt } from './rendererBuild.js';
import { createStudio } from './studio.js';
import { startWebHost, type WebHost } from './webHost.js';
import { ensureWorkerBuilt } from './workerBuild.js';

const { values } = parseArgs({
  options: { port: { type: 'string' }, host: { type: 'string' }, help: { type: 'boolean' } },
});
if (values.help) {
  console.log('usage: npm run studio:web -- [--port N] [--host 127.0.0.1]');
  process.exit(0);
}
const requestedPort = Number(values.port ?? process.env.TESSERA_PORT ?? 5178);
if (!Number.isInteger(requestedPort) || requestedPort < 0 || requestedPort > 65535) {
  console.error(`invalid port: ${values.port ?? process.env.TESSERA_PORT}`);
  process.exit(2);
}

const staticDir = await ensureRendererBuilt();
const dataDir = defaultDataDir();
// The bundled worker (rebuilt when a source changed) starts faster than the TypeScript source.
const workerEntry = await ensureWorkerBuilt();
const studio = createStudio({ spawnWorker: forkWorkerSpawner({ entry: workerEntry }), dataDir });

let web: WebHost;
try {
  web = await startWebHost({ studio, staticDir, port: requestedPort, host: values.host });
} catch (error) {
  if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || values.port) throw error;
  web = await startWebHost({ studio, staticDir, port: 0, host: values.host });
}

const status = await studio.host.whenReady().catch(() => studio.host.status);
console.log(`Tessera studio (web host): data in ${dataDir}`);
console.log(
  `worker: onnxruntime ${status.onnxruntimeVersion ?? '?'} [${status.providers.join(', ')}], engine ${status.engineAvailable ? 'loaded' : 'not available'}`,
);
console.log(`Open ${web.url}`);

const shutdown = async () => {
  await web.close();
  await studio.dispose();
  process.exit(0);
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
