/**
 * The Electron app itself (Playwright `_electron.launch`). Runs where the Electron binary is
 * installed; reported as skipped, with the reason, where it is not.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { _electron } from 'playwright-core';
import { electronBinary, OUTPUT_DIR, PANES, ROOT } from './support.js';

const binary = electronBinary();
const skip = binary
  ? false
  : 'Electron binary not installed (node_modules/electron/dist missing; it downloads on first `npm start`, impossible offline)';

describe('studio in Electron', () => {
  it('opens the window with the six panes and the worker status', { skip, timeout: 180_000 }, async () => {
    const built = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'main/tools/build.ts')], {
      cwd: ROOT,
      stdio: 'inherit',
    });
    assert.equal(built.status, 0, 'npm run build failed');
    const dataDir = mkdtempSync(join(tmpdir(), 'tessera-electron-'));
    const app = await _electron.launch({
      executablePath: binary as string,
      args: [ROOT, ...(process.env.CI ? ['--no-sandbox'] : [])],
      env: { ...process.env, TESSERA_DATA_DIR: dataDir },
    });
    try {
      const window = await app.firstWindow();
      for (const name of PANES) await window.getByRole('region', { name, exact: true }).waitFor({ timeout: 30_000 });
      await window
        .getByTestId('onnxruntime')
        .filter({ hasText: /onnxruntime \d+\.\d+\.\d+/ })
        .waitFor({ timeout: 60_000 });
      assert.equal(
        await window.evaluate(() => typeof (window as unknown as { require?: unknown }).require),
        'undefined',
      );
      mkdirSync(OUTPUT_DIR, { recursive: true });
      await window.screenshot({ path: join(OUTPUT_DIR, 'studio-electron.png') });
    } finally {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
