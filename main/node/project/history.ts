/**
 * The undo history of the project document's user edits (timeline add, move and remove, removing
 * a clip, choosing a take). Entries are field-level diffs of the editable records (clips, takes,
 * the timeline), not whole documents, so undoing an edit leaves alone what happened since that is
 * not an edit: clips and takes that generation added, a take a finished job filled in (tldraw's
 * HistoryManager keeps diffs for the same reason). Assets, the files in media/, are never part of
 * an entry: undo and redo re-link clips and takes to them but never drop or delete one.
 *
 * After undo or redo, the step back records the records it really added or removed, with what they
 * hold by then (a take a re-render added to a restored clip comes back too), and the field values
 * and the timeline the edit itself set: redo re-applies the user's choice, not what undo replaced.
 * Bounded; a new edit clears redo. Pure data, no I/O.
 */
import type { Clip, HistoryState, Take, Timeline } from '../../../preload/contract.js';

/** Entries kept; the oldest goes first. */
export const HISTORY_LIMIT = 100;

/** The part of the project file that user edits change. */
export interface EditableDoc {
  clips: Clip[];
  takes: Take[];
  timeline: Timeline;
}

interface Entity {
  id: string;
}

/** Changes to a list of records keyed by id (the list's order is not the document's meaning). */
export interface RecordChanges<T extends Entity> {
  /** Records the change added, with their position in the list after it. */
  added: { index: number; record: T }[];
  /** Records the change removed, with their position in the list before it. */
  removed: { index: number; record: T }[];
  /** Records in both: only the fields that changed. */
  updated: { id: string; before: Partial<T>; after: Partial<T> }[];
}

export interface DocDiff {
  clips: RecordChanges<Clip>;
  takes: RecordChanges<Take>;
  /** The timeline is one ordered list (a clip may appear twice): kept whole. */
  timeline: { before: string[]; after: string[] } | null;
}

export interface HistoryEntry {
  /** What the edit did, lower case: "remove from timeline". */
  label: string;
  diff: DocDiff;
}

/** A deep copy of the editable part of `doc`, to diff against after a change. */
export function captureDoc(doc: EditableDoc): EditableDoc {
  return structuredClone({ clips: doc.clips, takes: doc.takes, timeline: doc.timeline });
}

function same(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => same(v, b[i]));
  return a === b;
}

function diffRecords<T extends Entity>(before: T[], after: T[]): RecordChanges<T> {
  const beforeIds = new Set(before.map((r) => r.id));
  const afterById = new Map(after.map((r) => [r.id, r]));
  const changes: RecordChanges<T> = { added: [], removed: [], updated: [] };
  before.forEach((record, index) => {
    const next = afterById.get(record.id);
    if (!next) {
      changes.removed.push({ index, record: structuredClone(record) });
      return;
    }
    const keys = new Set([...Object.keys(record), ...Object.keys(next)] as (keyof T)[]);
    const was: Partial<T> = {};
    const now: Partial<T> = {};
    for (const key of keys) {
      if (same(record[key], next[key])) continue;
      was[key] = structuredClone(record[key]);
      now[key] = structuredClone(next[key]);
    }
    if (Object.keys(now).length > 0) changes.updated.push({ id: record.id, before: was, after: now });
  });
  after.forEach((record, index) => {
    if (!beforeIds.has(record.id)) changes.added.push({ index, record: structuredClone(record) });
  });
  return changes;
}

/** What changed from `before` to `after`. */
export function diffDocs(before: EditableDoc, after: EditableDoc): DocDiff {
  return {
    clips: diffRecords(before.clips, after.clips),
    takes: diffRecords(before.takes, after.takes),
    timeline: same(before.timeline.clipIds, after.timeline.clipIds)
      ? null
      : { before: [...before.timeline.clipIds], after: [...after.timeline.clipIds] },
  };
}

const recordsEmpty = (c: RecordChanges<Entity>) => c.added.length + c.removed.length + c.updated.length === 0;

export function isEmptyDiff(diff: DocDiff): boolean {
  return recordsEmpty(diff.clips) && recordsEmpty(diff.takes) && diff.timeline === null;
}

function invertRecords<T extends Entity>(c: RecordChanges<T>): RecordChanges<T> {
  return {
    added: c.removed,
    removed: c.added,
    updated: c.updated.map((u) => ({ id: u.id, before: u.after, after: u.before })),
  };
}

/** The diff that takes the document back. */
export function invertDiff(diff: DocDiff): DocDiff {
  return {
    clips: invertRecords(diff.clips),
    takes: invertRecords(diff.takes),
    timeline: diff.timeline && { before: diff.timeline.after, after: diff.timeline.before },
  };
}

/**
 * Applies changes to the records as they are now: removes by id, sets only the changed fields of
 * records still there, puts added records back at their position unless already present.
 */
function applyRecords<T extends Entity>(list: T[], c: RecordChanges<T>): T[] {
  const removed = new Set(c.removed.map((r) => r.record.id));
  const out = list.filter((r) => !removed.has(r.id));
  for (const { id, after } of c.updated) {
    const record = out.find((r) => r.id === id);
    if (record) Object.assign(record, structuredClone(after));
  }
  for (const { index, record } of [...c.added].sort((a, b) => a.index - b.index)) {
    if (!out.some((r) => r.id === record.id)) out.splice(Math.min(index, out.length), 0, structuredClone(record));
  }
  return out;
}

/**
 * Applies `diff` to `doc` in place. The result may break the document's invariants (a timeline
 * entry whose clip is gone since); the caller makes it consistent again.
 */
export function applyDiff(doc: EditableDoc, diff: DocDiff): void {
  doc.clips = applyRecords(doc.clips, diff.clips);
  doc.takes = applyRecords(doc.takes, diff.takes);
  if (diff.timeline) doc.timeline.clipIds = [...diff.timeline.after];
}

/**
 * The diff that takes back a step that applied `applied` and really changed `actual`: the records
 * it added or removed as they were, the fields and the timeline as `applied` meant them.
 */
export function reverseOf(applied: DocDiff, actual: DocDiff): DocDiff {
  const meant = invertDiff(applied);
  const back = invertDiff(actual);
  return {
    clips: { added: back.clips.added, removed: back.clips.removed, updated: meant.clips.updated },
    takes: { added: back.takes.added, removed: back.takes.removed, updated: meant.takes.updated },
    timeline: meant.timeline,
  };
}

/** Applies a diff to the open document and returns what it actually changed. */
export type ApplyDiff = (diff: DocDiff) => DocDiff;

export class EditHistory {
  private done: HistoryEntry[] = [];
  private undone: HistoryEntry[] = [];

  constructor(private readonly limit = HISTORY_LIMIT) {}

  /** A new edit: kept (the oldest beyond the limit dropped); redo is cleared. Empty edits are ignored. */
  record(label: string, diff: DocDiff): void {
    if (isEmptyDiff(diff)) return;
    this.push({ label, diff });
    this.undone = [];
  }

  /**
   * Undoes the latest edit that still changes something (entries made moot by what happened
   * since, e.g. choosing a take of a clip that is gone, are dropped on the way).
   * Returns the edit's label, or null when there was nothing to undo.
   */
  undo(apply: ApplyDiff): string | null {
    for (let entry = this.done.pop(); entry; entry = this.done.pop()) {
      const applied = invertDiff(entry.diff);
      const actual = apply(applied);
      if (isEmptyDiff(actual)) continue;
      // Redo entries hold the diff to apply: the one taking this undo back.
      this.undone.push({ label: entry.label, diff: reverseOf(applied, actual) });
      return entry.label;
    }
    return null;
  }

  /** Redoes the latest undone edit; returns its label, or null when there was nothing to redo. */
  redo(apply: ApplyDiff): string | null {
    for (let entry = this.undone.pop(); entry; entry = this.undone.pop()) {
      const actual = apply(entry.diff);
      if (isEmptyDiff(actual)) continue;
      // Undo entries hold the edit's forward diff; undo applies its inverse.
      this.push({ label: entry.label, diff: invertDiff(reverseOf(entry.diff, actual)) });
      return entry.label;
    }
    return null;
  }

  clear(): void {
    this.done = [];
    this.undone = [];
  }

  /** How many edits can be undone (tests; the bound). */
  get size(): number {
    return this.done.length;
  }

  state(): HistoryState {
    const undo = this.done.at(-1)?.label ?? null;
    const redo = this.undone.at(-1)?.label ?? null;
    return {
      canUndo: undo !== null,
      canRedo: redo !== null,
      undoLabel: undo === null ? null : `Undo ${undo}`,
      redoLabel: redo === null ? null : `Redo ${redo}`,
    };
  }

  private push(entry: HistoryEntry): void {
    this.done.push(entry);
    if (this.done.length > this.limit) this.done.splice(0, this.done.length - this.limit);
  }
}
