import { useCallback, useEffect, useRef, useState } from 'react';
import { useAppDispatch, useAppSelector } from '../../app/hooks.js';
import { usePlatform } from '../../app/PlatformContext.js';
import type { RootState } from '../../app/store.js';
import { selectClipView } from '../media/mediaSlice.js';
import { selectJobs, selectPreview } from '../queue/queueSlice.js';
import { playheadMoved, selectSelectedClipId } from '../ui/uiSlice.js';

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
  const video = useRef<HTMLVideoElement>(null);
  const [time, setTime] = useState(0);
  const [playing, setPlaying] = useState(false);
  const [loop, setLoop] = useState(true);
  const asset = view?.asset ?? null;
  const fps = asset?.fps || asset?.recipe?.fps || 8;
  const frames = asset?.frames ?? 0;
  const duration = asset?.durationSec ?? 0;
  // The frame on screen: frame n covers [n / fps, (n + 1) / fps).
  const frame = Math.min(Math.max(frames - 1, 0), Math.floor(time * fps + 1e-6));

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
      // Land in the middle of the frame so decoders show exactly that one.
      const target = Math.min(Math.max(frame + delta, 0), Math.max(frames - 1, 0));
      seek((target + 0.5) / fps);
    },
    [frame, frames, fps, seek],
  );
  const toggle = useCallback(() => {
    const el = video.current;
    if (!el) return;
    if (el.paused) void el.play();
    else el.pause();
  }, []);

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

  let content = <p className="empty">Select a clip, or generate one.</p>;
  if (asset?.kind === 'image') {
    content = <img src={platform.mediaUrl(asset.path)} alt={view?.clip.name ?? ''} />;
  } else if (asset) {
    content = (
      // biome-ignore lint/a11y/useMediaCaption: generated clips are silent; there is nothing to caption.
      <video
        ref={video}
        key={asset.id}
        loop={loop}
        src={platform.mediaUrl(asset.path)}
        poster={asset.posterPath ? platform.mediaUrl(asset.posterPath) : undefined}
        aria-label={`Clip: ${view?.clip.name ?? ''}`}
        onTimeUpdate={(e) => {
          setTime(e.currentTarget.currentTime);
          dispatch(playheadMoved(e.currentTarget.currentTime));
        }}
        onPlay={() => setPlaying(true)}
        onPause={() => setPlaying(false)}
        onClick={toggle}
      />
    );
  } else if (preview) {
    content = <img className="preview" src={preview} alt="Preview of the clip being generated" />;
  }
  const isVideo = asset?.kind === 'video';
  return (
    <section className="pane pane-player" aria-label="Player">
      <h2>Player{view ? ` · ${view.clip.name}` : ''}</h2>
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
          max={Math.max(frames - 1, 0)}
          step={1}
          value={frame}
          onChange={(e) => seek((Number(e.target.value) + 0.5) / fps)}
        />
        <span className="timecode" title="Frame">
          {isVideo ? `${frame + 1}/${frames}` : '–'}
        </span>
        <label className="check">
          <input type="checkbox" checked={loop} onChange={(e) => setLoop(e.target.checked)} />
          Loop
        </label>
      </div>
    </section>
  );
}
