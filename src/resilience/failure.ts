import { BreakerOpenError, PermanentError, RateLimitedError, SnoozeError, ValidationError } from '../errors.js';

/** Decides whether a handler's error says "the dependency is failing" (true) or not. */
export type FailurePredicate = (error: unknown) => boolean;

/**
 * Errors that say nothing about a dependency's health: the job itself is bad
 * (PermanentError, ValidationError), or it was control flow (rate limited, snoozed,
 * held back by a breaker), or the worker let go of it (lease lost, shutdown).
 */
const NEUTRAL_NAMES = new Set(['LeaseLostError', 'ShutdownAbortError']);

/**
 * The default predicate: every error counts (timeouts, 5xx, connection resets...)
 * except the neutral ones above. Pass your own to count, say, only HTTP 5xx and timeouts.
 */
export function defaultIsFailure(error: unknown): boolean {
  if (
    error instanceof PermanentError ||
    error instanceof ValidationError ||
    error instanceof RateLimitedError ||
    error instanceof SnoozeError ||
    error instanceof BreakerOpenError
  ) {
    return false;
  }
  return !(error instanceof Error && NEUTRAL_NAMES.has(error.name));
}
