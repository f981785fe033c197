import { ApiError } from '../api/client';
import { normaliseField } from '../lib/validate';
import { errorText } from './Status';

/** The end of a dialog's form: the form-level error (if any), then submit and cancel. */
export function DialogActions(props: {
  error: string | null;
  pending: boolean;
  label: string;
  pendingLabel: string;
  onCancel: () => void;
}) {
  return (
    <>
      {props.error && (
        <p className="field-error" role="alert">
          {props.error}
        </p>
      )}
      <div className="actions">
        <button type="submit" className="btn primary" disabled={props.pending}>
          {props.pending ? props.pendingLabel : props.label}
        </button>
        <button type="button" className="btn" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </>
  );
}

/** A failed write: beside its field when the server names one, otherwise at the form's foot. */
export function showWriteError(err: unknown, setErrors: (e: Record<string, string>) => void, setFormError: (m: string) => void): void {
  const field = err instanceof ApiError ? normaliseField(err.field) : undefined;
  if (field && err instanceof Error) setErrors({ [field]: err.message });
  else setFormError(errorText(err));
}
