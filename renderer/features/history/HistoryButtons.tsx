import { useAppDispatch, useAppSelector } from '../../app/hooks.js';
import { redoEdit, selectHistory, undoEdit } from './historySlice.js';

/** Undo and Redo, each saying what it would do (the keyboard shortcuts live in App). */
export function HistoryButtons() {
  const dispatch = useAppDispatch();
  const history = useAppSelector(selectHistory);
  return (
    <>
      <button
        type="button"
        disabled={!history.canUndo}
        onClick={() => void dispatch(undoEdit())}
        title={`${history.undoLabel ?? 'Nothing to undo'} (Ctrl+Z)`}
      >
        Undo
      </button>
      <button
        type="button"
        disabled={!history.canRedo}
        onClick={() => void dispatch(redoEdit())}
        title={`${history.redoLabel ?? 'Nothing to redo'} (Ctrl+Shift+Z)`}
      >
        Redo
      </button>
    </>
  );
}
