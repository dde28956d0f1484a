/**
 * The project document's invariants, re-established after undo or redo put back records from an
 * earlier state into a document that has moved on since (jobs finished or were removed, clips
 * were added). Nothing here removes an asset or touches a file: a take that comes back is linked
 * to the asset its job produced, listed again if need be, so a generated clip is never lost.
 */
import type { Job, Take } from '../../../preload/contract.js';
import type { ProjectFile } from './schema.js';

export interface ConsistencyHooks {
  /** The job as the queue has it now; undefined once it has left the queue. */
  job(jobId: string): Job | undefined;
  /** The id of the asset listing a succeeded job's output (listed now if it was not). */
  assetFor(job: Job): string;
}

/** Fixes `file` in place so that every reference resolves and every clip can be shown. */
export function makeConsistent(file: ProjectFile, hooks: ConsistencyHooks): void {
  const clipIds = new Set(file.clips.map((c) => c.id));
  const assetIds = new Set(file.assets.map((a) => a.id));

  // Takes belong to a clip that exists; a pending take needs a job that can still finish.
  file.takes = file.takes.filter((take) => {
    if (!clipIds.has(take.clipId)) return false;
    if (take.assetId !== null) return assetIds.has(take.assetId);
    if (take.jobId === null) return false;
    const job = hooks.job(take.jobId);
    if (!job) return false; // its job was removed while the take was out of the document
    if (job.state === 'succeeded' && job.result) fillTake(take, job, hooks);
    return true;
  });

  // Each clip lists exactly its takes (ones added while it was out of the document included).
  const takesOf = new Map<string, Take[]>();
  for (const take of file.takes) takesOf.set(take.clipId, [...(takesOf.get(take.clipId) ?? []), take]);
  for (const clip of file.clips) {
    const own = takesOf.get(clip.id) ?? [];
    const ownIds = new Set(own.map((t) => t.id));
    const listed = clip.takeIds.filter((id) => ownIds.has(id));
    clip.takeIds = [...listed, ...own.map((t) => t.id).filter((id) => !listed.includes(id))];
  }

  // A clip without takes cannot be shown or played: it goes, as when its only job is removed.
  const empty = new Set(file.clips.filter((c) => c.takeIds.length === 0).map((c) => c.id));
  file.clips = file.clips.filter((c) => !empty.has(c.id));
  file.takes = file.takes.filter((t) => !empty.has(t.clipId));

  // The active take is a finished one of the clip: the one chosen if it still is, else the latest.
  const ready = new Set(file.takes.filter((t) => t.assetId !== null).map((t) => t.id));
  for (const clip of file.clips) {
    if (clip.activeTakeId !== null && clip.takeIds.includes(clip.activeTakeId) && ready.has(clip.activeTakeId))
      continue;
    clip.activeTakeId = clip.takeIds.findLast((id) => ready.has(id)) ?? null;
  }

  const live = new Set(file.clips.map((c) => c.id));
  file.timeline.clipIds = file.timeline.clipIds.filter((id) => live.has(id));
}

/** A take whose job finished while the take was out of the document gets the job's output. */
function fillTake(take: Take, job: Job, hooks: ConsistencyHooks): void {
  if (!job.result) return;
  take.assetId = hooks.assetFor(job);
  take.seed = job.result.recipe.seed;
}
