/** Timeline playback in the player: timeline time and frames to (clip, local position) and back. */
import { describe, expect, it } from 'vitest';
import {
  clipFps,
  frameAt,
  frameTime,
  layOut,
  locateFrame,
  locateTime,
  stepFrame,
  timelineFrame,
  timelineTime,
  totalDuration,
  totalFrames,
} from '../renderer/features/player/timelinePlayback.js';

// Two 9-frame clips at 8 fps (1.125 s each), then a 4-frame clip at 16 fps (0.25 s).
const segments = layOut([
  { name: 'a', frames: 9, durationSec: 1.125, fps: 8 },
  { name: 'b', frames: 9, durationSec: 1.125, fps: 8 },
  { name: 'c', frames: 4, durationSec: 0.25, fps: 16 },
]);

describe('timeline playback', () => {
  it('lays clips end to end', () => {
    expect(segments.map((s) => [s.name, s.startSec, s.startFrame])).toEqual([
      ['a', 0, 0],
      ['b', 1.125, 9],
      ['c', 2.25, 18],
    ]);
    expect(totalDuration(segments)).toBe(2.5);
    expect(totalFrames(segments)).toBe(22);
    expect(totalDuration([])).toBe(0);
  });

  it('maps a timeline time to a clip and the time into it, and back', () => {
    expect(locateTime(segments, 0)).toEqual({ index: 0, local: 0 });
    expect(locateTime(segments, 1)).toEqual({ index: 0, local: 1 });
    expect(locateTime(segments, 1.125)).toEqual({ index: 1, local: 0 });
    expect(locateTime(segments, 2.375)).toEqual({ index: 2, local: 0.125 });
    // Clamped to the timeline.
    expect(locateTime(segments, -3)).toEqual({ index: 0, local: 0 });
    expect(locateTime(segments, 99)).toEqual({ index: 2, local: 0.25 });
    expect(locateTime([], 1)).toEqual({ index: 0, local: 0 });
    for (const t of [0, 0.5, 1.125, 1.7, 2.25, 2.4]) expect(timelineTime(segments, locateTime(segments, t))).toBe(t);
  });

  it('maps timeline frames to a clip frame and back', () => {
    expect(locateFrame(segments, 8)).toEqual({ index: 0, frame: 8 });
    expect(locateFrame(segments, 9)).toEqual({ index: 1, frame: 0 });
    expect(locateFrame(segments, 21)).toEqual({ index: 2, frame: 3 });
    expect(locateFrame(segments, 40)).toEqual({ index: 2, frame: 3 });
    for (let n = 0; n < totalFrames(segments); n++) expect(timelineFrame(segments, locateFrame(segments, n))).toBe(n);
    // The frame on screen at a time, and the time that shows a frame (its middle), per clip fps.
    expect(frameAt(segments, { index: 1, local: 0.3 })).toEqual({ index: 1, frame: 2 });
    expect(frameAt(segments, { index: 1, local: 5 })).toEqual({ index: 1, frame: 8 });
    expect(frameTime(segments, { index: 2, frame: 1 })).toBe(1.5 / 16);
    expect(frameAt(segments, { index: 2, local: frameTime(segments, { index: 2, frame: 1 }) })).toEqual({
      index: 2,
      frame: 1,
    });
  });

  it('steps frames across clip boundaries and stops at the ends', () => {
    expect(stepFrame(segments, { index: 0, frame: 8 }, 1)).toEqual({ index: 1, frame: 0 });
    expect(stepFrame(segments, { index: 1, frame: 0 }, -1)).toEqual({ index: 0, frame: 8 });
    expect(stepFrame(segments, { index: 1, frame: 8 }, 1)).toEqual({ index: 2, frame: 0 });
    expect(stepFrame(segments, { index: 0, frame: 0 }, -1)).toEqual({ index: 0, frame: 0 });
    expect(stepFrame(segments, { index: 2, frame: 3 }, 1)).toEqual({ index: 2, frame: 3 });
    let position = { index: 0, frame: 0 };
    for (let i = 0; i < 9; i++) position = stepFrame(segments, position, 1);
    expect(position).toEqual({ index: 1, frame: 0 });
  });

  it('takes the fps of the clip, else of its recipe, else 8', () => {
    expect(clipFps({ fps: 12, recipe: { fps: 24 } })).toBe(12);
    expect(clipFps({ fps: 0, recipe: { fps: 24 } })).toBe(24);
    expect(clipFps({ fps: 0, recipe: null })).toBe(8);
  });
});
