import { useAppSelector } from '../../app/hooks.js';
import { selectTimelineClipIds } from './timelineSlice.js';

export function TimelinePane() {
  const clipIds = useAppSelector(selectTimelineClipIds);
  return (
    <section className="pane pane-timeline" aria-label="Timeline">
      <h2>Timeline</h2>
      <div className="track">
        {clipIds.length === 0 ? (
          <p className="empty">The timeline is empty.</p>
        ) : (
          <ol className="track-clips" aria-label="Video track">
            {clipIds.map((id) => (
              <li key={id} className="track-clip">
                {id}
              </li>
            ))}
          </ol>
        )}
      </div>
    </section>
  );
}
