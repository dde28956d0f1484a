/** The undo history on its own: field-level diffs, inversion, the bound, redo cleared by a new edit. */
import { describe, expect, it } from 'vitest';
import {
  applyDiff,
  captureDoc,
  type DocDiff,
  diffDocs,
  type EditableDoc,
  EditHistory,
  invertDiff,
  isEmptyDiff,
} from '../main/node/project/history.js';

const at = new Date(0).toISOString();

function doc(): EditableDoc {
  return {
    clips: [
      { id: 'clip-a', name: 'A', takeIds: ['take-a1', 'take-a2'], activeTakeId: 'take-a2', createdAt: at },
      { id: 'clip-b', name: 'B', takeIds: ['take-b1'], activeTakeId: 'take-b1', createdAt: at },
    ],
    takes: [
      { id: 'take-a1', clipId: 'clip-a', jobId: null, assetId: 'asset-1', seed: 1, createdAt: at },
      { id: 'take-a2', clipId: 'clip-a', jobId: null, assetId: 'asset-2', seed: 2, createdAt: at },
      { id: 'take-b1', clipId: 'clip-b', jobId: null, assetId: 'asset-3', seed: 3, createdAt: at },
    ],
    timeline: { clipIds: ['clip-a', 'clip-b', 'clip-a'] },
  };
}

/** Runs `change` on `d` and returns the diff it made. */
function edit(d: EditableDoc, change: (d: EditableDoc) => void): DocDiff {
  const before = captureDoc(d);
  change(d);
  return diffDocs(before, captureDoc(d));
}

/** An `apply` for EditHistory that works on `d` and reports what changed. */
const applier = (d: EditableDoc) => (diff: DocDiff) => edit(d, (x) => applyDiff(x, diff));

describe('document diffs', () => {
  it('records only the fields that changed', () => {
    const d = doc();
    const diff = edit(d, (x) => {
      const a = x.clips[0];
      if (a) a.activeTakeId = 'take-a1';
    });
    expect(diff.clips.updated).toEqual([
      { id: 'clip-a', before: { activeTakeId: 'take-a2' }, after: { activeTakeId: 'take-a1' } },
    ]);
    expect(diff.clips.added).toEqual([]);
    expect(diff.takes.updated).toEqual([]);
    expect(diff.timeline).toBeNull();
    expect(isEmptyDiff(edit(d, () => {}))).toBe(true);
  });

  it('removing a clip and undoing it puts the records back where they were', () => {
    const d = doc();
    const original = captureDoc(d);
    const diff = edit(d, (x) => {
      x.clips = x.clips.filter((c) => c.id !== 'clip-a');
      x.takes = x.takes.filter((t) => t.clipId !== 'clip-a');
      x.timeline.clipIds = x.timeline.clipIds.filter((id) => id !== 'clip-a');
    });
    expect(diff.clips.removed.map((r) => [r.index, r.record.id])).toEqual([[0, 'clip-a']]);
    expect(d.timeline.clipIds).toEqual(['clip-b']);
    applyDiff(d, invertDiff(diff));
    expect(d).toEqual(original);
    applyDiff(d, diff);
    expect(d.clips.map((c) => c.id)).toEqual(['clip-b']);
  });

  it('undoing a field change leaves alone what happened to the record since', () => {
    const d = doc();
    const choose = edit(d, (x) => {
      const a = x.clips[0];
      if (a) a.activeTakeId = 'take-a1';
    });
    // Not an edit: a re-render adds a third take to the clip, and a generated clip arrives.
    d.clips[0]?.takeIds.push('take-a3');
    d.takes.push({ id: 'take-a3', clipId: 'clip-a', jobId: 'job-3', assetId: null, seed: 9, createdAt: at });
    d.clips.push({ id: 'clip-c', name: 'C', takeIds: [], activeTakeId: null, createdAt: at });
    applyDiff(d, invertDiff(choose));
    expect(d.clips[0]).toMatchObject({ activeTakeId: 'take-a2', takeIds: ['take-a1', 'take-a2', 'take-a3'] });
    expect(d.clips.map((c) => c.id)).toEqual(['clip-a', 'clip-b', 'clip-c']);
    expect(d.takes).toHaveLength(4);
  });
});

describe('EditHistory', () => {
  it("redo re-applies the edit's own values, not the ones undo replaced", () => {
    const d = doc();
    const history = new EditHistory();
    const a = () => d.clips[0];
    history.record(
      'choose take',
      edit(d, () => {
        const clip = a();
        if (clip) clip.activeTakeId = 'take-a1';
      }),
    );
    // Not an edit: a new take finishes and becomes active.
    a()?.takeIds.push('take-a3');
    d.takes.push({ id: 'take-a3', clipId: 'clip-a', jobId: null, assetId: 'asset-4', seed: 4, createdAt: at });
    const clip = a();
    if (clip) clip.activeTakeId = 'take-a3';
    history.undo(applier(d));
    expect(a()?.activeTakeId).toBe('take-a2');
    history.redo(applier(d));
    expect(a()?.activeTakeId).toBe('take-a1');
    history.undo(applier(d));
    expect(a()?.activeTakeId).toBe('take-a2');
    expect(a()?.takeIds).toEqual(['take-a1', 'take-a2', 'take-a3']);
  });

  it('redo and undo again bring back what was added to a restored record meanwhile', () => {
    const d = doc();
    const history = new EditHistory();
    history.record(
      'remove clip',
      edit(d, (x) => {
        x.clips = x.clips.filter((c) => c.id !== 'clip-b');
        x.takes = x.takes.filter((t) => t.clipId !== 'clip-b');
        x.timeline.clipIds = x.timeline.clipIds.filter((id) => id !== 'clip-b');
      }),
    );
    history.undo(applier(d));
    // Not an edit: a re-render adds a take to the restored clip.
    d.clips[1]?.takeIds.push('take-b2');
    d.takes.push({ id: 'take-b2', clipId: 'clip-b', jobId: null, assetId: 'asset-5', seed: 5, createdAt: at });
    // Redo removes the clip; the new take goes with it (as removeClip and the consistency pass do).
    history.redo((diff) =>
      edit(d, (x) => {
        applyDiff(x, diff);
        x.takes = x.takes.filter((t) => x.clips.some((c) => c.id === t.clipId));
      }),
    );
    expect(d.takes.map((t) => t.id)).toEqual(['take-a1', 'take-a2']);
    history.undo(applier(d));
    expect(d.clips[1]).toMatchObject({ id: 'clip-b', takeIds: ['take-b1', 'take-b2'] });
    expect(d.takes.map((t) => t.id).sort()).toEqual(['take-a1', 'take-a2', 'take-b1', 'take-b2']);
  });

  it('undoes and redoes in order, with labels for the buttons', () => {
    const d = doc();
    const history = new EditHistory();
    expect(history.state()).toEqual({ canUndo: false, canRedo: false, undoLabel: null, redoLabel: null });
    history.record(
      'remove from timeline',
      edit(d, (x) => x.timeline.clipIds.splice(2, 1)),
    );
    history.record(
      'move in timeline',
      edit(d, (x) => x.timeline.clipIds.reverse()),
    );
    expect(d.timeline.clipIds).toEqual(['clip-b', 'clip-a']);
    expect(history.state().undoLabel).toBe('Undo move in timeline');
    expect(history.undo(applier(d))).toBe('move in timeline');
    expect(d.timeline.clipIds).toEqual(['clip-a', 'clip-b']);
    expect(history.state()).toEqual({
      canUndo: true,
      canRedo: true,
      undoLabel: 'Undo remove from timeline',
      redoLabel: 'Redo move in timeline',
    });
    expect(history.undo(applier(d))).toBe('remove from timeline');
    expect(d.timeline.clipIds).toEqual(['clip-a', 'clip-b', 'clip-a']);
    expect(history.undo(applier(d))).toBeNull();
    expect(history.redo(applier(d))).toBe('remove from timeline');
    expect(history.redo(applier(d))).toBe('move in timeline');
    expect(d.timeline.clipIds).toEqual(['clip-b', 'clip-a']);
    expect(history.redo(applier(d))).toBeNull();
  });

  it('a new edit clears redo; an edit that changes nothing is not recorded', () => {
    const d = doc();
    const history = new EditHistory();
    history.record(
      'remove from timeline',
      edit(d, (x) => x.timeline.clipIds.pop()),
    );
    history.undo(applier(d));
    expect(history.state().canRedo).toBe(true);
    history.record(
      'move in timeline',
      edit(d, () => {}),
    );
    expect(history.state().canRedo).toBe(true);
    history.record(
      'add to timeline',
      edit(d, (x) => x.timeline.clipIds.push('clip-b')),
    );
    expect(history.state()).toMatchObject({ canRedo: false, undoLabel: 'Undo add to timeline' });
  });

  it('keeps at most its limit of entries, dropping the oldest', () => {
    const d = doc();
    const history = new EditHistory(100);
    for (let i = 0; i < 130; i++)
      history.record(
        'add to timeline',
        edit(d, (x) => x.timeline.clipIds.push('clip-b')),
      );
    expect(history.size).toBe(100);
    let undone = 0;
    while (history.undo(applier(d))) undone++;
    expect(undone).toBe(100);
    // The 30 oldest additions stay.
    expect(d.timeline.clipIds).toHaveLength(3 + 30);
  });

  it('skips entries that no longer change anything', () => {
    const d = doc();
    const history = new EditHistory();
    history.record(
      'add to timeline',
      edit(d, (x) => x.timeline.clipIds.push('clip-b')),
    );
    history.record(
      'choose take',
      edit(d, (x) => {
        const a = x.clips[0];
        if (a) a.activeTakeId = 'take-a1';
      }),
    );
    // Not an edit: the clip goes (its only job was removed, say).
    d.clips = d.clips.filter((c) => c.id !== 'clip-a');
    expect(history.undo(applier(d))).toBe('add to timeline');
    expect(history.state().canUndo).toBe(false);
  });
});
