import { type DragEvent, useState } from 'react';
import { useAppDispatch, useAppSelector } from '../../app/hooks.js';
import { usePlatform } from '../../app/PlatformContext.js';
import { CLIP_MIME } from '../media/MediaPane.js';
import { addToTimeline, moveInTimeline, removeFromTimeline, selectClipViews } from '../media/mediaSlice.js';
import { clipSelected } from '../ui/uiSlice.js';
import { selectPlayingPosition, selectTimelineClipIds } from './timelineSlice.js';

const POSITION_MIME = 'application/x-tessera-timeline-index';

export function TimelinePane() {
  const dispatch = useAppDispatch();
  const platform = usePlatform();
  const clipIds = useAppSelector(selectTimelineClipIds);
  const views = useAppSelector(selectClipViews);
  const playing = useAppSelector(selectPlayingPosition);
  const [over, setOver] = useState(false);
  const total = clipIds.reduce((sum, id) => sum + (views.find((v) => v.clip.id === id)?.asset?.durationSec ?? 0), 0);

  const dropAt = (e: DragEvent, index: number) => {
    e.preventDefault();
    e.stopPropagation();
    setOver(false);
    const from = e.dataTransfer.getData(POSITION_MIME);
    if (from !== '') return void dispatch(moveInTimeline([Number(from), index]));
    const clipId = e.dataTransfer.getData(CLIP_MIME);
    if (clipId) void dispatch(addToTimeline([clipId, index]));
  };
  const accepts = (e: DragEvent) =>
    e.dataTransfer.types.includes(CLIP_MIME) || e.dataTransfer.types.includes(POSITION_MIME);

  return (
    <section className="pane pane-timeline" aria-label="Timeline">
      <div className="pane-head">
        <h2>Timeline</h2>
        <span className="hint">
          {clipIds.length ? `${clipIds.length} ${clipIds.length === 1 ? 'clip' : 'clips'} · ${total.toFixed(1)} s` : ''}
        </span>
      </div>
      {/* biome-ignore lint/a11y/noStaticElementInteractions: a drop zone; the buttons inside do the same by keyboard */}
      <div
        className={`track${over ? ' over' : ''}`}
        onDragOver={(e) => {
          if (accepts(e)) {
            e.preventDefault();
            setOver(true);
          }
        }}
        onDragLeave={() => setOver(false)}
        onDrop={(e) => dropAt(e, clipIds.length)}
      >
        {clipIds.length === 0 ? (
          <p className="empty">Drag clips here from Media (or use “Add to timeline” in the Inspector).</p>
        ) : (
          <ol className="track-clips" aria-label="Timeline clips">
            {clipIds.map((id, index) => {
              const view = views.find((v) => v.clip.id === id);
              const name = view?.clip.name ?? '(missing clip)';
              const width = Math.max(90, (view?.asset?.durationSec ?? 1) * 60);
              return (
                <li
                  // biome-ignore lint/suspicious/noArrayIndexKey: the same clip may appear twice; position is the identity
                  key={`${id}-${index}`}
                  className="track-clip"
                  aria-label={name}
                  aria-current={playing === index ? 'true' : undefined}
                  title={playing === index ? `${name} (playing)` : undefined}
                  style={{ width }}
                  draggable
                  onDragStart={(e) => e.dataTransfer.setData(POSITION_MIME, String(index))}
                  onDragOver={(e) => accepts(e) && e.preventDefault()}
                  onDrop={(e) => dropAt(e, index)}
                >
                  <button
                    type="button"
                    className="track-select"
                    onClick={() => dispatch(clipSelected(id))}
                    title={name}
                  >
                    {view?.asset?.posterPath ? <img src={platform.mediaUrl(view.asset.posterPath)} alt="" /> : null}
                    <span>{name}</span>
                  </button>
                  <span className="track-buttons">
                    <button
                      type="button"
                      className="icon"
                      aria-label="Move left"
                      disabled={index === 0}
                      onClick={() => void dispatch(moveInTimeline([index, index - 1]))}
                    >
                      ‹
                    </button>
                    <button
                      type="button"
                      className="icon"
                      aria-label="Move right"
                      disabled={index === clipIds.length - 1}
                      onClick={() => void dispatch(moveInTimeline([index, index + 1]))}
                    >
                      ›
                    </button>
                    <button
                      type="button"
                      className="icon"
                      aria-label="Remove from timeline"
                      onClick={() => void dispatch(removeFromTimeline([index]))}
                    >
                      ×
                    </button>
                  </span>
                </li>
              );
            })}
          </ol>
        )}
      </div>
    </section>
  );
}
