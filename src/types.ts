import type pg from 'pg';
import type { Logger } from './logger.js';

export type Priority = 'urgent' | 'high' | 'normal' | 'low';
export const PRIORITIES: readonly Priority[] = ['urgent', 'high', 'normal', 'low'];

/** JSON-serialisable values, as stored in jsonb. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** Anything that can run a query: a pg.Pool, a pg.Client or a PoolClient inside a transaction. */
export interface Queryable {
  query: pg.Pool['query'];
}

/**
 * Queue names mapped to their payload types, for a typed Rota:
 * `new Rota<{ ingest: { itemId: number }; report: { store: string } }>(…)`.
 */
export type QueuePayloads = object;
/** The untyped default: any queue name, any payload. */
export type AnyQueues = Record<string, unknown>;
/** The queue names of a queue map. */
export type QueueName<Q extends QueuePayloads> = keyof Q & string;
/** `string` on an untyped Rota (any queue), `never` on a typed one (its map decides each payload). */
export type AnyQueue<Q extends QueuePayloads> = string extends keyof Q ? string : never;

export interface EnqueueOptions {
  /** Default `'default'`. */
  tenant?: string;
  /** Default `'normal'`. Tiers are strict: urgent before high before normal before low. */
  priority?: Priority;
  /** Do not run before this time. */
  runAt?: Date;
  /** Do not run for this many ms (alternative to runAt). */
  delayMs?: number;
  /** A second enqueue with the same live (queue, tenant, dedupKey) returns the existing job. */
  dedupKey?: string;
  /** Attempts before the job is dead. Default: the queue's stored retry.maxAttempts, else the Rota config's defaultMaxAttempts (5). */
  maxAttempts?: number;
  /** Per-attempt time limit: `ctx.signal` aborts and the attempt fails. */
  timeoutMs?: number;
  /** Enqueue inside the caller's transaction (a PoolClient after BEGIN, or a Client). */
  client?: Queryable;
}

export interface EnqueueItem<P = unknown> extends Omit<EnqueueOptions, 'client'> {
  payload: P;
}

export interface EnqueueResult {
  /** The job's id (bigint as a decimal string). */
  id: string;
  /** True when a live job with the same dedup key existed: `id` is that job's, nothing was written. */
  deduplicated: boolean;
}

export interface Job<P = unknown> {
  id: string;
  queue: string;
  tenant: string;
  payload: P;
  /** 1 on the first run. */
  attempt: number;
  maxAttempts: number;
  priority: Priority;
  createdAt: Date;
  runAt: Date;
  timeoutMs: number | null;
}

export interface JobContext {
  /** Aborts on timeout, on shutdown after the grace period, or when the job's lease was lost. */
  signal: AbortSignal;
  /** Logger scoped with queue, tenant and job id; its lines are also kept with the job (the newest 100 / 64 KiB). */
  log: Logger;
  /**
   * Give up this attempt because the downstream is rate limiting: the job runs again
   * after `ms`, not charged an attempt, and its tenant is held for `ms` in every
   * process (throw `new RateLimitedError(ms, { scope: 'queue' })` to hold the queue).
   */
  rateLimit(ms: number): never;
  /** Run again after `ms`, not charged an attempt. */
  snooze(ms: number): never;
  /**
   * Declares that this job calls the dependency `name`, guarded by a circuit breaker
   * that every worker process shares. Await it before the call: it resolves when the
   * call may go ahead (and the job's outcome then counts for the breaker), and rejects
   * with BreakerOpenError while the breaker is open; left uncaught, that sends the job
   * back for about the remaining cooldown without charging an attempt.
   */
  breaker(name: string): Promise<void>;
  /**
   * Records the job's progress (any JSON value, e.g. `{ done: 40, of: 100 }`), shown by
   * `rota job <id>` and the API. Written with the next status batch, not at once.
   */
  progress(value: Json): void;
}

export type Handler<P = unknown, R = unknown> = (job: Job<P>, ctx: JobContext) => Promise<R> | R;

export type JobState = 'available' | 'scheduled' | 'running' | 'completed' | 'dead' | 'cancelled';

export interface JobError {
  attempt: number;
  at: string;
  name: string;
  message: string;
  stack?: string;
}

/** A job as stored, from `rota.getJob(id)`. */
export interface JobRecord<P = unknown> extends Job<P> {
  state: JobState;
  dedupKey: string | null;
  errors: JobError[];
  result: unknown;
  startedAt: Date | null;
  finishedAt: Date | null;
  lockedBy: string | null;
}
