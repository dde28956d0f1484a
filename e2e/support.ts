/** Shared e2e helpers: which Chromium and Electron binaries to use. */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { chromium } from 'playwright-core';

export const ROOT = join(import.meta.dirname, '..');
export const OUTPUT_DIR = join(ROOT, 'test-output');
export const PANES = ['Prompt', 'Media', 'Player', 'Queue', 'Timeline', 'Inspector'] as const;

/** TESSERA_CHROMIUM, else Playwright's own Chromium if installed, else Debian's. */
export function chromiumPath(): string {
  if (process.env.TESSERA_CHROMIUM) return process.env.TESSERA_CHROMIUM;
  try {
    const own = chromium.executablePath();
    if (own && existsSync(own)) return own;
  } catch {
    // Playwright's browsers are not installed.
  }
  return '/usr/bin/chromium';
}

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];

/** The Electron binary if installed (npm's electron package downloads it on first use), else null. */
export function electronBinary(): string | null {
  const dir = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  const pathFile = join(dir, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const bin = join(dir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(bin) ? bin : null;
}
