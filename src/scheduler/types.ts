import type { Priority } from '../types.js';

/**
 * What happens to ticks that were not enqueued within `graceMs` of their instant
 * (every scheduler process was down, or the database was): `'skip'` records them as
 * missed; `{ catchUp: n }` also enqueues the n most recent of them, late.
 */
export type MissedTickPolicy = 'skip' | { catchUp: number };

export interface ScheduleOptions {
  /** IANA time zone the cron expression is read in. Default `'UTC'`. */
  timeZone?: string;
  /** Tenant of the enqueued jobs. Default `'default'`. */
  tenant?: string;
  /** Priority of the enqueued jobs. Default `'normal'`. */
  priority?: Priority;
  /** Default true. A disabled schedule keeps its definition and history but never ticks. */
  enabled?: boolean;
  /** Default `'skip'`. */
  onMissed?: MissedTickPolicy;
  /** A tick enqueued within this many ms of its instant is on time; later it is missed. Default 30,000. */
  graceMs?: number;
  /** Each job runs a random 0..jitterMs after being enqueued (spreads many schedules of one instant). Default 0. */
  jitterMs?: number;
  /** maxAttempts of the enqueued jobs (default: the Rota default). */
  maxAttempts?: number;
  /** timeoutMs of the enqueued jobs. */
  timeoutMs?: number;
  /**
   * Reject the schedule unless a live worker process (heartbeat within the last
   * minute) serves `queue`: catches a misspelt queue. Off by default, because a
   * schedule is usually defined before its workers start. Checked when storing only.
   */
  requireKnownQueue?: boolean;
}

/** A schedule's definition as stored. */
export interface ScheduleInfo<P = unknown> {
  name: string;
  cron: string;
  timeZone: string;
  queue: string;
  payload: P;
  tenant: string;
  priority: Priority;
  enabled: boolean;
  onMissed: MissedTickPolicy;
  graceMs: number;
  jitterMs: number;
  maxAttempts: number | null;
  timeoutMs: number | null;
  /** The next cron tick not yet handled (in the past while no scheduler runs); null when disabled or none is left. */
  nextRunAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** On time, caught up late (catch-up policy), or missed (nothing enqueued). */
export type TickStatus = 'enqueued' | 'caught_up' | 'missed';

/** How the cycle's job ended; null while it is waiting or running (or not yet settled). */
export type CycleOutcome = 'completed' | 'dead' | 'cancelled' | 'unknown';

/** One recorded cycle of a schedule: a cron tick or a manual trigger. */
export interface ScheduleCycle {
  schedule: string;
  /** The cron instant, or the trigger time for a manual run. */
  tickAt: Date;
  source: 'cron' | 'manual';
  status: TickStatus;
  /** When the row was written: the enqueue time when jobId is set. */
  recordedAt: Date;
  jobId: string | null;
  outcome: CycleOutcome | null;
  startedAt: Date | null;
  finishedAt: Date | null;
  /** finishedAt − startedAt of the job's last attempt. */
  durationMs: number | null;
}

export interface ScheduleStatus {
  name: string;
  cron: string;
  timeZone: string;
  queue: string;
  enabled: boolean;
  nextRunAt: Date | null;
  /** The most recent cycle that enqueued a job. */
  lastRun: ScheduleCycle | null;
  /** The most recent missed tick (status missed or caught_up), if any is kept. */
  lastMissedAt: Date | null;
  /** Ticks not enqueued in time, ever (including caught-up ones and those whose rows were not kept). */
  missedTotal: number;
  /** Counts over the last `window` cycles. */
  window: {
    cycles: number;
    completed: number;
    /** dead, cancelled, or gone without a trace (unknown). */
    failed: number;
    missed: number;
    /** Enqueued, job not finished yet. */
    pending: number;
  };
  /** completed / (completed + failed + missed) over the window; null when nothing has finished. */
  successRate: number | null;
  meanDurationMs: number | null;
  p95DurationMs: number | null;
}

/** Emitted by the scheduler of this process for every cycle it records (a DB query sees every process's). */
export interface ScheduleTickEvent {
  schedule: string;
  tickAt: Date;
  source: 'cron' | 'manual';
  status: TickStatus;
  jobId: string | null;
}

export interface SchedulerOptions {
  /** Longest wait between looks for due schedules: a new, changed or removed schedule is seen within it. Default 1,000 ms. */
  pollMs?: number;
  /** Due schedules handled per transaction. Default 500. */
  batchSize?: number;
  /** How often finished jobs' outcomes are copied into their cycles. Default 5,000 ms. */
  settleIntervalMs?: number;
  /** Cycles older than this are deleted. Default 30 days. */
  historyMs?: number;
}

export interface SchedulerStats {
  /** Transactions that claimed due schedules. */
  evaluations: number;
  /** Schedules handled (one schedule may have several due ticks). */
  schedulesEvaluated: number;
  enqueued: number;
  caughtUp: number;
  missed: number;
  /** Failed steps (database unreachable, or a schedule that could not be evaluated). */
  errors: number;
  /** Total ms spent in evaluation transactions (claim to commit). */
  evaluationMs: number;
}

export interface SchedulerHandle {
  /** Finishes the evaluation in progress (if any) and stops. */
  stop(): Promise<void>;
  readonly stats: Readonly<SchedulerStats>;
}
