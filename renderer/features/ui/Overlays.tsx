import { useEffect } from 'react';
import { useAppDispatch, useAppSelector } from '../../app/hooks.js';
import {
  helpToggled,
  logToggled,
  selectHelpOpen,
  selectLog,
  selectLogOpen,
  selectToasts,
  toastDismissed,
} from './uiSlice.js';

export function Toasts() {
  const dispatch = useAppDispatch();
  const toasts = useAppSelector(selectToasts);
  useEffect(() => {
    const timers = toasts.map((t) =>
      setTimeout(() => dispatch(toastDismissed(t.id)), t.kind === 'error' ? 12_000 : 3_000),
    );
    return () => {
      for (const timer of timers) clearTimeout(timer);
    };
  }, [toasts, dispatch]);
  return (
    <div className="toasts" aria-live="polite">
      {toasts.map((t) => (
        <div key={t.id} className={`toast toast-${t.kind}`} role={t.kind === 'error' ? 'alert' : 'status'}>
          <div>
            <p className="toast-message">{t.message}</p>
            {t.action ? <p className="toast-action">{t.action}</p> : null}
          </div>
          <button type="button" className="icon" aria-label="Dismiss" onClick={() => dispatch(toastDismissed(t.id))}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}

const SHORTCUTS: [string, string][] = [
  ['Ctrl+Enter', 'Generate (in the prompt)'],
  ['Space', 'Play / pause'],
  ['← / →', 'Previous / next frame'],
  ['Ctrl+Z', 'Undo (timeline, take choice, clip removal)'],
  ['Ctrl+Shift+Z / Ctrl+Y', 'Redo'],
  ['Ctrl+S', 'Save project'],
  ['Ctrl+O', 'Open project'],
  ['Ctrl+N', 'New project'],
  ['?', 'Show or hide this help'],
  ['Esc', 'Close dialogs'],
];

export function HelpOverlay() {
  const dispatch = useAppDispatch();
  const open = useAppSelector(selectHelpOpen);
  if (!open) return null;
  return (
    <div className="modal-backdrop">
      <div className="modal" role="dialog" aria-modal="true" aria-label="Keyboard shortcuts">
        <h2>Keyboard shortcuts</h2>
        <table className="shortcuts">
          <tbody>
            {SHORTCUTS.map(([key, what]) => (
              <tr key={key}>
                <td>
                  <kbd>{key}</kbd>
                </td>
                <td>{what}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <p className="hint">
          Drag clips from Media to the Timeline; drop image or video files on Media to import them.
        </p>
        <div className="modal-actions">
          <button type="button" className="primary" onClick={() => dispatch(helpToggled(false))}>
            Close
          </button>
        </div>
      </div>
    </div>
  );
}

export function LogPanel() {
  const dispatch = useAppDispatch();
  const open = useAppSelector(selectLogOpen);
  const log = useAppSelector(selectLog);
  if (!open) return null;
  return (
    <div className="modal-backdrop">
      <div className="modal log" role="dialog" aria-modal="true" aria-label="Log">
        <h2>Log</h2>
        {log.length === 0 ? (
          <p className="empty">Nothing has gone wrong yet.</p>
        ) : (
          <ol className="log-list">
            {[...log].reverse().map((t) => (
              <li key={t.id} className={`log-${t.kind}`}>
                <time>{new Date(t.at).toLocaleTimeString()}</time> {t.message}
                {t.action ? <span className="hint"> — {t.action}</span> : null}
              </li>
            ))}
          </ol>
        )}
        <div className="modal-actions">
          <button type="button" className="primary" onClick={() => dispatch(logToggled(false))}>
            Close
          </button>
        </div>
      </div>
    </div>
  );
}
