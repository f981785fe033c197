import { type ReactNode, useId } from 'react';

/**
 * A labelled form control with its validation message beside it (and announced to
 * screen readers through aria-describedby).
 */
export function Field({
  label,
  error,
  hint,
  wide,
  children,
}: {
  label: string;
  /** Spans every column of a multi-column form. */
  wide?: boolean;
  error?: string | null;
  hint?: string;
  children: (props: { id: string; 'aria-invalid'?: true; 'aria-describedby'?: string }) => ReactNode;
}) {
  const id = useId();
  const describedBy = [error ? `${id}-err` : null, hint ? `${id}-hint` : null].filter(Boolean).join(' ') || undefined;
  return (
    <div className={wide ? 'field-row wide' : 'field-row'}>
      <label htmlFor={id}>{label}</label>
      <div className="field">
        {children({ id, 'aria-invalid': error ? true : undefined, 'aria-describedby': describedBy })}
        {hint && (
          <p id={`${id}-hint`} className="hint">
            {hint}
          </p>
        )}
        {error && (
          <p id={`${id}-err`} className="field-error">
            {error}
          </p>
        )}
      </div>
    </div>
  );
}
