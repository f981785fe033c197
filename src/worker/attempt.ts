/**
 * One attempt of a claimed job: the row as claimed, the `Job` and `ctx` its handler sees,
 * and how the attempt's end becomes a status write. The executor (src/worker/executor.ts)
 * decides when attempts start and what their slots and buffer do; this module knows
 * nothing of either.
 */
import { BreakerOpenError, PermanentError, RateLimitedError, ShutdownAbortError, SnoozeError } from '../errors.js';
import type { Logger } from '../logger.js';
import { type Job, type JobContext, PRIORITIES } from '../types.js';
import type { FinishUpdate } from './batcher.js';
import type { JobLogBuffer } from './job-logs.js';
import { type RetryPolicy, retryDelayMs } from './retry.js';

/** A row returned by claim.sql. */
export interface ClaimedRow {
  id: string;
  queue: string;
  tenant: string;
  priority: number;
  payload: unknown;
  attempt: number;
  max_attempts: number;
  timeout_ms: number | null;
  created_at: Date;
  run_at: Date;
}

/** What an attempt's `ctx` needs from its executor (a subset of ExecutorOptions). */
export interface AttemptDeps {
  log: Logger;
  /** `ctx.breaker(name)`: resolves when the job may call the dependency, rejects with BreakerOpenError if not. */
  enterBreaker?: (name: string, job: Job) => Promise<void>;
  /** Keeps ctx.log lines and ctx.progress values for the job (written with the status batches). */
  jobLogs?: JobLogBuffer;
}

/** The job as its handler sees it; `defaultTimeoutMs` applies to jobs enqueued without one. */
export function jobOf(row: ClaimedRow, defaultTimeoutMs: number | null): Job {
  return {
    id: row.id,
    queue: row.queue,
    tenant: row.tenant,
    payload: row.payload,
    attempt: row.attempt,
    maxAttempts: row.max_attempts,
    priority: PRIORITIES[row.priority] ?? 'normal',
    createdAt: row.created_at,
    runAt: row.run_at,
    timeoutMs: row.timeout_ms ?? defaultTimeoutMs,
  };
}

export function isThenable(v: unknown): v is PromiseLike<unknown> {
  return v !== null && (typeof v === 'object' || typeof v === 'function') && typeof (v as PromiseLike<unknown>).then === 'function';
}

/**
 * One running attempt: the handler's `ctx`, and how it is stopped. Methods live on the
 * prototype and the AbortController is made only when the handler reads `ctx.signal`
 * (most never do): closures per method, a controller, its signal and its listener per
 * job were about a tenth of the process's CPU in a no-op burst (docs/performance.md,
 * third pass). An abort before the signal is read aborts it as soon as it is read.
 */
export class Attempt implements JobContext {
  private controller: AbortController | null = null;
  private aborted = false;
  private reason: unknown;
  private reject: ((reason: unknown) => void) | null = null;
  private scoped: Logger | undefined;

  constructor(
    private readonly row: ClaimedRow,
    private readonly job: Job,
    private readonly opts: AttemptDeps,
  ) {}

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.aborted) this.controller.abort(this.reason);
    }
    return this.controller.signal;
  }

  get log(): Logger {
    if (!this.scoped) {
      const { row, opts } = this;
      const scoped = opts.log.child({ tenant: row.tenant, jobId: row.id, attempt: row.attempt });
      this.scoped = opts.jobLogs ? opts.jobLogs.logger(row.id, scoped) : scoped;
    }
    return this.scoped;
  }

  // progress and breaker are made on access (handlers may destructure ctx), not per job.
  get progress(): JobContext['progress'] {
    const { opts, row } = this;
    return (value) => opts.jobLogs?.progress(row.id, value);
  }

  rateLimit(ms: number): never {
    throw new RateLimitedError(ms);
  }

  snooze(ms: number): never {
    throw new SnoozeError(ms);
  }

  get breaker(): JobContext['breaker'] {
    const { opts, job } = this;
    return (name) => (opts.enterBreaker ? opts.enterBreaker(name, job) : Promise.resolve());
  }

  /** Stops waiting for the handler (it fails with `reason`) and aborts its signal. First call wins. */
  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.controller?.abort(reason);
    this.reject?.(reason);
  }

  /** The handler's result, or its abort reason if the attempt is aborted first. */
  settle(handler: PromiseLike<unknown>): Promise<unknown> {
    return new Promise((resolve, reject) => {
      if (this.aborted) reject(this.reason);
      this.reject = reject;
      // Handled either way: a late rejection of an abandoned handler is not unhandled.
      handler.then(resolve, reject);
    });
  }
}

/** The status write for a handler that returned `result`. */
export function completion(row: ClaimedRow, result: unknown, log: Logger): FinishUpdate {
  return { id: row.id, attempt: row.attempt, kind: 'complete', result: resultJson(result, log, row.id), error: null, delayMs: null };
}

/**
 * The status write for a handler that threw `err`. A rate limit is also held locally by
 * the caller (see QueueExecutor.run); this only says what the row becomes.
 */
export function failure(row: ClaimedRow, err: unknown, retry: RetryPolicy): FinishUpdate {
  const base = { id: row.id, attempt: row.attempt, result: null };
  if (err instanceof RateLimitedError) {
    const delayMs = Math.max(0, err.delayMs);
    return { ...base, kind: err.scope === 'queue' ? 'rate-limit-queue' : 'rate-limit', error: null, delayMs };
  }
  if (err instanceof SnoozeError || err instanceof BreakerOpenError) {
    return { ...base, kind: 'snooze', error: null, delayMs: Math.max(0, err.delayMs) };
  }
  const error = errorJson(err, row.attempt);
  // The worker went away, not the job: retry it even if this was its last attempt (its
  // next failure, if any, makes it dead).
  if (err instanceof ShutdownAbortError) return { ...base, kind: 'retry', error, delayMs: 0 };
  if (err instanceof PermanentError || row.attempt >= row.max_attempts) {
    return { ...base, kind: 'dead', error, delayMs: null };
  }
  return { ...base, kind: 'retry', error, delayMs: retryDelayMs(retry, row.attempt) };
}

export function errorJson(err: unknown, attempt: number): string {
  const e = err instanceof Error ? err : new Error(`non-Error thrown: ${safeString(err)}`);
  return JSON.stringify({
    attempt,
    at: new Date().toISOString(),
    name: e.name,
    message: e.message,
    stack: e.stack?.split('\n').slice(0, 12).join('\n'),
  });
}

function safeString(v: unknown): string {
  try {
    return typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v));
  } catch {
    return String(v);
  }
}

function resultJson(value: unknown, log: Logger, id: string): string {
  if (value === undefined) return 'null';
  try {
    return JSON.stringify(value) ?? 'null';
  } catch (err) {
    log.warn({ jobId: id, err }, 'handler result is not JSON-serializable; stored as null');
    return 'null';
  }
}
