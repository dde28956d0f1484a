/**
 * Prompt expander: turns free phrasing ("red ball going right, black bg") into the
 * pack world's caption language ("a red circle moving right on a black background"),
 * following the `caption_grammar` of models/world/spec.json. Words it cannot place are
 * returned in `unknownWords`; defaults it had to assume are listed in `notes`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { APP_ROOT } from './paths.js';

export interface WorldSpec {
  palette: Record<string, unknown>;
  object_colors: string[];
  background_colors: string[];
  shapes: Record<string, unknown>;
  sizes: Record<string, unknown>;
  motions: Record<string, unknown>;
}

export interface Expansion {
  /** The canonical caption (empty for an empty prompt: the unconditional caption). */
  caption: string;
  /** Words of the prompt that could not be placed in the caption grammar. */
  unknownWords: string[];
  /** Defaults assumed and conflicts noticed, for the user to see. */
  notes: string[];
}

interface ObjectSlots {
  size?: string;
  color?: string;
  shape?: string;
  motion?: string;
}

export const DEFAULT_WORLD_SPEC_PATH = join(APP_ROOT, 'models', 'world', 'spec.json');

let cachedSpec: WorldSpec | undefined;

/** Loads models/world/spec.json (the project's copy of the world's rules). */
export function loadWorldSpec(path = DEFAULT_WORLD_SPEC_PATH): WorldSpec {
  if (path === DEFAULT_WORLD_SPEC_PATH && cachedSpec) return cachedSpec;
  const raw: unknown = JSON.parse(readFileSync(path, 'utf8'));
  const spec = raw as WorldSpec;
  for (const key of ['palette', 'shapes', 'sizes', 'motions'] as const) {
    if (typeof spec[key] !== 'object' || spec[key] === null) throw new Error(`World spec ${path}: missing "${key}"`);
  }
  if (!Array.isArray(spec.object_colors) || !Array.isArray(spec.background_colors)) {
    throw new Error(`World spec ${path}: missing object_colors / background_colors`);
  }
  if (path === DEFAULT_WORLD_SPEC_PATH) cachedSpec = spec;
  return spec;
}

const COLOR_SYNONYMS: Record<string, string> = {
  grey: 'gray',
  violet: 'purple',
  lilac: 'purple',
  magenta: 'pink',
  rose: 'pink',
  teal: 'cyan',
  aqua: 'cyan',
  turquoise: 'cyan',
  gold: 'yellow',
  golden: 'yellow',
  navy: 'blue',
  crimson: 'red',
  scarlet: 'red',
  lime: 'green',
  silver: 'gray',
  dark: 'black',
};
const SHAPE_SYNONYMS: Record<string, string> = {
  ball: 'circle',
  balls: 'circle',
  disc: 'circle',
  disk: 'circle',
  dot: 'circle',
  orb: 'circle',
  sphere: 'circle',
  circles: 'circle',
  round: 'circle',
  box: 'square',
  block: 'square',
  cube: 'square',
  squares: 'square',
  tile: 'square',
  pyramid: 'triangle',
  triangles: 'triangle',
  tri: 'triangle',
};
const SIZE_SYNONYMS: Record<string, string> = {
  tiny: 'small',
  little: 'small',
  mini: 'small',
  smallish: 'small',
  big: 'large',
  huge: 'large',
  giant: 'large',
  massive: 'large',
  mid: 'medium',
  normal: 'medium',
  average: 'medium',
};
const DIRECTION_SYNONYMS: Record<string, string> = {
  left: 'moving left',
  leftward: 'moving left',
  leftwards: 'moving left',
  right: 'moving right',
  rightward: 'moving right',
  rightwards: 'moving right',
  up: 'moving up',
  upward: 'moving up',
  upwards: 'moving up',
  rising: 'moving up',
  rises: 'moving up',
  ascending: 'moving up',
  climbing: 'moving up',
  down: 'moving down',
  downward: 'moving down',
  downwards: 'moving down',
  falling: 'moving down',
  falls: 'moving down',
  dropping: 'moving down',
  sinking: 'moving down',
  descending: 'moving down',
  still: 'standing still',
  static: 'standing still',
  stationary: 'standing still',
  motionless: 'standing still',
  idle: 'standing still',
  stays: 'standing still',
  staying: 'standing still',
  standing: 'standing still',
  fixed: 'standing still',
  growing: 'growing',
  grows: 'growing',
  grow: 'growing',
  expanding: 'growing',
  expands: 'growing',
  enlarging: 'growing',
  bigger: 'growing',
  larger: 'growing',
  inflating: 'growing',
  shrinking: 'shrinking',
  shrinks: 'shrinking',
  shrink: 'shrinking',
  contracting: 'shrinking',
  smaller: 'shrinking',
  deflating: 'shrinking',
};
const BACKGROUND_WORDS = new Set(['bg', 'background', 'backdrop', 'backround', 'backgrounds']);
/** Grammatical glue: words that carry no meaning in the caption grammar. */
const FILLERS = new Set([
  'a',
  'an',
  'the',
  'is',
  'are',
  'going',
  'goes',
  'go',
  'moving',
  'moves',
  'move',
  'heading',
  'heads',
  'travelling',
  'traveling',
  'travels',
  'to',
  'towards',
  'toward',
  'of',
  'in',
  'at',
  'on',
  'over',
  'against',
  'with',
  'and',
  'then',
  'that',
  'which',
  'it',
  'its',
  'one',
  'getting',
  'gets',
  'becoming',
  'becomes',
  'sized',
  'size',
  'colored',
  'coloured',
  'color',
  'colour',
  'shaped',
  'shape',
  'plus',
  'while',
  'frame',
  'screen',
  'side',
  'across',
  'scene',
  'there',
  'some',
]);
const ARTICLES = new Set(['a', 'an', 'the']);

type Tok =
  | { kind: 'color'; value: string; word: string }
  | { kind: 'shape'; value: string; word: string }
  | { kind: 'size'; value: string; word: string }
  | { kind: 'motion'; value: string; word: string }
  | { kind: 'bg'; word: string }
  | { kind: 'filler'; word: string }
  | { kind: 'unknown'; word: string };

export function expandPrompt(prompt: string, spec: WorldSpec = loadWorldSpec()): Expansion {
  const words = prompt.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  if (words.length === 0) return { caption: '', unknownWords: [], notes: [] };
  const colors = new Set(Object.keys(spec.palette));
  const shapes = new Set(Object.keys(spec.shapes));
  const sizes = new Set(Object.keys(spec.sizes).filter((k) => k !== 'about'));
  const motions = new Set(Object.keys(spec.motions));

  const toks: Tok[] = words.map((word): Tok => {
    const color = colors.has(word) ? word : COLOR_SYNONYMS[word];
    if (color && colors.has(color)) return { kind: 'color', value: color, word };
    const shape = shapes.has(word) ? word : SHAPE_SYNONYMS[word];
    if (shape && shapes.has(shape)) return { kind: 'shape', value: shape, word };
    const size = sizes.has(word) ? word : SIZE_SYNONYMS[word];
    if (size && sizes.has(size)) return { kind: 'size', value: size, word };
    const motion = DIRECTION_SYNONYMS[word];
    if (motion && motions.has(motion)) return { kind: 'motion', value: motion, word };
    if (BACKGROUND_WORDS.has(word)) return { kind: 'bg', word };
    if (FILLERS.has(word)) return { kind: 'filler', word };
    return { kind: 'unknown', word };
  });

  const objects: ObjectSlots[] = [];
  const unknownWords: string[] = [];
  const notes: string[] = [];
  let background: string | undefined;
  let current: ObjectSlots | undefined;
  const fresh = (): ObjectSlots => {
    current = {};
    objects.push(current);
    return current;
  };
  const nextMeaningful = (from: number): Tok | undefined => {
    for (let j = from; j < toks.length; j++) {
      const t = toks[j];
      if (t && t.kind !== 'filler') return t;
    }
    return undefined;
  };
  const previousWord = (from: number): string | undefined => {
    for (let j = from; j >= 0; j--) {
      const w = toks[j]?.word;
      if (w && !ARTICLES.has(w)) return w;
    }
    return undefined;
  };

  for (let i = 0; i < toks.length; i++) {
    const tok = toks[i] as Tok;
    switch (tok.kind) {
      case 'color': {
        const next = nextMeaningful(i + 1);
        const prev = previousWord(i - 1);
        const nextIsBg = toks[i + 1]?.kind === 'bg';
        const afterOn =
          (prev === 'on' || prev === 'against' || prev === 'over') && next?.kind !== 'shape' && next?.kind !== 'size';
        if (nextIsBg || afterOn) {
          if (background && background !== tok.value) notes.push(`two backgrounds named; using ${tok.value}`);
          background = tok.value;
          if (nextIsBg) i++;
          break;
        }
        const obj = current && !current.color && !current.shape ? current : fresh();
        obj.color = tok.value;
        break;
      }
      case 'size': {
        const obj = current && !current.size && !current.shape && !current.color ? current : fresh();
        obj.size = tok.value;
        break;
      }
      case 'shape': {
        const obj = current && !current.shape ? current : fresh();
        obj.shape = tok.value;
        break;
      }
      case 'motion': {
        if (tok.value === 'standing still' && toks[i + 1]?.word === 'still') i++;
        const obj = current && !current.motion ? current : fresh();
        obj.motion = tok.value;
        break;
      }
      case 'bg': {
        const next = toks[i + 1];
        if (next?.kind === 'color') {
          background = next.value;
          i++;
        }
        break;
      }
      case 'filler':
        break;
      case 'unknown':
        unknownWords.push(tok.word);
        break;
    }
  }

  let kept = objects.filter((o) => o.color || o.shape || o.size || o.motion);
  if (kept.length > 2) {
    notes.push(`the world has at most two objects; ${kept.length - 2} more were left out`);
    kept = kept.slice(0, 2);
  }
  if (kept.length === 0) {
    notes.push('no object named; assumed a white circle standing still');
    kept = [{}];
  }
  if (!background) {
    const used = new Set(kept.map((o) => o.color));
    background = spec.background_colors.find((c) => !used.has(c)) ?? 'black';
    notes.push(`no background named; assumed ${background}`);
  } else if (!spec.background_colors.includes(background)) {
    notes.push(`${background} is not a background colour of this world`);
  }
  const taken = new Set<string>([background]);
  for (const o of kept) if (o.color) taken.add(o.color);
  kept.forEach((o, n) => {
    const label = kept.length > 1 ? `object ${n + 1}` : 'the object';
    if (!o.color) {
      o.color = spec.object_colors.find((c) => !taken.has(c)) ?? 'white';
      taken.add(o.color);
      notes.push(`no colour for ${label}; assumed ${o.color}`);
    } else if (!spec.object_colors.includes(o.color)) {
      notes.push(`${o.color} is not an object colour of this world`);
    }
    if (o.color === background) notes.push(`${label} has the background's colour`);
    if (!o.shape) {
      o.shape = 'circle';
      notes.push(`no shape for ${label}; assumed circle`);
    }
    if (!o.motion) {
      o.motion = 'standing still';
      notes.push(`no motion for ${label}; assumed standing still`);
    }
  });
  const objectText = kept.map((o) => {
    const size = o.size && o.size !== 'medium' ? `${o.size} ` : '';
    return `a ${size}${o.color} ${o.shape} ${o.motion}`;
  });
  return { caption: `${objectText.join(' and ')} on a ${background} background`, unknownWords, notes };
}
