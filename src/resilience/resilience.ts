import type pg from 'pg';
import { nonNegativeNumber, positiveInt } from '../client/validate.js';
import { asUnavailable, ValidationError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { RetryPolicy } from '../worker/retry.js';
import { Breakers } from './breaker-admin.js';
import { BreakerStore } from './breaker-store.js';
import { defaultIsFailure, type FailurePredicate } from './failure.js';
import { type GuardLimits, type GuardOptions, type GuardState, guardLimits } from './guard.js';
import { type PoolExhaustion, PoolWatch, type PoolWatchStats } from './pool-watch.js';
import { type BreakerEvent, WorkerResilience, type WorkerResilienceStats } from './worker-hooks.js';

/** The resilience part of RotaOptions. */
export interface ResilienceOptions {
  /** Stop claiming while this process is overloaded (each limit optional; none by default). */
  guard?: GuardOptions;
  /** Report pool exhaustion when callers wait longer than this for a connection. Default 1,000 ms. */
  poolWaitThresholdMs?: number;
  /**
   * `enqueue`/`enqueueMany` (without a caller's client) wait up to this long for an
   * unreachable database, retrying, before rejecting with DatabaseUnavailableError.
   * Default 0: reject at once. A retry after a connection lost during COMMIT can
   * enqueue twice; give such jobs a dedupKey.
   */
  enqueueTimeoutMs?: number;
  /** How often worker processes send breaker outcomes and read breaker state. Default 500 ms. */
  breakerSyncMs?: number;
}

export interface ResilienceEvents {
  /** A circuit breaker changed state (emitted by every worker process when it learns of it). */
  'breaker:state': [BreakerEvent];
  /** The resource guard paused (overloaded: true) or resumed claiming in this process. */
  'guard:state': [GuardState];
  /** Callers have waited for a pool connection longer than poolWaitThresholdMs. */
  'pool:exhausted': [PoolExhaustion];
  'pool:recovered': [PoolExhaustion];
}

export interface ResilienceStats extends Partial<WorkerResilienceStats> {
  pool: PoolWatchStats;
}

/** The options of `rota.work(queue, { breaker })`. */
export interface WorkBreakerOptions {
  /**
   * Whether a handler's error counts as a failure for circuit breakers (the queue's and
   * those its jobs declare). Default: every error but PermanentError, ValidationError
   * and control flow (rate limited, snoozed, breaker open, lease lost, shutdown).
   */
  countsAsFailure?: (error: unknown) => boolean;
}

export interface ResilienceDeps {
  pool: pg.Pool;
  schema: string;
  workerId: string;
  log: Logger;
  options: ResilienceOptions;
  emit: <E extends keyof ResilienceEvents>(event: E, ...args: ResilienceEvents[E]) => void;
}

/**
 * Resilience for one Rota instance: the breaker admin API, pool exhaustion watch,
 * enqueue waits through outages, client-error guarding, and a WorkerResilience for
 * each worker runtime it starts.
 */
export class Resilience {
  readonly breakers: Breakers;
  private readonly store: BreakerStore;
  private readonly poolWatch: PoolWatch;
  private readonly predicates = new Map<string, FailurePredicate>();
  private readonly guard: GuardLimits;
  private readonly enqueueTimeoutMs: number;
  private readonly syncMs: number;
  private current: WorkerResilience | null = null;

  constructor(private readonly deps: ResilienceDeps) {
    const o = deps.options;
    this.guard = guardLimits(o.guard);
    const threshold = positiveInt('poolWaitThresholdMs', o.poolWaitThresholdMs ?? 1_000, { min: 10 });
    this.enqueueTimeoutMs = nonNegativeNumber('enqueueTimeoutMs', o.enqueueTimeoutMs ?? 0);
    this.syncMs = positiveInt('breakerSyncMs', o.breakerSyncMs ?? 500, { min: 10, max: 60_000 });
    this.store = new BreakerStore(deps.pool, deps.schema);
    this.breakers = new Breakers(this.store, deps.workerId);
    this.poolWatch = new PoolWatch(deps.pool, {
      thresholdMs: threshold,
      onExhausted: (e) => {
        deps.log.warn(
          { ...e, max: (deps.pool as { options?: { max?: number } }).options?.max },
          'pool exhausted: callers are waiting for a connection (raise poolSize, or look for slow queries / clients not released)',
        );
        deps.emit('pool:exhausted', e);
      },
      onRecovered: (e) => {
        deps.log.warn(e, 'pool recovered: nobody waits for a connection');
        deps.emit('pool:recovered', e);
      },
    });
    this.poolWatch.start();
    guardClientErrors(deps.pool, deps.log);
  }

  /** Records a queue worker's failure predicate (from WorkOptions.breaker). */
  setWorkOptions(queue: string, opts: WorkBreakerOptions | undefined): void {
    const predicate = validateWorkBreaker(opts)?.countsAsFailure;
    if (predicate) this.predicates.set(queue, predicate);
    else this.predicates.delete(queue);
  }

  /**
   * A new set of hooks for a worker runtime (one per runtime). `retry`: the backoff each
   * worked queue uses now, reported with the worker's heartbeat stats.
   */
  forRuntime(retry?: () => Record<string, RetryPolicy>): WorkerResilience {
    const { deps } = this;
    this.current = new WorkerResilience({
      store: this.store,
      actor: deps.workerId,
      syncMs: this.syncMs,
      log: deps.log,
      guard: this.guard,
      isFailure: (queue) => {
        const p = this.predicates.get(queue);
        return p ? (err) => safePredicate(p, err, deps.log) : defaultIsFailure;
      },
      onBreakerChange: (e) => deps.emit('breaker:state', e),
      onGuardChange: (s) => deps.emit('guard:state', s),
      retry,
    });
    return this.current;
  }

  /**
   * Runs an enqueue, retrying while the database is unreachable for up to
   * enqueueTimeoutMs (when `retryable`: not inside a caller's transaction).
   */
  async whileUnavailable<T>(fn: () => Promise<T>, retryable: boolean): Promise<T> {
    const deadline = Date.now() + this.enqueueTimeoutMs;
    let delay = 50;
    for (;;) {
      try {
        return await fn();
      } catch (err) {
        const unavailable = asUnavailable(err);
        if (!unavailable) throw err;
        if (!retryable || Date.now() + delay > deadline) throw unavailable;
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(1_000, delay * 2);
      }
    }
  }

  stats(): ResilienceStats {
    return { ...this.current?.stats(), pool: this.poolWatch.stats() };
  }

  close(): void {
    this.poolWatch.stop();
  }
}

/** Validates `work(queue, { breaker })`; throws a ValidationError naming the field. */
export function validateWorkBreaker(opts: WorkBreakerOptions | undefined): WorkBreakerOptions | undefined {
  if (opts === undefined) return undefined;
  if (opts === null || typeof opts !== 'object') throw new ValidationError('breaker', 'must be an object');
  if (opts.countsAsFailure !== undefined && typeof opts.countsAsFailure !== 'function') {
    throw new ValidationError('breaker.countsAsFailure', 'must be a function');
  }
  return opts;
}

function safePredicate(p: FailurePredicate, err: unknown, log: Logger): boolean {
  try {
    return Boolean(p(err));
  } catch (e) {
    log.warn({ err: String(e) }, 'breaker.countsAsFailure threw; counting the error as a failure');
    return true;
  }
}

const guarded = new WeakSet<pg.Pool>();

/**
 * pg emits 'error' on a client whose connection dies; the pool listens only while the
 * client is idle or inside pool.query(). A client checked out with pool.connect() (a
 * transaction, maintenance, migrations) would turn a database restart into an uncaught
 * exception. Every client of the pool rota uses gets a listener (the query itself
 * still rejects, and its caller handles that).
 */
function guardClientErrors(pool: pg.Pool, log: Logger): void {
  if (guarded.has(pool)) return;
  guarded.add(pool);
  pool.on('connect', (client) => {
    client.on('error', (err) => log.debug({ err: String(err) }, 'database connection lost'));
  });
}
