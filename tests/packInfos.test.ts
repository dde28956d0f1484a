/** What the prompt panel is offered per pack (main/node/packs.ts), read from real model_index.json files. */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readPackInfos } from '../main/node/packs.js';

const PACKS = resolve(import.meta.dirname, '..', 'models', 'packs');

describe('readPackInfos', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'tessera-packinfos-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('lists the precisions a pack ships and its default precision', () => {
    const builtIn = readPackInfos(PACKS).find((p) => p.name === 'tessera-tiny');
    const index = JSON.parse(readFileSync(join(PACKS, 'tessera-tiny', 'model_index.json'), 'utf8'));
    expect(builtIn?.precisions).toEqual(['fp32', ...Object.keys(index.graphs.transformer.variants ?? {})]);
    expect(builtIn?.defaults.precision).toBe(index.default.precision);
  });

  it('offers fp32 alone for a pack without variants, and skips unknown variant names', () => {
    const index = JSON.parse(readFileSync(join(PACKS, 'tessera-tiny', 'model_index.json'), 'utf8'));
    const write = (name: string, edit: (i: typeof index) => void) => {
      const copy = structuredClone(index);
      edit(copy);
      mkdirSync(join(tmp, name));
      writeFileSync(join(tmp, name, 'model_index.json'), JSON.stringify({ ...copy, name }));
    };
    write('plain', (i) => {
      delete i.graphs.transformer.variants;
      delete i.default.precision;
    });
    write('odd', (i) => {
      i.graphs.transformer.variants = { int8: { path: 'q.onnx' }, fp4: { path: 'x.onnx' } };
    });
    const infos = readPackInfos(tmp);
    expect(infos.find((p) => p.name === 'plain')).toMatchObject({ precisions: ['fp32'] });
    expect(infos.find((p) => p.name === 'plain')?.defaults.precision).toBeUndefined();
    expect(infos.find((p) => p.name === 'odd')?.precisions).toEqual(['fp32', 'int8']);
  });
});
