import type pg from 'pg';
import type { Logger } from './logger.js';
import type { AlertEvent } from './monitor/alerts/types.js';
import type { MonitorOptions } from './monitor/options.js';
import type { ResilienceEvents, ResilienceOptions, ResilienceStats, WorkBreakerOptions } from './resilience/resilience.js';
import type { ScheduleTickEvent } from './scheduler/types.js';
import type { Handler } from './types.js';
import type { FlushStats } from './worker/batcher.js';
import type { JobOutcome } from './worker/executor.js';
import type { RetryPolicy } from './worker/retry.js';

/** Public option, event and statistics types of the Rota facade (src/rota.ts). */

export interface RotaOptions extends ResilienceOptions {
  /** postgres:// URL. One of connectionString or pool is required. */
  connectionString?: string;
  /** The application's own pool: rota then opens only its LISTEN connection besides it. */
  pool?: pg.Pool;
  /** Connections in rota's own pool (ignored with `pool`). Default 2. */
  poolSize?: number;
  /** Schema holding rota's tables. Default 'rota'. */
  schema?: string;
  logger?: Logger;
  /** Largest accepted payload, in bytes of JSON. Default 1 MiB. */
  maxPayloadBytes?: number;
  /** Attempts for jobs enqueued without maxAttempts, in queues that store no retry.maxAttempts. Default 5. */
  defaultMaxAttempts?: number;
  /** How long a claimed job's lease lasts without a heartbeat. Default 30 s. */
  leaseMs?: number;
  /** How often expired leases are looked for. Default 5 s. */
  rescueIntervalMs?: number;
  /** Claim poll when no notification arrives (delayed and retried jobs). Default 1 s. */
  pollIntervalMs?: number;
  /** Status batcher: flush at this many updates... Default 100. */
  batchSize?: number;
  /** ...or after this many ms. Default 5. */
  batchIntervalMs?: number;
  /** Most jobs a queue buffers beyond its concurrency. Default 4,000. */
  maxPrefetch?: number;
  /** Finished jobs are kept this long. Default 7 days. */
  retentionMs?: number;
  /** Grace period for in-flight jobs on stop. Default 30 s. */
  shutdownTimeoutMs?: number;
  /** Identifies this process in locked_by and the workers table. Default host:pid:random. */
  workerId?: string;
  /** Rollups, metrics, health and alert evaluation (src/monitor). */
  monitor?: MonitorOptions;
}

export interface WorkOptions {
  /** Handlers of this queue running at once in this process. Default 1. */
  concurrency?: number;
  /**
   * Backoff between attempts. A part the queue stores (`rota.queue(q).configure({ retry })`,
   * set by operators at run time) wins over the same part here.
   */
  retry?: Partial<RetryPolicy>;
  /** Per-attempt timeout for jobs enqueued without timeoutMs. */
  timeoutMs?: number;
  /** Circuit breakers: which handler errors count as failures (see rota.breakers). */
  breaker?: WorkBreakerOptions;
}

/** One queue's entry in a WorkerModule: a handler, or a handler with its work options. */
export type WorkerModuleEntry<P = unknown, R = unknown> = Handler<P, R> | ({ handler: Handler<P, R> } & WorkOptions);

/**
 * What `rota worker --module <file>` loads: the module's default export maps queue
 * names to handlers (concurrency and other options per queue are optional).
 *
 * ```ts
 * import type { WorkerModule } from 'rota';
 * export default {
 *   emails: async (job) => send(job.payload),
 *   reports: { handler: buildReport, concurrency: 2, timeoutMs: 60_000 },
 * } satisfies WorkerModule;
 * ```
 */
export type WorkerModule = Record<string, WorkerModuleEntry>;

export interface Worker {
  readonly queue: string;
  /** Stop claiming, return buffered jobs, finish (or after the grace period abort) in-flight ones, flush. */
  stop(): Promise<void>;
}

export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
}

export interface WorkerInfo {
  id: string;
  hostname: string;
  pid: number;
  queues: string[];
  startedAt: Date;
  heartbeatAgeMs: number;
  /** Pool, batcher and claim counters reported with the last heartbeat. */
  stats: unknown;
}

export interface RotaEvents extends ResilienceEvents {
  'job:completed': [{ job: JobOutcome['job']; result: unknown; durationMs: number }];
  'job:failed': [{ job: JobOutcome['job']; error: unknown; willRetry: boolean; durationMs: number }];
  flush: [FlushStats];
  /** Every cycle this process's scheduler recorded (enqueued, caught up, missed) and every trigger. */
  'schedule:tick': [ScheduleTickEvent];
  /** A tick this process found not enqueued in time (status missed or caught_up). */
  'schedule:missed': [ScheduleTickEvent];
  /** An alert fired or resolved (cluster rules: in the process evaluating them; process rules: in the process concerned). */
  alert: [AlertEvent];
}

export interface RotaStats {
  enqueued: number;
  deduplicated: number;
  completed: number;
  failed: number;
  retried: number;
  dead: number;
  snoozed: number;
  flushes: number;
  flushedRows: number;
  claims: number;
  rescued: number;
  pool: PoolStats;
  /** Resource guard, circuit breakers (as this process last saw them) and pool exhaustion. */
  resilience: ResilienceStats;
  /**
   * Per queue worked here: the backoff its failed attempts get now (the queue's stored
   * retry policy over work()'s option and the default, as this process last read it).
   */
  retry: Record<string, RetryPolicy>;
}
