import { useCallback, useEffect, useRef, useState } from 'react';
import { useAppDispatch, useAppSelector } from '../../app/hooks.js';
import { usePlatform } from '../../app/PlatformContext.js';
import type { RootState } from '../../app/store.js';
import { selectClipView } from '../media/mediaSlice.js';
import { selectJobs, selectPreview } from '../queue/queueSlice.js';
import {
  type PlaybackSource,
  playbackSourceChanged,
  selectPlaybackSource,
  selectTimelineSegments,
  timelinePositionPlaying,
} from '../timeline/timelineSlice.js';
import { playheadMoved, selectSelectedClipId } from '../ui/uiSlice.js';
import {
  clipFps,
  frameAt,
  frameTime,
  locateFrame,
  stepFrame,
  timelineFrame,
  timelineTime,
  totalDuration,
  totalFrames,
} from './timelinePlayback.js';

function selectRunningJob(state: RootState) {
  return selectJobs(state).find((job) => job.state === 'running');
}

const typing = (target: EventTarget | null) =>
  target instanceof HTMLElement && (/^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName) || target.isContentEditable);

export function PlayerPane() {
  const dispatch = useAppDispatch();
  const platform = usePlatform();
  const selectedId = useAppSelector(selectSelectedClipId);
  const view = useAppSelector((state) => selectClipView(state, selectedId));
  const running = useAppSelector(selectRunningJob);
  const preview = useAppSelector((state) => (running ? selectPreview(state, running.id) : undefined));
  const source = useAppSelector(selectPlaybackSource);
  const segments = useAppSelector(selectTimelineSegments);
  const video = useRef<HTMLVideoElement>(null);
  const [time, setTime] = useState(0);
  const [playing, setPlaying] = useState(false);
  const [loop, setLoop] = useState(true);
  // Timeline playback: the segment on screen, and where to go once its video has loaded.
  const [index, setIndex] = useState(0);
  const pending = useRef<{ local: number; play: boolean } | null>(null);
  const onTimeline = source === 'timeline';
  const current = onTimeline ? Math.min(index, segments.length - 1) : -1;
  const segment = current >= 0 ? segments[current] : undefined;
  const asset = onTimeline ? (segment?.asset ?? null) : (view?.asset ?? null);
  const name = onTimeline ? (segment?.name ?? '') : (view?.clip.name ?? '');
  const fps = asset ? clipFps(asset) : 8;
  const frames = asset?.frames ?? 0;
  const duration = asset?.durationSec ?? 0;
  // The frame on screen: frame n covers [n / fps, (n + 1) / fps).
  const frame = Math.min(Math.max(frames - 1, 0), Math.floor(time * fps + 1e-6));
  const position = segment ? frameAt(segments, { index: current, local: time }) : null;

  useEffect(() => {
    dispatch(timelinePositionPlaying(segment ? segment.position : null));
  }, [dispatch, segment]);

  /** Timeline: shows `local` seconds into segment `to`, playing or not. */
  const goTo = useCallback(
    (to: number, local: number, play: boolean) => {
      const el = video.current;
      if (to === current && el) {
        el.currentTime = local;
        setTime(local);
        if (play) void el.play();
        return;
      }
      pending.current = { local, play };
      setIndex(to);
      setTime(local);
    },
    [current],
  );
  const seek = useCallback(
    (t: number) => {
      const el = video.current;
      if (!el) return;
      const clamped = Math.min(Math.max(t, 0), Math.max(duration - 1 / fps / 2, 0));
      el.currentTime = clamped;
      setTime(clamped);
      dispatch(playheadMoved(clamped));
    },
    [dispatch, duration, fps],
  );
  const step = useCallback(
    (delta: number) => {
      const el = video.current;
      if (!el) return;
      el.pause();
      if (position) {
        const to = stepFrame(segments, position, delta);
        goTo(to.index, frameTime(segments, to), false);
        return;
      }
      // Land in the middle of the frame so decoders show exactly that one.
      const target = Math.min(Math.max(frame + delta, 0), Math.max(frames - 1, 0));
      seek((target + 0.5) / fps);
    },
    [frame, frames, fps, seek, position, segments, goTo],
  );
  const toggle = useCallback(() => {
    const el = video.current;
    if (!el) return;
    if (el.paused) void el.play();
    else el.pause();
  }, []);
  /** Timeline: the next clip when one ends; the first again when the last ends and loop is on. */
  const ended = () => {
    if (current + 1 < segments.length) goTo(current + 1, 0, true);
    else if (loop) goTo(0, 0, true);
  };
  const loaded = (el: HTMLVideoElement) => {
    const go = pending.current;
    if (!go) return;
    pending.current = null;
    el.currentTime = go.local;
    if (go.play) void el.play();
  };

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (typing(e.target) || !video.current || e.ctrlKey || e.metaKey || e.altKey) return;
      if (e.key === ' ') {
        e.preventDefault();
        toggle();
      } else if (e.key === 'ArrowRight') {
        e.preventDefault();
        step(1);
      } else if (e.key === 'ArrowLeft') {
        e.preventDefault();
        step(-1);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [toggle, step]);

  let content = (
    <p className="empty">{onTimeline ? 'Add clips to the timeline to play it.' : 'Select a clip, or generate one.'}</p>
  );
  if (asset?.kind === 'image') {
    content = <img src={platform.mediaUrl(asset.path)} alt={name} />;
  } else if (asset) {
    const next = onTimeline ? segments[current + 1 < segments.length ? current + 1 : 0] : undefined;
    content = (
      <>
        {/* biome-ignore lint/a11y/useMediaCaption: generated clips are silent; there is nothing to caption. */}
        <video
          ref={video}
          key={onTimeline ? `timeline-${current}-${asset.id}` : asset.id}
          loop={loop && !onTimeline}
          src={platform.mediaUrl(asset.path)}
          poster={asset.posterPath ? platform.mediaUrl(asset.posterPath) : undefined}
          aria-label={onTimeline ? `Timeline clip ${current + 1} of ${segments.length}: ${name}` : `Clip: ${name}`}
          onTimeUpdate={(e) => {
            setTime(e.currentTarget.currentTime);
            if (!onTimeline) dispatch(playheadMoved(e.currentTarget.currentTime));
          }}
          onLoadedMetadata={(e) => loaded(e.currentTarget)}
          onEnded={onTimeline ? ended : undefined}
          onPlay={() => setPlaying(true)}
          onPause={() => setPlaying(false)}
          onClick={toggle}
        />
        {/* The next clip, loaded ahead so the switch on "ended" has no gap. */}
        {next && next !== segment ? (
          <video src={platform.mediaUrl(next.asset.path)} preload="auto" muted hidden />
        ) : null}
      </>
    );
  } else if (preview && !onTimeline) {
    content = <img className="preview" src={preview} alt="Preview of the clip being generated" />;
  }
  const isVideo = asset?.kind === 'video';
  const switchTo = (to: PlaybackSource) => {
    if (to === source) return;
    video.current?.pause();
    pending.current = null;
    setIndex(0);
    setTime(0);
    dispatch(playbackSourceChanged(to));
  };
  // The scrubber and the time display: the clip's frames, or the whole timeline's.
  const scrub = position
    ? { value: timelineFrame(segments, position), count: totalFrames(segments) }
    : { value: frame, count: frames };
  const clock = segment
    ? ` · ${timelineTime(segments, { index: current, local: time }).toFixed(1)}/${totalDuration(segments).toFixed(1)} s`
    : '';
  return (
    <section className="pane pane-player" aria-label="Player" data-playing-clip={name || undefined}>
      <div className="pane-head">
        <h2>
          Player{onTimeline ? ' · Timeline' : ''}
          {name ? ` · ${name}` : ''}
        </h2>
        <fieldset className="segmented" aria-label="Play">
          <button
            type="button"
            aria-pressed={!onTimeline}
            title="Play the selected clip"
            onClick={() => switchTo('clip')}
          >
            Play clip
          </button>
          <button
            type="button"
            aria-pressed={onTimeline}
            title="Play the timeline's clips in order"
            onClick={() => switchTo('timeline')}
          >
            Play timeline
          </button>
        </fieldset>
      </div>
      <div className="viewport">{content}</div>
      <div className="transport" aria-hidden={!isVideo}>
        <button
          type="button"
          disabled={!isVideo}
          aria-label="Previous frame"
          title="Previous frame (←)"
          onClick={() => step(-1)}
        >
          |◀
        </button>
        <button
          type="button"
          disabled={!isVideo}
          aria-label={playing ? 'Pause' : 'Play'}
          title="Play / pause (Space)"
          onClick={toggle}
        >
          {playing ? '❚❚' : '▶'}
        </button>
        <button
          type="button"
          disabled={!isVideo}
          aria-label="Next frame"
          title="Next frame (→)"
          onClick={() => step(1)}
        >
          ▶|
        </button>
        <input
          type="range"
          aria-label="Scrubber"
          disabled={!isVideo}
          min={0}
          max={Math.max(scrub.count - 1, 0)}
          step={1}
          value={scrub.value}
          onChange={(e) => {
            const n = Number(e.target.value);
            if (!position) return seek((n + 0.5) / fps);
            const to = locateFrame(segments, n);
            goTo(to.index, frameTime(segments, to), !(video.current?.paused ?? true));
          }}
        />
        <span className="timecode" title={onTimeline ? 'Frame and time on the timeline' : 'Frame'}>
          {isVideo ? `${scrub.value + 1}/${scrub.count}${clock}` : '–'}
        </span>
        <label className="check">
          <input type="checkbox" checked={loop} onChange={(e) => setLoop(e.target.checked)} />
          Loop
        </label>
      </div>
    </section>
  );
}
