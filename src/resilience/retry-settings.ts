/**
 * A queue's retry policy as a stored setting (queue_state.retry_*, 0010_queue_retry.sql):
 * what operators change at run time, without a deploy, through rota.queue(name).configure
 * ({ retry }), `rota queue configure --max-attempts …`, PATCH /api/queues/:queue or the
 * dashboard. Every part is optional; an unset part falls back to the code's value.
 *
 *   maxAttempts   for jobs enqueued afterwards without their own maxAttempts (enqueue.sql
 *                 reads it in the INSERT); jobs already enqueued keep theirs.
 *   baseMs, maxMs, jitter
 *                 the backoff after a failed attempt, part by part over work()'s retry
 *                 option and the default: the stored part wins, because it is the one an
 *                 operator set for this queue now, while work()'s was written before the
 *                 incident; clearing it (null) gives the code's value back. Worker
 *                 processes read the stored parts with their heartbeat (RetryPolicies).
 *
 * The vocabulary is work()'s `retry` option: exponential backoff base · 2^(attempt-1),
 * capped at maxMs, a `jitter` fraction of it random. A fixed delay is baseMs = maxMs.
 */
import type pg from 'pg';
import { positiveInt } from '../client/validate.js';
import { ValidationError } from '../errors.js';
import { DEFAULT_RETRY, type RetryPolicy } from '../worker/retry.js';

const INT_MAX = 2_147_483_647;
const KEYS = ['maxAttempts', 'baseMs', 'maxMs', 'jitter'] as const;

/** `rota.queue(name).configure({ retry })`: omitted parts stay as they are, null unsets one. */
export interface QueueRetrySettings {
  /** Attempts for jobs enqueued without maxAttempts (1 to 1,000). */
  maxAttempts?: number | null;
  /** Delay before the second attempt, in ms. */
  baseMs?: number | null;
  /** Upper bound of any delay, in ms. */
  maxMs?: number | null;
  /** Fraction of the delay drawn at random (0 to 1). */
  jitter?: number | null;
}

/** The stored policy of a queue: null where nothing is set (the code's value applies). */
export interface QueueRetry {
  maxAttempts: number | null;
  baseMs: number | null;
  maxMs: number | null;
  jitter: number | null;
}

/** The queue_state columns, as the queries that read a queue's settings return them. */
export interface QueueRetryRow {
  retry_max_attempts: number | null;
  retry_base_ms: number | null;
  retry_max_ms: number | null;
  retry_jitter: number | null;
}

export const retryOf = (r: QueueRetryRow): QueueRetry => ({
  maxAttempts: r.retry_max_attempts,
  baseMs: r.retry_base_ms,
  maxMs: r.retry_max_ms,
  jitter: r.retry_jitter,
});

/**
 * The queue_state columns to write for `retry` (null: unset every part), only the parts
 * given. Throws a ValidationError naming the part (`retry.baseMs`) before anything is written.
 */
export function retryColumns(retry: unknown): Record<string, number | null> {
  if (retry === null) return { retry_max_attempts: null, retry_base_ms: null, retry_max_ms: null, retry_jitter: null };
  if (typeof retry !== 'object' || Array.isArray(retry)) throw new ValidationError('retry', 'must be an object or null');
  const r = retry as Record<string, unknown>;
  for (const k of Object.keys(r)) {
    if (!(KEYS as readonly string[]).includes(k))
      throw new ValidationError(`retry.${k}`, `unknown setting; expected one of ${KEYS.join(', ')}`);
  }
  const cols: Record<string, number | null> = {};
  const int = (key: (typeof KEYS)[number], column: string, min: number, max: number) => {
    if (r[key] !== undefined) cols[column] = r[key] === null ? null : positiveInt(`retry.${key}`, r[key], { min, max });
  };
  int('maxAttempts', 'retry_max_attempts', 1, 1_000);
  int('baseMs', 'retry_base_ms', 0, INT_MAX);
  int('maxMs', 'retry_max_ms', 0, INT_MAX);
  if (r.jitter !== undefined) {
    const j = r.jitter;
    if (j !== null && (typeof j !== 'number' || !(j >= 0 && j <= 1))) {
      throw new ValidationError('retry.jitter', `must be a number from 0 to 1 (got ${String(j)})`);
    }
    cols.retry_jitter = j;
  }
  return cols;
}

/**
 * One process's view of the stored backoff of the queues it works. `policy(queue, code)`
 * is what the queue's executor holds: a RetryPolicy whose parts are read at each failure,
 * the stored part if set, else the code's (work()'s option over the default). `refresh`
 * reads every worked queue in one statement; rota runs it when a queue starts being
 * worked and with each heartbeat, so a change reaches every worker within one heartbeat
 * interval (leaseMs / 3) and costs nothing per job.
 */
export class RetryPolicies {
  private readonly stored = new Map<string, QueueRetry>();
  /** The policy each worked queue's executor holds. */
  private readonly live = new Map<string, RetryPolicy>();
  private readonly sql: string;

  constructor(
    private readonly pool: pg.Pool,
    schema: string,
  ) {
    this.sql = `SELECT queue, retry_max_attempts, retry_base_ms, retry_max_ms, retry_jitter
                  FROM "${schema}".queue_state WHERE queue = ANY($1::text[])`;
  }

  policy(queue: string, code: RetryPolicy): RetryPolicy {
    const part = (k: keyof RetryPolicy): number => this.stored.get(queue)?.[k] ?? code[k];
    const live: RetryPolicy = {
      get baseMs() {
        return part('baseMs');
      },
      get maxMs() {
        return part('maxMs');
      },
      get jitter() {
        return part('jitter');
      },
    };
    this.live.set(queue, live);
    return live;
  }

  /** The backoff `queue`'s failed attempts get now, as plain values. */
  effective(queue: string): RetryPolicy {
    const live = this.live.get(queue);
    return live ? { baseMs: live.baseMs, maxMs: live.maxMs, jitter: live.jitter } : { ...DEFAULT_RETRY };
  }

  async refresh(queues: readonly string[]): Promise<void> {
    if (queues.length === 0) return;
    const res = await this.pool.query<QueueRetryRow & { queue: string }>(this.sql, [queues]);
    const seen = new Set<string>();
    for (const row of res.rows) {
      seen.add(row.queue);
      this.stored.set(row.queue, retryOf(row));
    }
    // A queue without a row (not configured yet) has nothing stored.
    for (const q of queues) if (!seen.has(q)) this.stored.set(q, { maxAttempts: null, baseMs: null, maxMs: null, jitter: null });
  }
}
