export interface RetryPolicy {
  /** Delay before the second attempt, in ms. Default 1,000. */
  baseMs: number;
  /** Upper bound on any delay, in ms. Default 1 hour. */
  maxMs: number;
  /** Fraction of the delay that is randomised (0 = none, 1 = full jitter). Default 0.5. */
  jitter: number;
}

export const DEFAULT_RETRY: RetryPolicy = { baseMs: 1_000, maxMs: 3_600_000, jitter: 0.5 };

/**
 * Exponential backoff with jitter: base · 2^(attempt-1), capped, of which a `jitter`
 * fraction is drawn at random so that jobs failing together do not retry together.
 */
export function retryDelayMs(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const exp = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  const fixed = exp * (1 - policy.jitter);
  return Math.round(fixed + random() * exp * policy.jitter);
}
