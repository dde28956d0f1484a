import { useEffect, useState } from 'react';
import { redoEdit, undoEdit } from '../features/history/historySlice.js';
import { InspectorPane } from '../features/inspector/InspectorPane.js';
import { MediaPane } from '../features/media/MediaPane.js';
import { PlayerPane } from '../features/player/PlayerPane.js';
import { ProjectDialog } from '../features/project/ProjectDialog.js';
import { ProjectHeader } from '../features/project/ProjectHeader.js';
import { loadRecent, projectDialogOpened, saveProject } from '../features/project/projectSlice.js';
import { PromptPane } from '../features/prompt/PromptPane.js';
import { QueuePane } from '../features/queue/QueuePane.js';
import { TimelinePane } from '../features/timeline/TimelinePane.js';
import { HelpOverlay, LogPanel, Toasts } from '../features/ui/Overlays.js';
import { Splitter } from '../features/ui/Splitter.js';
import { helpToggled } from '../features/ui/uiSlice.js';
import { StatusBar } from '../features/worker/StatusBar.js';
import { useAppDispatch } from './hooks.js';

const typing = (target: EventTarget | null) =>
  target instanceof HTMLElement && (/^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName) || target.isContentEditable);

export function App() {
  const dispatch = useAppDispatch();
  const [left, setLeft] = useState(300);
  const [right, setRight] = useState(310);
  const [bottom, setBottom] = useState(150);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const mod = e.ctrlKey || e.metaKey;
      const key = e.key.toLowerCase();
      if (mod && !e.altKey && (key === 'z' || key === 'y') && !typing(e.target)) {
        // In a text field the browser's own undo edits the text; elsewhere it is the project's.
        e.preventDefault();
        void dispatch(key === 'y' || e.shiftKey ? redoEdit() : undoEdit());
      } else if (mod && key === 's') {
        e.preventDefault();
        void dispatch(saveProject());
      } else if (mod && key === 'o') {
        e.preventDefault();
        void dispatch(loadRecent());
        dispatch(projectDialogOpened({ kind: 'open' }));
      } else if (mod && key === 'n') {
        e.preventDefault();
        dispatch(projectDialogOpened({ kind: 'new' }));
      } else if (e.key === '?' && !typing(e.target)) {
        e.preventDefault();
        dispatch(helpToggled());
      } else if (e.key === 'Escape') {
        dispatch(helpToggled(false));
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [dispatch]);
  return (
    <div className="app">
      <ProjectHeader />
      <main
        className="workspace"
        style={{ '--left': `${left}px`, '--right': `${right}px`, '--bottom': `${bottom}px` } as React.CSSProperties}
      >
        <PromptPane />
        <MediaPane />
        <PlayerPane />
        <InspectorPane />
        <QueuePane />
        <TimelinePane />
        <Splitter
          label="Resize the left panes"
          orientation="vertical"
          value={left}
          min={220}
          max={520}
          direction={1}
          onChange={setLeft}
          style={{ left: left - 2, top: 0, bottom: bottom }}
        />
        <Splitter
          label="Resize the right panes"
          orientation="vertical"
          value={right}
          min={220}
          max={560}
          direction={-1}
          onChange={setRight}
          style={{ right: right - 2, top: 0, bottom: bottom }}
        />
        <Splitter
          label="Resize the timeline"
          orientation="horizontal"
          value={bottom}
          min={90}
          max={400}
          direction={-1}
          onChange={setBottom}
          style={{ left: 0, right: 0, bottom: bottom - 2 }}
        />
      </main>
      <StatusBar />
      <Toasts />
      <ProjectDialog />
      <HelpOverlay />
      <LogPanel />
    </div>
  );
}
