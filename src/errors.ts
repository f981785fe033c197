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
  override readonly name: string = 'PermanentError';
}

/** The reason of ctx.signal when an operator cancelled the running job; it ends cancelled. */
export class JobCancelledError extends PermanentError {
  override readonly name = 'JobCancelledError';
}

/** Who a RateLimitedError holds back: the job's tenant in its queue (default), or the whole queue. */
export type RateLimitScope = 'tenant' | 'queue';

/**
 * Thrown by a handler (or raised through `ctx.rateLimit(ms)`): the downstream said
 * "too many requests". The job runs again after `delayMs` without being charged an
 * attempt, and its tenant (or, with scope 'queue', its whole queue) is held for
 * `delayMs` in every process: no other job of it starts meanwhile.
 */
export class RateLimitedError extends Error {
  override readonly name = 'RateLimitedError';
  readonly scope: RateLimitScope;
  constructor(
    readonly delayMs: number,
    options: string | { scope?: RateLimitScope; message?: string } = {},
  ) {
    const o = typeof options === 'string' ? { message: options } : options;
    super(o.message ?? `rate limited for ${delayMs} ms`);
    this.scope = o.scope ?? 'tenant';
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

/**
 * Raised by `ctx.breaker(name)` while that circuit breaker is open (or half-open with
 * its probes taken): the job runs again after `delayMs` (about the remaining cooldown),
 * not charged an attempt, and the dependency is not called.
 */
export class BreakerOpenError extends Error {
  override readonly name = 'BreakerOpenError';
  constructor(
    readonly breaker: string,
    readonly delayMs: number,
    message = `circuit breaker ${JSON.stringify(breaker)} is open; retrying in ${delayMs} ms`,
  ) {
    super(message);
  }
}

/**
 * Aborts a handler (its `ctx.signal.reason`) whose job this process no longer holds: the
 * lease expired and another process rescued the job. Nothing is written for the attempt.
 */
export class LeaseLostError extends Error {
  override readonly name = 'LeaseLostError';
}

/** Aborts a handler still running when the shutdown grace period ends; the job is retried. */
export class ShutdownAbortError extends Error {
  override readonly name = 'ShutdownAbortError';
}

/** Aborts a handler that ran longer than its job's `timeoutMs`; the attempt fails (retried if any are left). */
export class TimeoutError extends Error {
  override readonly name = 'TimeoutError';
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
  return /Connection terminated|Cannot use a pool after calling end|connection timeout|Client has encountered a connection error|not queryable|Client was closed/i.test(
    err.message,
  );
}

/** `err` as a DatabaseUnavailableError when it means the database is unreachable, else null. */
export function asUnavailable(err: unknown): DatabaseUnavailableError | null {
  if (err instanceof DatabaseUnavailableError) return err;
  return isConnectionError(err) ? new DatabaseUnavailableError(`database unavailable: ${(err as Error).message}`, { cause: err }) : null;
}

/** The database could not be reached (as opposed to "this statement is wrong"). */
export function isUnavailable(err: unknown): boolean {
  return err instanceof DatabaseUnavailableError || isConnectionError(err);
}
