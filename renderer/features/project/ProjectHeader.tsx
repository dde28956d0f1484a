import { useAppDispatch, useAppSelector } from '../../app/hooks.js';
import { HistoryButtons } from '../history/HistoryButtons.js';
import { helpToggled, logToggled } from '../ui/uiSlice.js';
import { loadRecent, projectDialogOpened, saveProject, selectProject } from './projectSlice.js';

export function ProjectHeader() {
  const dispatch = useAppDispatch();
  const project = useAppSelector(selectProject);
  const open = project.dir !== null;
  const saveState = !open ? '' : project.dirty ? 'Unsaved changes' : project.savedAt ? 'Saved' : '';
  return (
    <header className="app-header">
      <h1>Tessera</h1>
      <span className="project-name" title={project.dir ?? undefined}>
        {project.name}
      </span>
      <span className={`save-state${project.dirty ? ' dirty' : ''}`} role="status" aria-label="Save state">
        {saveState}
      </span>
      <nav className="header-actions" aria-label="Project">
        <button type="button" onClick={() => dispatch(projectDialogOpened({ kind: 'new' }))} title="Ctrl+N">
          New project
        </button>
        <button
          type="button"
          onClick={() => {
            void dispatch(loadRecent());
            dispatch(projectDialogOpened({ kind: 'open' }));
          }}
          title="Ctrl+O"
        >
          Open project
        </button>
        <button type="button" disabled={!open} onClick={() => void dispatch(saveProject())} title="Ctrl+S">
          Save
        </button>
        <button type="button" disabled={!open} onClick={() => dispatch(projectDialogOpened({ kind: 'saveAs' }))}>
          Save as…
        </button>
        <span className="sep" />
        <HistoryButtons />
        <span className="sep" />
        <button type="button" onClick={() => dispatch(logToggled())}>
          Log
        </button>
        <button
          type="button"
          aria-label="Keyboard shortcuts"
          title="Keyboard shortcuts (?)"
          onClick={() => dispatch(helpToggled())}
        >
          ?
        </button>
      </nav>
    </header>
  );
}
