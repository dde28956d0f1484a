import { useAppDispatch, useAppSelector } from '../../app/hooks.js';
import { usePlatform } from '../../app/PlatformContext.js';
import {
  addToTimeline,
  extractFrame,
  rerenderClip,
  selectClipView,
  selectReadyClips,
  setActiveTake,
} from '../media/mediaSlice.js';
import { type Prefill, promptPrefilled } from '../prompt/promptSlice.js';
import { MODE_LABELS } from '../queue/QueuePane.js';
import { clipSelected, errorMessage, selectPlayhead, selectSelectedClipId, toastShown } from '../ui/uiSlice.js';

export function InspectorPane() {
  const dispatch = useAppDispatch();
  const platform = usePlatform();
  const selectedId = useAppSelector(selectSelectedClipId);
  const view = useAppSelector((state) => selectClipView(state, selectedId));
  const playhead = useAppSelector(selectPlayhead);
  const ready = useAppSelector(selectReadyClips);
  const asset = view?.asset ?? null;
  const recipe = asset?.recipe ?? null;
  // Re-render uses the installed pack: a clip made with another version of it comes out different.
  const installedPack = useAppSelector((state) => state.project.info?.packs.find((p) => p.name === recipe?.pack.name));
  const packChanged = recipe && installedPack && installedPack.version !== recipe.pack.version;
  const isVideo = asset?.kind === 'video';
  const clipId = view?.clip.id ?? '';
  const nameOf = (path: string | undefined) =>
    path ? (ready.find((c) => c.asset?.path === path)?.clip ?? null) : null;

  const prefill = (p: Prefill) => {
    dispatch(promptPrefilled({ ...p, sourceClipId: clipId, prompt: recipe?.prompt ?? view?.clip.name ?? '' }));
    document.querySelector<HTMLTextAreaElement>('textarea[aria-label="Prompt"]')?.focus();
  };
  const frameAsImage = async () => {
    const result = await dispatch(extractFrame([clipId, playhead]));
    if (extractFrame.fulfilled.match(result)) {
      dispatch(promptPrefilled({ mode: 'image', sourceClipId: result.payload.id, prompt: recipe?.prompt ?? '' }));
    }
  };
  const copyRecipe = async () => {
    try {
      await navigator.clipboard.writeText(JSON.stringify(recipe, null, 2));
      dispatch(toastShown('Recipe copied to the clipboard', null, 'info'));
    } catch (error) {
      dispatch(
        toastShown(
          `Could not copy: ${errorMessage(error)}`,
          'Allow clipboard access, or read the JSON sidecar in media/.',
        ),
      );
    }
  };

  if (!view || !asset) {
    return (
      <section className="pane pane-inspector" aria-label="Inspector">
        <h2>Inspector</h2>
        <p className="empty">Select a clip in Media to see its recipe and takes.</p>
      </section>
    );
  }

  const link = (path: string | undefined) => {
    const clip = nameOf(path);
    if (!path) return null;
    return clip ? (
      <button type="button" className="link" onClick={() => dispatch(clipSelected(clip.id))}>
        {clip.name}
      </button>
    ) : (
      <span title={path}>{path.split(/[\\/]/).pop()}</span>
    );
  };

  return (
    <section className="pane pane-inspector" aria-label="Inspector">
      <h2>Inspector</h2>
      <p className="inspector-title">{view.clip.name}</p>
      <fieldset className="takes">
        <legend>Takes</legend>
        {view.takes.map(({ take, asset: a }, i) => (
          <label key={take.id} className={a ? '' : 'pending'}>
            <input
              type="radio"
              name={`take-${clipId}`}
              checked={take.id === view.clip.activeTakeId}
              disabled={!a}
              onChange={() => void dispatch(setActiveTake([clipId, take.id]))}
            />
            {a?.posterPath ? <img src={platform.mediaUrl(a.posterPath)} alt="" /> : null}
            {`Take ${i + 1}`}
            <span className="hint">{a ? ` · seed ${take.seed ?? '?'}` : ' · rendering…'}</span>
          </label>
        ))}
      </fieldset>
      <div className="actions">
        <button
          type="button"
          disabled={!recipe}
          onClick={() => void dispatch(rerenderClip([clipId, false]))}
          title="Same recipe, same seed: identical frames"
        >
          Re-render
        </button>
        <button type="button" disabled={!recipe} onClick={() => void dispatch(rerenderClip([clipId, true]))}>
          Re-render with new seed
        </button>
        <button
          type="button"
          disabled={!isVideo}
          onClick={() => void frameAsImage()}
          title="The frame at the playhead becomes the source of an Image job"
        >
          Use as image
        </button>
        <button type="button" disabled={!isVideo} onClick={() => prefill({ mode: 'extend', direction: 'forward' })}>
          Extend forward
        </button>
        <button type="button" disabled={!isVideo} onClick={() => prefill({ mode: 'extend', direction: 'backward' })}>
          Extend backward
        </button>
        <button type="button" disabled={!isVideo} onClick={() => prefill({ mode: 'remix' })}>
          Remix
        </button>
        <button
          type="button"
          title="A seamless loop with this clip's prompt (and this image as its start)"
          onClick={() =>
            dispatch(
              promptPrefilled({
                mode: 'loop',
                sourceClipId: isVideo ? '' : clipId,
                prompt: recipe?.prompt ?? view.clip.name,
              }),
            )
          }
        >
          Loop
        </button>
        <button type="button" onClick={() => void dispatch(addToTimeline([clipId]))}>
          Add to timeline
        </button>
        <button type="button" disabled={!recipe} onClick={() => void copyRecipe()}>
          Copy recipe
        </button>
      </div>
      {recipe ? (
        <dl className="props" aria-label="Recipe">
          <dt>Mode</dt>
          <dd>{MODE_LABELS[recipe.mode]}</dd>
          <dt>Prompt</dt>
          <dd>{recipe.prompt || '—'}</dd>
          <dt>Caption</dt>
          <dd>
            {recipe.expandedPrompt || '—'}
            {recipe.unknownWords.length ? (
              <span className="unknown"> (not understood: {recipe.unknownWords.join(', ')})</span>
            ) : null}
          </dd>
          {recipe.negativePrompt ? (
            <>
              <dt>Negative</dt>
              <dd>{recipe.negativePrompt}</dd>
            </>
          ) : null}
          <dt>Seed</dt>
          <dd>{recipe.seed}</dd>
          {recipe.searchCandidate !== undefined ? (
            <>
              <dt>Noise search</dt>
              <dd title="The pack's attribute guide chose this starting noise among the candidates (0 is the seed's own)">
                candidate {recipe.searchCandidate} of {recipe.search}
              </dd>
            </>
          ) : null}
          <dt>Steps</dt>
          <dd>
            {recipe.steps} ({recipe.sampler})
          </dd>
          <dt>Precision</dt>
          <dd
            data-testid="recipe-precision"
            title="The transformer that ran: int8 is faster; its frames can differ at object edges on another kind of CPU, where fp32 frames agree"
          >
            {recipe.precision ?? 'fp32'}
          </dd>
          <dt>Guidance</dt>
          <dd
            title={
              recipe.guidanceHigh
                ? 'Classifier-free guidance; the stronger value applies at the highest noise levels (t near 1), where the model settles shape and layout'
                : 'Classifier-free guidance'
            }
          >
            {recipe.guidance}
            {recipe.guidanceHigh ? ` (${recipe.guidanceHigh.guidance} for t ≥ ${recipe.guidanceHigh.fromT})` : ''}
          </dd>
          <dt>Size</dt>
          <dd>
            {recipe.width}×{recipe.height}, {recipe.frames} frames @ {recipe.fps} fps
          </dd>
          {recipe.source ? (
            <>
              <dt>Source</dt>
              <dd>{link(recipe.source)}</dd>
            </>
          ) : null}
          {recipe.sourceEnd ? (
            <>
              <dt>Leads into</dt>
              <dd>{link(recipe.sourceEnd)}</dd>
            </>
          ) : null}
          {recipe.strength !== undefined ? (
            <>
              <dt>Strength</dt>
              <dd>{recipe.strength}</dd>
            </>
          ) : null}
          <dt>Pack</dt>
          <dd>
            {recipe.pack.name} {recipe.pack.version}
            {packChanged ? (
              <span className="hint" data-testid="pack-changed">
                {' '}
                (installed: {installedPack.version}; a re-render uses it, so its frames will differ)
              </span>
            ) : null}
          </dd>
          <dt>Engine</dt>
          <dd>
            {recipe.engine.version} · onnxruntime {recipe.engine.onnxruntime} ({recipe.engine.provider})
            {recipe.engine.cpu ? ` · ${recipe.engine.cpu}` : ''}
          </dd>
          {recipe.timings?.total !== undefined ? (
            <>
              <dt>Time</dt>
              <dd
                title={Object.entries(recipe.timings)
                  .map(([k, v]) => `${k} ${v} ms`)
                  .join(', ')}
              >
                {(recipe.timings.total / 1000).toFixed(1)} s
              </dd>
            </>
          ) : null}
        </dl>
      ) : (
        <dl className="props" aria-label="File">
          <dt>File</dt>
          <dd>{asset.path.split(/[\\/]/).pop()}</dd>
          <dt>Size</dt>
          <dd>
            {asset.width}×{asset.height}
            {asset.kind === 'video' ? `, ${asset.frames} frames` : ''}
          </dd>
          <dt>Recipe</dt>
          <dd>none (not made by Tessera)</dd>
        </dl>
      )}
    </section>
  );
}
