import { useAppSelector } from '../../app/hooks.js';
import { selectSelectedJobId } from '../bin/binSlice.js';
import { selectJobById } from '../queue/queueSlice.js';

export function InspectorPane() {
  const selectedId = useAppSelector(selectSelectedJobId);
  const job = useAppSelector((state) => (selectedId ? selectJobById(state, selectedId) : undefined));
  const recipe = job?.result?.recipe;
  return (
    <section className="pane pane-inspector" aria-label="Inspector">
      <h2>Inspector</h2>
      {recipe ? (
        <dl className="props">
          <dt>Prompt</dt>
          <dd>{recipe.prompt}</dd>
          <dt>Mode</dt>
          <dd>{recipe.mode}</dd>
          <dt>Seed</dt>
          <dd>{recipe.seed}</dd>
          <dt>Steps</dt>
          <dd>
            {recipe.steps} ({recipe.sampler})
          </dd>
          <dt>Guidance</dt>
          <dd>{recipe.guidance}</dd>
          <dt>Size</dt>
          <dd>
            {recipe.width}×{recipe.height}, {recipe.frames} frames @ {recipe.fps} fps
          </dd>
          <dt>Pack</dt>
          <dd>
            {recipe.pack.name} {recipe.pack.version}
          </dd>
        </dl>
      ) : (
        <p className="empty">Nothing selected.</p>
      )}
    </section>
  );
}
