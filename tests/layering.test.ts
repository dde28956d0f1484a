/**
 * Import rules by runtime layer (as VS Code's code-layering lint): only main/electron/ and the
 * preload import `electron`; only main/worker/ and main/engine/ import onnxruntime-node; main/common/
 * imports no Node built-ins; the renderer imports nothing from Node and only types from preload/.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');

function sources(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.(ts|tsx|mts)$/.test(e.name))
    .map((e) => relative(root, join(e.parentPath, e.name)));
}

interface Import {
  file: string;
  spec: string;
  typeOnly: boolean;
}

function imports(file: string): Import[] {
  const text = readFileSync(join(root, file), 'utf8');
  const found: Import[] = [];
  for (const m of text.matchAll(/^\s*(import|export)\s+(type\s+)?[^'";]*?from\s+['"]([^'"]+)['"]/gms)) {
    found.push({ file, spec: m[3] ?? '', typeOnly: Boolean(m[2]) });
  }
  for (const m of text.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g))
    found.push({ file, spec: m[1] ?? '', typeOnly: false });
  return found;
}

const all = ['main', 'preload', 'renderer'].flatMap(sources).flatMap(imports);

describe('layering', () => {
  it('only main/electron/ and preload/preload.ts import electron', () => {
    const offenders = all.filter(
      (i) => i.spec === 'electron' && !i.file.startsWith('main/electron/') && i.file !== 'preload/preload.ts',
    );
    expect(offenders).toEqual([]);
  });

  it('only main/worker/ and main/engine/ import onnxruntime-node', () => {
    const offenders = all.filter(
      (i) => i.spec === 'onnxruntime-node' && !i.file.startsWith('main/worker/') && !i.file.startsWith('main/engine/'),
    );
    expect(offenders).toEqual([]);
  });

  it('main/common/ imports no Node built-ins and no node/electron layers', () => {
    const offenders = all.filter(
      (i) =>
        i.file.startsWith('main/common/') && (i.spec.startsWith('node:') || /\/(node|electron|worker)\//.test(i.spec)),
    );
    expect(offenders).toEqual([]);
  });

  it('main/node/ does not import the electron layer', () => {
    expect(all.filter((i) => i.file.startsWith('main/node/') && i.spec.includes('/electron/'))).toEqual([]);
  });

  it('the renderer imports nothing from Node or main/, and only types from preload/', () => {
    const renderer = all.filter((i) => i.file.startsWith('renderer/'));
    expect(renderer.length).toBeGreaterThan(10);
    expect(renderer.filter((i) => i.spec.startsWith('node:') || i.spec.includes('/main/'))).toEqual([]);
    expect(renderer.filter((i) => i.spec.includes('/preload/') && !i.typeOnly)).toEqual([]);
  });
});
