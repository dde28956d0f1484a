import { type FormEvent, type KeyboardEvent, type ReactNode, useEffect, useId } from 'react';
import type { Precision } from '../../../preload/recipe.js';
import { useAppDispatch, useAppSelector } from '../../app/hooks.js';
import { selectReadyClips } from '../media/mediaSlice.js';
import { selectPack } from '../project/projectSlice.js';
import {
  expandPrompt,
  type Field,
  fieldChanged,
  MODE_NAMES,
  promptEdited,
  SOURCE_KIND,
  seedRolled,
  selectPrompt,
  submitPrompt,
  UI_MODES,
} from './promptSlice.js';

function FieldError({ id, text }: { id: string; text: string | undefined }) {
  return text ? (
    <span id={id} className="field-error">
      {text}
    </span>
  ) : null;
}

/** Ties an input to its error message for screen readers, when there is one. */
function invalidProps(error: string | undefined, errId: string) {
  return error ? { 'aria-describedby': errId, 'aria-invalid': true as const } : {};
}

function Row({
  label,
  error,
  children,
}: {
  label: string;
  error?: string;
  children: (id: string, errId: string) => ReactNode;
}) {
  const id = useId();
  const errId = `${id}-error`;
  return (
    <div className={`field${error ? ' invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children(id, errId)}
      <FieldError id={errId} text={error} />
    </div>
  );
}

type NumberField = 'steps' | 'guidance' | 'strength';

/** A labelled number input bound to one text field of the form (kept as text so a half-typed
 * value is not lost; validatePrompt reads it). */
function NumberRow({
  field,
  label,
  min,
  max,
  step,
}: {
  field: NumberField;
  label: string;
  min: number;
  max: number;
  step?: number;
}) {
  const dispatch = useAppDispatch();
  const form = useAppSelector(selectPrompt);
  const error = form.errors[field];
  return (
    <Row label={label} error={error}>
      {(id, errId) => (
        <input
          id={id}
          type="number"
          min={min}
          max={max}
          step={step}
          value={form[field]}
          onChange={(e) => dispatch(fieldChanged({ [field]: e.target.value }))}
          {...invalidProps(error, errId)}
        />
      )}
    </Row>
  );
}

/** The caption the model will see, unknown words marked. */
function Caption({ caption, unknown }: { caption: string; unknown: string[] }) {
  const marked = new Set(unknown.map((w) => w.toLowerCase()));
  return (
    <p className="caption">
      <span className="caption-label">Model sees: </span>
      {caption || <em>(no caption: unconditional)</em>}
      {unknown.length > 0 ? (
        <span className="unknown">
          {' '}
          · not understood:{' '}
          {unknown.map((w) => (
            <mark
              key={w}
              title="The model does not know this word"
              className={marked.has(w.toLowerCase()) ? 'unknown-word' : ''}
            >
              {w}
            </mark>
          ))}
        </span>
      ) : null}
    </p>
  );
}

export function PromptPane() {
  const dispatch = useAppDispatch();
  const form = useAppSelector(selectPrompt);
  const pack = useAppSelector(selectPack);
  const clips = useAppSelector(selectReadyClips);
  const { errors } = form;
  const kind = SOURCE_KIND[form.mode];
  const sources = clips.filter((c) => c.asset?.kind === kind);
  const pending = form.submitStatus === 'pending';

  useEffect(() => {
    const text = form.prompt;
    const timer = setTimeout(() => void dispatch(expandPrompt(text)), 200);
    return () => clearTimeout(timer);
  }, [form.prompt, dispatch]);

  const submit = () => {
    if (!pending) void dispatch(submitPrompt());
  };
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    submit();
  };
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      submit();
    }
  };
  const set = (patch: Parameters<typeof fieldChanged>[0]) => dispatch(fieldChanged(patch));
  const err = (f: Field) => errors[f];

  return (
    <section className="pane pane-prompt" aria-label="Prompt">
      <h2>Prompt</h2>
      <form onSubmit={onSubmit} noValidate>
        <Row label="Mode">
          {(id) => (
            <select id={id} value={form.mode} onChange={(e) => set({ mode: e.target.value as typeof form.mode })}>
              {UI_MODES.map((m) => (
                <option key={m} value={m}>
                  {MODE_NAMES[m]}
                </option>
              ))}
            </select>
          )}
        </Row>
        {kind ? (
          <Row
            label={form.mode === 'bridge' ? 'From clip' : form.mode === 'loop' ? 'Start image (optional)' : 'Source'}
            error={err('source')}
          >
            {(id, errId) => (
              <select
                id={id}
                value={form.sourceClipId}
                onChange={(e) => set({ sourceClipId: e.target.value })}
                {...invalidProps(err('source'), errId)}
              >
                <option value="">
                  {sources.length
                    ? `Pick ${kind === 'image' ? 'an image' : 'a clip'}…`
                    : `No ${kind === 'image' ? 'images' : 'clips'} in Media yet`}
                </option>
                {sources.map((c) => (
                  <option key={c.clip.id} value={c.clip.id}>
                    {c.clip.name}
                  </option>
                ))}
              </select>
            )}
          </Row>
        ) : null}
        {form.mode === 'bridge' ? (
          <Row label="To clip" error={err('sourceEnd')}>
            {(id, errId) => (
              <select
                id={id}
                value={form.endClipId}
                onChange={(e) => set({ endClipId: e.target.value })}
                {...invalidProps(err('sourceEnd'), errId)}
              >
                <option value="">Pick a clip…</option>
                {sources.map((c) => (
                  <option key={c.clip.id} value={c.clip.id}>
                    {c.clip.name}
                  </option>
                ))}
              </select>
            )}
          </Row>
        ) : null}
        {form.mode === 'extend' ? (
          <fieldset className="radios">
            <legend>Direction</legend>
            {(['forward', 'backward'] as const).map((d) => (
              <label key={d}>
                <input
                  type="radio"
                  name="direction"
                  checked={form.direction === d}
                  onChange={() => set({ direction: d })}
                />
                {d === 'forward' ? 'Forward (what happens next)' : 'Backward (what came before)'}
              </label>
            ))}
          </fieldset>
        ) : null}
        {form.mode === 'remix' ? <NumberRow field="strength" label="Strength" min={0.05} max={1} step={0.05} /> : null}
        <div className={`field${errors.prompt ? ' invalid' : ''}`}>
          <label htmlFor="prompt-text" className="sr-only">
            Prompt
          </label>
          <textarea
            id="prompt-text"
            aria-label="Prompt"
            placeholder="A red ball bouncing to the right on a blue background…"
            maxLength={500}
            rows={3}
            value={form.prompt}
            onChange={(event) => dispatch(promptEdited(event.target.value))}
            onKeyDown={onKeyDown}
            {...invalidProps(errors.prompt, 'prompt-error')}
          />
          <FieldError id="prompt-error" text={errors.prompt} />
          {form.expansion && form.prompt.trim() ? (
            <Caption caption={form.expansion.caption} unknown={form.expansion.unknownWords} />
          ) : null}
        </div>
        <Row label="Negative prompt" error={err('negativePrompt')}>
          {(id) => (
            <input
              id={id}
              value={form.negativePrompt}
              maxLength={500}
              placeholder="What to avoid"
              onChange={(e) => set({ negativePrompt: e.target.value })}
            />
          )}
        </Row>
        <div className={`field seed-row${errors.seed ? ' invalid' : ''}`}>
          <label htmlFor="seed">Seed</label>
          <div className="inline">
            <input
              id="seed"
              type="number"
              min={0}
              max={4294967295}
              value={form.seed}
              onChange={(e) => set({ seed: e.target.value })}
              {...invalidProps(errors.seed, 'seed-error')}
            />
            <button
              type="button"
              className="icon"
              aria-label="New random seed"
              title="New random seed"
              onClick={() => dispatch(seedRolled())}
            >
              Random
            </button>
            <label className="check" title="Keep this seed for the next Generate">
              <input
                type="checkbox"
                checked={form.seedLocked}
                onChange={(e) => set({ seedLocked: e.target.checked })}
              />
              Lock seed
            </label>
          </div>
          <FieldError id="seed-error" text={errors.seed} />
        </div>
        <div className="grid-2">
          <NumberRow field="steps" label="Steps" min={1} max={200} />
          <NumberRow field="guidance" label="Guidance" min={0} max={30} step={0.5} />
          <Row label="Sampler">
            {(id) => (
              <select
                id={id}
                value={form.sampler}
                onChange={(e) => set({ sampler: e.target.value as 'euler' | 'heun' })}
              >
                <option value="euler">Euler</option>
                <option value="heun">Heun</option>
              </select>
            )}
          </Row>
          {pack && pack.precisions.length > 1 ? (
            <Row label="Precision">
              {(id) => (
                <select
                  id={id}
                  value={form.precision}
                  title="int8 is faster; fp32 gives the same frames on any kind of CPU (int8 frames can differ at object edges)"
                  onChange={(e) => set({ precision: e.target.value as Precision })}
                >
                  {pack.precisions.map((p) => (
                    <option key={p} value={p}>
                      {p === 'int8' ? 'int8 (faster)' : 'fp32 (same on any CPU)'}
                    </option>
                  ))}
                </select>
              )}
            </Row>
          ) : null}
          <Row label="Variations">
            {(id) => (
              <select id={id} value={form.variations} onChange={(e) => set({ variations: Number(e.target.value) })}>
                {[1, 2, 3, 4].map((n) => (
                  <option key={n} value={n}>
                    {n}
                  </option>
                ))}
              </select>
            )}
          </Row>
        </div>
        {pack ? (
          <div className="grid-2">
            <Row label="Size" error={err('size')}>
              {(id) => (
                <select id={id} value={form.sizeName} onChange={(e) => set({ sizeName: e.target.value })}>
                  {pack.sizes.map((s) => (
                    <option key={s.name} value={s.name}>
                      {s.name[0]?.toUpperCase()}
                      {s.name.slice(1)} {s.width}×{s.height}
                    </option>
                  ))}
                </select>
              )}
            </Row>
            <Row label="Duration" error={err('frames')}>
              {(id) => (
                <select id={id} value={form.frames} onChange={(e) => set({ frames: Number(e.target.value) })}>
                  {pack.frameCounts.map((n) => (
                    <option key={n} value={n}>
                      {(n / pack.fps).toFixed(1)} s ({n} frames)
                    </option>
                  ))}
                </select>
              )}
            </Row>
          </div>
        ) : null}
        <div className="prompt-actions">
          <span className="hint">Ctrl+Enter</span>
          <button
            type="submit"
            className="primary"
            disabled={pending}
            aria-describedby={form.error ? 'submit-error' : undefined}
          >
            Generate
          </button>
        </div>
        {form.error ? (
          <p id="submit-error" className="form-error" role="alert">
            {form.error}
          </p>
        ) : null}
      </form>
    </section>
  );
}
