/** What the prompt panel offers: sizes, frame counts, defaults and modes of the installed packs. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { type PackInfo, packInfoSchema } from '../../preload/contract.js';
import { type Precision, precisionSchema } from '../../preload/recipe.js';

const indexSchema = z.object({
  name: z.string(),
  version: z.string(),
  fps: z.number(),
  modes: packInfoSchema.shape.modes,
  sizes: packInfoSchema.shape.sizes,
  frame_counts: z.array(z.number().int()),
  default: packInfoSchema.shape.defaults,
  graphs: z.object({ transformer: z.object({ variants: z.record(z.string(), z.unknown()).optional() }) }),
});

/** Packs under `dir` whose model_index.json reads; the rest are skipped with a warning. */
export function readPackInfos(dir: string): PackInfo[] {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    return [];
  }
  const packs: PackInfo[] = [];
  for (const name of names) {
    try {
      const raw = indexSchema.parse(JSON.parse(readFileSync(join(dir, name, 'model_index.json'), 'utf8')));
      packs.push({
        name: raw.name,
        version: raw.version,
        fps: raw.fps,
        modes: raw.modes,
        sizes: raw.sizes,
        frameCounts: raw.frame_counts,
        defaults: raw.default,
        // fp32 is graphs.transformer.path, always there; the others are named variants.
        precisions: [
          'fp32',
          ...Object.keys(raw.graphs.transformer.variants ?? {}).filter(
            (name): name is Precision => precisionSchema.safeParse(name).success && name !== 'fp32',
          ),
        ],
      });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' && (error as NodeJS.ErrnoException).code !== 'ENOTDIR')
        console.warn(`[packs] skipped ${name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  // The built-in pack first.
  return packs.sort((a, b) => Number(b.name === 'tessera-tiny') - Number(a.name === 'tessera-tiny'));
}
