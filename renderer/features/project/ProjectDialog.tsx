import { type FormEvent, useEffect, useId, useState } from 'react';
import { useAppDispatch, useAppSelector } from '../../app/hooks.js';
import {
  newProject,
  openProject,
  projectDialogOpened,
  restoreBackup,
  saveProjectAs,
  selectProject,
} from './projectSlice.js';

function Modal({ title, children }: { title: string; children: React.ReactNode }) {
  const dispatch = useAppDispatch();
  const id = useId();
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') dispatch(projectDialogOpened(null));
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [dispatch]);
  return (
    <div className="modal-backdrop">
      <div className="modal" role="dialog" aria-modal="true" aria-labelledby={id}>
        <h2 id={id}>{title}</h2>
        {children}
      </div>
    </div>
  );
}

const parentOf = (dir: string) => dir.replace(/[\\/][^\\/]*$/, '');

export function ProjectDialog() {
  const dispatch = useAppDispatch();
  const project = useAppSelector(selectProject);
  const dialog = project.dialog;
  const [name, setName] = useState('');
  const [folder, setFolder] = useState('');
  const pending = project.status === 'pending';
  const kind = dialog?.kind;

  useEffect(() => {
    if (kind === 'new') {
      setName('');
      setFolder(project.info?.projectsDir ?? '');
    } else if (kind === 'open') setFolder(project.recent[0]?.dir ?? '');
    else if (kind === 'saveAs' && project.dir) setFolder(`${project.dir}-copy`);
  }, [kind, project.info, project.recent, project.dir]);

  if (!dialog) return null;
  const close = () => dispatch(projectDialogOpened(null));
  const cancel = (
    <button type="button" onClick={close}>
      Cancel
    </button>
  );

  if (dialog.kind === 'damaged') {
    return (
      <Modal title="This project cannot be opened">
        <p className="modal-message">{dialog.message}</p>
        <p className="hint">Nothing has been changed. Restoring keeps the damaged file next to the project.</p>
        <div className="modal-actions">
          {cancel}
          <button
            type="button"
            className="primary"
            disabled={pending || !/backup/i.test(dialog.message) || /no backup/i.test(dialog.message)}
            onClick={() => void dispatch(restoreBackup(dialog.dir))}
          >
            Restore backup
          </button>
        </div>
      </Modal>
    );
  }

  if (dialog.kind === 'new') {
    const submit = (e: FormEvent) => {
      e.preventDefault();
      if (name.trim())
        void dispatch(newProject({ name: name.trim(), ...(folder.trim() ? { parentDir: folder.trim() } : {}) }));
    };
    return (
      <Modal title="New project">
        <form onSubmit={submit} className="modal-form">
          <label>
            Project name
            {/* biome-ignore lint/a11y/noAutofocus: the dialog's first field */}
            <input autoFocus value={name} onChange={(e) => setName(e.target.value)} maxLength={100} />
          </label>
          <label>
            Location
            <input value={folder} onChange={(e) => setFolder(e.target.value)} />
          </label>
          <p className="hint">A folder named after the project is created here, with project.json and media/.</p>
          <div className="modal-actions">
            {cancel}
            <button type="submit" className="primary" disabled={pending || !name.trim()}>
              Create
            </button>
          </div>
        </form>
      </Modal>
    );
  }

  if (dialog.kind === 'open') {
    const submit = (e: FormEvent) => {
      e.preventDefault();
      if (folder.trim()) void dispatch(openProject(folder.trim()));
    };
    return (
      <Modal title="Open project">
        <form onSubmit={submit} className="modal-form">
          <label>
            Project folder
            {/* biome-ignore lint/a11y/noAutofocus: the dialog's first field */}
            <input autoFocus value={folder} onChange={(e) => setFolder(e.target.value)} />
          </label>
          {project.recent.length > 0 ? (
            <ul className="recent" aria-label="Recent projects">
              {project.recent.map((r) => (
                <li key={r.dir}>
                  <button type="button" title={r.dir} onClick={() => void dispatch(openProject(r.dir))}>
                    {r.name}
                  </button>
                  <span className="hint">{parentOf(r.dir)}</span>
                </li>
              ))}
            </ul>
          ) : (
            <p className="hint">No recent projects.</p>
          )}
          <div className="modal-actions">
            {cancel}
            <button type="submit" className="primary" disabled={pending || !folder.trim()}>
              Open
            </button>
          </div>
        </form>
      </Modal>
    );
  }

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (folder.trim()) void dispatch(saveProjectAs({ dir: folder.trim() }));
  };
  return (
    <Modal title="Save project as">
      <form onSubmit={submit} className="modal-form">
        <label>
          New folder
          {/* biome-ignore lint/a11y/noAutofocus: the dialog's first field */}
          <input autoFocus value={folder} onChange={(e) => setFolder(e.target.value)} />
        </label>
        <p className="hint">The project and its media are copied there; you continue in the copy.</p>
        <div className="modal-actions">
          {cancel}
          <button type="submit" className="primary" disabled={pending || !folder.trim()}>
            Save copy
          </button>
        </div>
      </form>
    </Modal>
  );
}
