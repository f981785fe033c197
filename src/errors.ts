/** Bad input to a public entry point. Nothing was written. `field` names the culprit. */
export class ValidationError extends Error {
  override readonly name = 'ValidationError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

/** Thrown by a handler: fail the job now, without further attempts. */
export class PermanentError extends Error {
  override readonly name = 'PermanentError';
}

/**
 * Thrown by a handler (or raised through `ctx.rateLimit(ms)`): the downstream said
 * "too many requests". The job runs again after `delayMs` without being charged an attempt.
 */
export class RateLimitedError extends Error {
  override readonly name = 'RateLimitedError';
  constructor(
    readonly delayMs: number,
    message = `rate limited for ${delayMs} ms`,
  ) {
    super(message);
  }
}

/** Thrown by a handler: run this job again after `delayMs`, not charged an attempt. */
export class SnoozeError extends Error {
  override readonly name = 'SnoozeError';
  constructor(
    readonly delayMs: number,
    message = `snoozed for ${delayMs} ms`,
  ) {
    super(message);
  }
}

/** The database could not be reached; the operation can be retried. Nothing was written. */
export class DatabaseUnavailableError extends Error {
  override readonly name = 'DatabaseUnavailableError';
  readonly retryable = true;
}

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH']);

/**
 * True when an error means "the database is not reachable" (as opposed to "this
 * statement is wrong"): such failures are retried as a whole, never split per row.
 */
export function isConnectionError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (CONNECTION_CODES.has(code)) return true;
    // 08xxx connection exceptions, 57P01-57P03 admin/crash shutdown, cannot connect now.
    if (code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03') return true;
  }
  return /Connection terminated|connection timeout|Client has encountered a connection error|not queryable|Client was closed/i.test(
    err.message,
  );
}
