#!/usr/bin/env node
// `npm start`: runs the built app in Electron. Electron's npm package downloads its binary on first
// use; where that download is impossible (offline, blocked), explain and point to the web host.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const electronDir = dirname(require.resolve('electron/package.json'));

function electronBinary() {
  if (process.env.ELECTRON_OVERRIDE_DIST_PATH) return join(process.env.ELECTRON_OVERRIDE_DIST_PATH, 'electron');
  const pathFile = join(electronDir, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const bin = join(electronDir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(bin) ? bin : null;
}

let bin = electronBinary();
if (!bin) {
  console.log('Electron binary not found; fetching it (node node_modules/electron/install.js)…');
  spawnSync(process.execPath, [join(electronDir, 'install.js')], { stdio: 'inherit', timeout: 180_000 });
  bin = electronBinary();
}
if (!bin) {
  console.error(
    '\nTessera could not start Electron: its binary is not installed and could not be downloaded ' +
      '(Electron fetches it from GitHub on first run; set ELECTRON_MIRROR or ELECTRON_OVERRIDE_DIST_PATH ' +
      'if you have a mirror or a local copy, or run `node node_modules/electron/install.js` once online). ' +
      'Everything else works without it: run `npm run studio:web` to open the same studio in your browser ' +
      '(it prints a local URL with an access token).\n',
  );
  process.exit(1);
}
const child = spawn(bin, [root, ...process.argv.slice(2)], { stdio: 'inherit' });
child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 1)));
