/**
 * Timeline playback, pure: the timeline's clips laid end to end, and the mapping between a position
 * on the whole timeline (seconds or frames) and a position in one clip (its index, local time or
 * frame). Frame n of a clip covers [n / fps, (n + 1) / fps); each clip keeps its own fps.
 */

/** What playback needs to know of a clip. */
export interface SegmentMedia {
  frames: number;
  durationSec: number;
  fps: number;
}

/** A clip on the timeline with where it starts. */
export type Segment<T extends SegmentMedia = SegmentMedia> = T & { startSec: number; startFrame: number };

export interface ClipPosition {
  index: number;
  /** Seconds into the clip. */
  local: number;
}

export interface FramePosition {
  index: number;
  /** Frame of the clip, from 0. */
  frame: number;
}

/** The frame rate a clip plays at: its own, else its recipe's, else 8. */
export function clipFps(asset: { fps: number; recipe?: { fps?: number } | null }): number {
  return asset.fps || asset.recipe?.fps || 8;
}

/** Lays clips end to end. */
export function layOut<T extends SegmentMedia>(items: readonly T[]): Segment<T>[] {
  let startSec = 0;
  let startFrame = 0;
  return items.map((item) => {
    const segment = { ...item, startSec, startFrame };
    startSec += item.durationSec;
    startFrame += item.frames;
    return segment;
  });
}

export function totalDuration(segments: readonly Segment[]): number {
  const last = segments.at(-1);
  return last ? last.startSec + last.durationSec : 0;
}

export function totalFrames(segments: readonly Segment[]): number {
  const last = segments.at(-1);
  return last ? last.startFrame + last.frames : 0;
}

/** The clip playing at timeline time `t` (clamped to the timeline), and the time into it. */
export function locateTime(segments: readonly Segment[], t: number): ClipPosition {
  if (segments.length === 0) return { index: 0, local: 0 };
  const time = Math.min(Math.max(t, 0), totalDuration(segments));
  let index = segments.findIndex((s) => time < s.startSec + s.durationSec);
  if (index < 0) index = segments.length - 1;
  const segment = segments[index] as Segment;
  return { index, local: Math.min(time - segment.startSec, segment.durationSec) };
}

/** Timeline time of a position in a clip. */
export function timelineTime(segments: readonly Segment[], { index, local }: ClipPosition): number {
  const segment = segments[index];
  return segment ? segment.startSec + local : 0;
}

/** The frame on screen `local` seconds into clip `index`. */
export function frameAt(segments: readonly Segment[], { index, local }: ClipPosition): FramePosition {
  const segment = segments[index];
  if (!segment) return { index: 0, frame: 0 };
  const frame = Math.min(Math.max(segment.frames - 1, 0), Math.max(0, Math.floor(local * segment.fps + 1e-6)));
  return { index, frame };
}

/** Timeline frame number (from 0) of a clip's frame. */
export function timelineFrame(segments: readonly Segment[], { index, frame }: FramePosition): number {
  return (segments[index]?.startFrame ?? 0) + frame;
}

/** The clip and frame of timeline frame `n` (clamped to the timeline). */
export function locateFrame(segments: readonly Segment[], n: number): FramePosition {
  if (segments.length === 0) return { index: 0, frame: 0 };
  const target = Math.min(Math.max(Math.round(n), 0), Math.max(totalFrames(segments) - 1, 0));
  let index = segments.findIndex((s) => target < s.startFrame + s.frames);
  if (index < 0) index = segments.length - 1;
  return { index, frame: target - (segments[index] as Segment).startFrame };
}

/** Steps `delta` frames from a position, across clip boundaries; stops at the timeline's ends. */
export function stepFrame(segments: readonly Segment[], from: FramePosition, delta: number): FramePosition {
  return locateFrame(segments, timelineFrame(segments, from) + delta);
}

/** Where to seek in a clip to show one frame: its middle, so decoders show exactly that one. */
export function frameTime(segments: readonly Segment[], { index, frame }: FramePosition): number {
  const fps = segments[index]?.fps || 8;
  return (frame + 0.5) / fps;
}
