import { useAppSelector } from '../../app/hooks.js';
import { selectProjectName } from './projectSlice.js';

export function ProjectHeader() {
  const name = useAppSelector(selectProjectName);
  return (
    <header className="app-header">
      <h1>Tessera</h1>
      <span className="project-name">{name}</span>
    </header>
  );
}
