import { useAppDispatch, useAppSelector } from '../../app/hooks.js';
import { usePlatform } from '../../app/PlatformContext.js';
import { selectFinishedClips } from '../queue/queueSlice.js';
import { clipSelected, selectSelectedJobId } from './binSlice.js';

export function MediaPane() {
  const dispatch = useAppDispatch();
  const platform = usePlatform();
  const clips = useAppSelector(selectFinishedClips);
  const selected = useAppSelector(selectSelectedJobId);
  return (
    <section className="pane pane-media" aria-label="Media">
      <h2>Media</h2>
      {clips.length === 0 ? (
        <p className="empty">Generated clips appear here.</p>
      ) : (
        <ul className="clip-grid">
          {clips.map((job) => (
            <li key={job.id}>
              <button
                type="button"
                className={`clip${job.id === selected ? ' selected' : ''}`}
                aria-pressed={job.id === selected}
                onClick={() => dispatch(clipSelected(job.id))}
              >
                {job.result ? <img src={platform.mediaUrl(job.result.posterPath)} alt="" /> : null}
                <span>{job.request.prompt}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
