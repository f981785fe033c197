import {
  BreakerOpenError,
  LeaseLostError,
  PermanentError,
  RateLimitedError,
  ShutdownAbortError,
  SnoozeError,
  ValidationError,
} from '../errors.js';

/** Decides whether a handler's error says "the dependency is failing" (true) or not. */
export type FailurePredicate = (error: unknown) => boolean;

/**
 * The default predicate: every error counts (timeouts, 5xx, connection resets...)
 * except those that say nothing about a dependency's health: the job itself is bad
 * (PermanentError, ValidationError), or it was control flow (rate limited, snoozed,
 * held back by a breaker), or the worker let go of it (lease lost, shutdown). Pass your
 * own to count, say, only HTTP 5xx and timeouts.
 */
export function defaultIsFailure(error: unknown): boolean {
  return !(
    error instanceof PermanentError ||
    error instanceof ValidationError ||
    error instanceof RateLimitedError ||
    error instanceof SnoozeError ||
    error instanceof BreakerOpenError ||
    error instanceof LeaseLostError ||
    error instanceof ShutdownAbortError
  );
}
