import { useAppSelector } from '../../app/hooks.js';
import { usePlatform } from '../../app/PlatformContext.js';
import type { RootState } from '../../app/store.js';
import { selectSelectedJobId } from '../bin/binSlice.js';
import { selectJobById, selectJobs, selectPreview } from '../queue/queueSlice.js';

function selectRunningJob(state: RootState) {
  return selectJobs(state).find((job) => job.state === 'running');
}

export function PlayerPane() {
  const platform = usePlatform();
  const selectedId = useAppSelector(selectSelectedJobId);
  const selected = useAppSelector((state) => (selectedId ? selectJobById(state, selectedId) : undefined));
  const running = useAppSelector(selectRunningJob);
  const preview = useAppSelector((state) => (running ? selectPreview(state, running.id) : undefined));

  let content = <p className="empty">Select a clip, or generate one.</p>;
  if (selected?.result) {
    content = (
      // biome-ignore lint/a11y/useMediaCaption: generated clips are silent; there is nothing to caption.
      <video
        key={selected.id}
        controls
        loop
        src={platform.mediaUrl(selected.result.videoPath)}
        poster={platform.mediaUrl(selected.result.posterPath)}
      />
    );
  } else if (preview) {
    content = <img className="preview" src={preview} alt="Preview of the clip being generated" />;
  }
  return (
    <section className="pane pane-player" aria-label="Player">
      <h2>Player</h2>
      <div className="viewport">{content}</div>
    </section>
  );
}
