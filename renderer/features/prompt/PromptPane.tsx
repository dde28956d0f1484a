import type { FormEvent, KeyboardEvent } from 'react';
import { useAppDispatch, useAppSelector } from '../../app/hooks.js';
import { promptEdited, selectPrompt, submitPrompt } from './promptSlice.js';

export function PromptPane() {
  const dispatch = useAppDispatch();
  const { text, submitStatus, error } = useAppSelector(selectPrompt);
  const canSubmit = text.trim().length > 0 && submitStatus !== 'pending';

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (canSubmit) void dispatch(submitPrompt());
  };
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey) && canSubmit) {
      event.preventDefault();
      void dispatch(submitPrompt());
    }
  };

  return (
    <section className="pane pane-prompt" aria-label="Prompt">
      <h2>Prompt</h2>
      <form onSubmit={onSubmit}>
        <textarea
          aria-label="Prompt"
          placeholder="A red ball bouncing on a sunny beach…"
          maxLength={500}
          rows={5}
          value={text}
          onChange={(event) => dispatch(promptEdited(event.target.value))}
          onKeyDown={onKeyDown}
        />
        <div className="prompt-actions">
          <span className="hint">Ctrl+Enter</span>
          <button type="submit" className="primary" disabled={!canSubmit}>
            Generate
          </button>
        </div>
        {error ? (
          <p className="form-error" role="alert">
            {error}
          </p>
        ) : null}
      </form>
    </section>
  );
}
