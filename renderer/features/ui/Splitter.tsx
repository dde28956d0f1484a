import type { KeyboardEvent, PointerEvent } from 'react';

interface SplitterProps {
  label: string;
  orientation: 'vertical' | 'horizontal';
  value: number;
  min: number;
  max: number;
  /** +1: dragging right/down grows the pane; -1: shrinks it. */
  direction: 1 | -1;
  onChange(value: number): void;
  style: React.CSSProperties;
}

/** A pane divider: drag it, or focus it and use the arrow keys. */
export function Splitter({ label, orientation, value, min, max, direction, onChange, style }: SplitterProps) {
  const clamp = (v: number) => Math.min(max, Math.max(min, Math.round(v)));
  const onPointerDown = (e: PointerEvent<HTMLDivElement>) => {
    e.preventDefault();
    const start = orientation === 'vertical' ? e.clientX : e.clientY;
    const initial = value;
    const target = e.currentTarget;
    target.setPointerCapture(e.pointerId);
    const move = (ev: globalThis.PointerEvent) => {
      const now = orientation === 'vertical' ? ev.clientX : ev.clientY;
      onChange(clamp(initial + direction * (now - start)));
    };
    const up = () => {
      target.removeEventListener('pointermove', move);
      target.removeEventListener('pointerup', up);
    };
    target.addEventListener('pointermove', move);
    target.addEventListener('pointerup', up);
  };
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const grow = orientation === 'vertical' ? ['ArrowRight', 'ArrowLeft'] : ['ArrowDown', 'ArrowUp'];
    if (e.key === grow[0]) onChange(clamp(value + 16 * direction));
    else if (e.key === grow[1]) onChange(clamp(value - 16 * direction));
    else return;
    e.preventDefault();
    e.stopPropagation();
  };
  return (
    // biome-ignore lint/a11y/useSemanticElements: an interactive window splitter has no native element
    <div
      role="separator"
      tabIndex={0}
      aria-label={label}
      aria-orientation={orientation}
      aria-valuenow={value}
      aria-valuemin={min}
      aria-valuemax={max}
      className={`splitter splitter-${orientation}`}
      style={style}
      onPointerDown={onPointerDown}
      onKeyDown={onKeyDown}
    />
  );
}
