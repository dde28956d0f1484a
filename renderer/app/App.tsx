import { MediaPane } from '../features/bin/MediaPane.js';
import { InspectorPane } from '../features/inspector/InspectorPane.js';
import { PlayerPane } from '../features/player/PlayerPane.js';
import { ProjectHeader } from '../features/project/ProjectHeader.js';
import { PromptPane } from '../features/prompt/PromptPane.js';
import { QueuePane } from '../features/queue/QueuePane.js';
import { TimelinePane } from '../features/timeline/TimelinePane.js';
import { StatusBar } from '../features/worker/StatusBar.js';

export function App() {
  return (
    <div className="app">
      <ProjectHeader />
      <main className="workspace">
        <PromptPane />
        <MediaPane />
        <PlayerPane />
        <InspectorPane />
        <QueuePane />
        <TimelinePane />
      </main>
      <StatusBar />
    </div>
  );
}
