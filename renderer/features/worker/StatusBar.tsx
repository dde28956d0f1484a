import { useAppSelector } from '../../app/hooks.js';
import { selectWorkerStatus } from './workerSlice.js';

export function StatusBar() {
  const status = useAppSelector(selectWorkerStatus);
  return (
    <footer className="status-bar">
      <span className={`status-dot state-${status?.state ?? 'starting'}`} aria-hidden="true" />
      <span>Worker: {status?.state ?? 'connecting…'}</span>
      <span data-testid="onnxruntime">
        onnxruntime {status?.onnxruntimeVersion ?? '—'} · providers:{' '}
        {status?.providers.length ? status.providers.join(', ') : '—'}
      </span>
      <span>Engine: {status ? (status.engineAvailable ? 'loaded' : 'not available') : '—'}</span>
      {status?.lastError ? <span className="status-error">Last worker error: {status.lastError.message}</span> : null}
    </footer>
  );
}
