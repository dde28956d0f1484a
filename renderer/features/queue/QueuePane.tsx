import type { Job } from '../../../preload/contract.js';
import type { Mode } from '../../../preload/recipe.js';
import { useAppDispatch, useAppSelector } from '../../app/hooks.js';
import { cancelJob, clearFinished, removeJob, retryJob, selectJobs, selectPreview } from './queueSlice.js';

export const MODE_LABELS: Record<Mode, string> = {
  t2v: 'Text',
  image: 'Still',
  i2v: 'Image',
  extend_forward: 'Extend →',
  extend_backward: '← Extend',
  bridge: 'Bridge',
  remix: 'Remix',
  loop: 'Loop',
};

function percent(job: Job): number {
  if (job.state === 'succeeded') return 100;
  if (!job.progress || job.progress.total === 0) return 0;
  return Math.round((100 * job.progress.step) / job.progress.total);
}

function eta(ms: number): string {
  const s = Math.ceil(ms / 1000);
  return s >= 60 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${s} s`;
}

function JobRow({ job }: { job: Job }) {
  const dispatch = useAppDispatch();
  const preview = useAppSelector((state) => selectPreview(state, job.id));
  const active = job.state === 'queued' || job.state === 'running';
  const mode = MODE_LABELS[job.request.mode];
  const prompt = job.request.prompt || '(no prompt)';
  const detail =
    job.state === 'running' && job.progress
      ? `step ${job.progress.step}/${job.progress.total} · ${eta(job.progress.etaMs)} left`
      : job.state === 'running'
        ? 'starting…'
        : job.state === 'queued'
          ? 'waiting'
          : job.state === 'succeeded' && job.result
            ? `${job.result.frames} frames · ${job.result.width}×${job.result.height}`
            : job.state;
  return (
    <li
      className={`job job-${job.state}`}
      aria-label={`${mode}: ${prompt} (seed ${job.request.seed ?? '?'})`}
      data-job-id={job.id}
    >
      <div className="job-thumb">
        {preview ? <img src={preview} alt="Live preview" /> : <span aria-hidden="true">{mode}</span>}
      </div>
      <div className="job-body">
        <div className="job-head">
          <span className="badge">{mode}</span>
          <span className="job-prompt" title={job.request.prompt}>
            {prompt}
          </span>
          <span className="job-state">{job.state}</span>
        </div>
        <progress max={100} value={percent(job)} aria-label="Progress" aria-valuetext={detail} />
        <div className="job-foot">
          <span className="job-detail">{detail}</span>
          <span className="job-buttons">
            {active ? (
              <button type="button" className="link" onClick={() => void dispatch(cancelJob(job.id))}>
                Cancel
              </button>
            ) : null}
            {job.state === 'failed' || job.state === 'cancelled' ? (
              <button type="button" className="link" onClick={() => void dispatch(retryJob(job.id))}>
                Retry
              </button>
            ) : null}
            {!active ? (
              <button type="button" className="link" onClick={() => void dispatch(removeJob(job.id))}>
                Remove
              </button>
            ) : null}
          </span>
        </div>
        {job.error ? (
          <p className="job-error" title={job.error.message}>
            {job.error.name}: {job.error.message}
          </p>
        ) : null}
      </div>
    </li>
  );
}

export function QueuePane() {
  const dispatch = useAppDispatch();
  const jobs = useAppSelector(selectJobs);
  const finished = jobs.some((j) => j.state !== 'queued' && j.state !== 'running');
  return (
    <section className="pane pane-queue" aria-label="Queue">
      <div className="pane-head">
        <h2>Queue</h2>
        <button type="button" className="link" disabled={!finished} onClick={() => void dispatch(clearFinished())}>
          Clear finished
        </button>
      </div>
      {jobs.length === 0 ? (
        <p className="empty">No jobs yet.</p>
      ) : (
        <ul className="job-list" aria-label="Jobs">
          {jobs.map((job) => (
            <JobRow key={job.id} job={job} />
          ))}
        </ul>
      )}
    </section>
  );
}
