import { describe, expect, it } from 'vitest';
import { parseGenerate, USAGE, UsageError } from '../../main/cli/args.js';

const base = ['--prompt', 'red ball', '--out', 'clip.mp4'];

describe('tessera generate flags', () => {
  it('maps the contract flags to a recipe request', () => {
    const a = parseGenerate([
      ...base,
      '--seed',
      '7',
      '--steps',
      '4',
      '--sampler',
      'heun',
      '--guidance',
      '3.5',
      '--width',
      '192',
      '--height',
      '128',
      '--frames',
      '9',
      '--json',
    ]);
    expect(a.request).toEqual({
      mode: 't2v',
      prompt: 'red ball',
      seed: 7,
      steps: 4,
      sampler: 'heun',
      guidance: 3.5,
      width: 192,
      height: 128,
      frames: 9,
    });
    expect(a.json).toBe(true);
    expect(a.baseName).toBe('clip');
  });
  it('chooses the mode from --image / --extend / --bridge / --video / --loop / --frames 1', () => {
    expect(parseGenerate([...base, '--image', 'a.jpg', '--fit', 'letterbox']).request).toMatchObject({
      mode: 'i2v',
      fit: 'letterbox',
    });
    expect(parseGenerate([...base, '--extend', 'a.mp4']).request.mode).toBe('extend_forward');
    expect(parseGenerate([...base, '--extend', 'a.mp4', '--direction', 'backward']).request.mode).toBe(
      'extend_backward',
    );
    const br = parseGenerate([...base, '--bridge', 'a.mp4', 'b.mp4']).request;
    expect(br.mode).toBe('bridge');
    expect(br.source?.endsWith('a.mp4')).toBe(true);
    expect(br.sourceEnd?.endsWith('b.mp4')).toBe(true);
    expect(parseGenerate([...base, '--video', 'a.mp4', '--strength', '0.4']).request).toMatchObject({
      mode: 'remix',
      strength: 0.4,
    });
    expect(parseGenerate([...base, '--loop']).request.mode).toBe('loop');
    expect(parseGenerate([...base, '--loop', '--image', 'a.png']).request).toMatchObject({ mode: 'loop' });
    expect(parseGenerate([...base, '--frames', '1']).request.mode).toBe('image');
    expect(parseGenerate([...base, '--mode', 'i2v', '--source', 'x.png']).request.mode).toBe('i2v');
  });
  it('--recipe makes the prompt optional and keeps only the flags given as overrides', () => {
    const a = parseGenerate(['--recipe', 'old.mp4', '--seed', '9', '--out', 'new.mp4']);
    expect(a.recipePath?.endsWith('old.mp4')).toBe(true);
    expect(a.request).toEqual({ seed: 9 });
    expect(parseGenerate(['--recipe', 'old.json', '--out', 'new.mp4', '--strength', '0.3']).request).toEqual({
      strength: 0.3,
    });
  });
  it('rejects bad input with a UsageError naming the problem', () => {
    const bad: [string[], RegExp][] = [
      [[...base, '--bogus'], /unknown flag --bogus/],
      [['--out', 'a.mp4'], /--prompt is required/],
      [['--prompt', 'x'], /--out is required/],
      [['--prompt', 'x', '--out', 'a.gif'], /\.mp4/],
      [[...base, '--seed', '-1'], /--seed/],
      [[...base, '--seed', '4294967296'], /--seed/],
      [[...base, '--steps', 'many'], /--steps/],
      [[...base, '--sampler', 'ddim'], /--sampler/],
      [[...base, '--video', 'a.mp4'], /--strength/],
      [[...base, '--video', 'a.mp4', '--strength', '1.5'], /\(0, 1\]/],
      [[...base, '--strength', '0.5'], /--video/],
      [[...base, '--image', 'a.png', '--extend', 'b.mp4'], /one mode/],
      [[...base, '--bridge', 'a.mp4'], /two values/],
      [[...base, '--direction', 'backward'], /--extend/],
      [[...base, '--seed', '1', '--seed', '2'], /twice/],
      [[...base, '--guidance-interval', '0.7,0.2'], /--guidance-interval/],
      [[...base, '--guidance-interval', '0.5'], /--guidance-interval/],
      [[...base, '--precision', 'fp16'], /--precision must be fp32 or int8, got "fp16"/],
      [[...base, '--precision'], /--precision needs a value/],
      [[...base, '--search', '0'], /--search must be between 1 and 16, got 0/],
      [[...base, '--search', 'many'], /--search must be a whole number/],
    ];
    for (const [argv, msg] of bad) expect(() => parseGenerate(argv), argv.join(' ')).toThrow(msg);
    expect(() => parseGenerate([...base, '--bogus'])).toThrow(UsageError);
  });

  it('--precision fp32|int8 becomes the request precision (absent: the pack default), and is in the usage', () => {
    expect(parseGenerate([...base, '--precision', 'int8']).request.precision).toBe('int8');
    expect(parseGenerate([...base, '--precision=fp32']).request.precision).toBe('fp32');
    expect(parseGenerate(base).request).not.toHaveProperty('precision');
    expect(parseGenerate(['--recipe', 'old.mp4', '--precision', 'int8', '--out', 'n.mp4']).request).toEqual({
      precision: 'int8',
    });
    expect(USAGE).toContain('[--precision fp32|int8]');
  });

  it('--search N becomes the request search (absent: the pack default), and is in the usage', () => {
    expect(parseGenerate([...base, '--search', '1']).request.search).toBe(1);
    expect(parseGenerate([...base, '--search=8']).request.search).toBe(8);
    expect(parseGenerate(base).request).not.toHaveProperty('search');
    expect(USAGE).toContain('[--search N]');
  });

  it('--guidance-interval LO,HI becomes the request interval', () => {
    expect(parseGenerate([...base, '--guidance-interval', '0,0.6']).request.guidanceInterval).toEqual([0, 0.6]);
  });

  it('--guidance-high G,FROM_T or off becomes the request band (absent: the pack default)', () => {
    expect(parseGenerate([...base, '--guidance-high', '6,0.8']).request.guidanceHigh).toEqual({
      guidance: 6,
      fromT: 0.8,
    });
    expect(parseGenerate([...base, '--guidance-high', 'off']).request.guidanceHigh).toBeNull();
    expect(parseGenerate(base).request).not.toHaveProperty('guidanceHigh');
    for (const bad of ['6', '6,1.5', '40,0.8', 'high'])
      expect(() => parseGenerate([...base, '--guidance-high', bad])).toThrow(/--guidance-high must be G,FROM_T/);
  });
});
