import type { ReactNode } from 'react';
import { ApiError } from '../api/client';

export function Spinner({ label = 'Loading' }: { label?: string }) {
  return (
    <div className="spinner" role="status" aria-live="polite">
      <span className="spinner-dot" aria-hidden="true" />
      {label}…
    </div>
  );
}

export function errorText(err: unknown): string {
  if (err instanceof ApiError) return err.field ? `${err.message} (${err.field})` : err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}

/** A failed request: what went wrong and a way to try again (never a silent blank page). */
export function ErrorBox({ error, onRetry, title = 'Could not load' }: { error: unknown; onRetry?: () => void; title?: string }) {
  if (error instanceof ApiError && error.status === 403) {
    // Asking again will not help: this token may not see it.
    return (
      <p className="notice" role="status">
        Not available to this token: {error.message}
      </p>
    );
  }
  return (
    <div className="error-box" role="alert">
      <strong>{title}:</strong> {errorText(error)}
      {onRetry && (
        <button type="button" className="btn small" onClick={onRetry}>
          Retry
        </button>
      )}
    </div>
  );
}

interface QueryLike<T> {
  data: T | undefined;
  error: unknown;
  isPending: boolean;
  refetch: () => unknown;
}

/** Renders a query's three states: spinner, error with retry, or the data. */
export function Loaded<T>({ query, label, children }: { query: QueryLike<T>; label?: string; children: (data: T) => ReactNode }) {
  if (query.data !== undefined) return <>{children(query.data)}</>;
  if (query.error) return <ErrorBox error={query.error} onRetry={() => void query.refetch()} />;
  return <Spinner label={label} />;
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>;
}
