import type { Job } from '../../../preload/contract.js';
import { useAppDispatch, useAppSelector } from '../../app/hooks.js';
import { cancelJob, selectJobs } from './queueSlice.js';

function percent(job: Job): number {
  if (job.state === 'succeeded') return 100;
  if (!job.progress || job.progress.total === 0) return 0;
  return Math.round((100 * job.progress.step) / job.progress.total);
}

function JobRow({ job }: { job: Job }) {
  const dispatch = useAppDispatch();
  const active = job.state === 'queued' || job.state === 'running';
  return (
    <li className={`job job-${job.state}`} aria-label={`Job ${job.request.prompt || job.id}`}>
      <div className="job-head">
        <span className="job-prompt" title={job.request.prompt}>
          {job.request.prompt || '(empty prompt)'}
        </span>
        <span className="job-state">{job.state}</span>
      </div>
      <progress max={100} value={percent(job)} aria-label="Progress" />
      <div className="job-foot">
        <span>
          {job.progress ? `step ${job.progress.step}/${job.progress.total}` : job.request.mode}
          {job.state === 'running' && job.progress ? ` · ${Math.ceil(job.progress.etaMs / 1000)} s left` : ''}
        </span>
        {active ? (
          <button type="button" className="link" onClick={() => dispatch(cancelJob(job.id))}>
            Cancel
          </button>
        ) : null}
      </div>
      {job.error ? <p className="job-error">{job.error.message}</p> : null}
    </li>
  );
}

export function QueuePane() {
  const jobs = useAppSelector(selectJobs);
  return (
    <section className="pane pane-queue" aria-label="Queue">
      <h2>Queue</h2>
      {jobs.length === 0 ? (
        <p className="empty">No jobs yet.</p>
      ) : (
        <ul className="job-list">
          {jobs.map((job) => (
            <JobRow key={job.id} job={job} />
          ))}
        </ul>
      )}
    </section>
  );
}
