import { positiveInt, validateName } from '../client/validate.js';
import { ValidationError } from '../errors.js';
import type { SchedulerDeps } from './deps.js';
import type { CycleOutcome, ScheduleCycle, ScheduleStatus, TickStatus } from './types.js';

type Deps = Pick<SchedulerDeps, 'pool' | 'sql'>;

const STATUSES: readonly TickStatus[] = ['enqueued', 'caught_up', 'missed'];

/** Copies finished jobs' outcomes into their cycles; returns how many were settled. */
export async function settleCycles(deps: Deps, limit = 5_000): Promise<number> {
  const res = await deps.pool.query(deps.sql.settle, [limit]);
  return res.rowCount ?? 0;
}

/** Deletes up to `limit` cycles older than `historyMs`; returns how many. */
export async function pruneCycles(deps: Deps, historyMs: number, limit = 10_000): Promise<number> {
  const res = await deps.pool.query(deps.sql.prune, [historyMs, limit]);
  return res.rowCount ?? 0;
}

interface CycleRow {
  schedule: string;
  tick_at: Date;
  source: 'cron' | 'manual';
  status: TickStatus;
  recorded_at: Date;
  job_id: string | null;
  outcome: CycleOutcome | null;
  started_at: Date | null;
  finished_at: Date | null;
}

function toCycle(r: CycleRow): ScheduleCycle {
  return {
    schedule: r.schedule,
    tickAt: r.tick_at,
    source: r.source,
    status: r.status,
    recordedAt: r.recorded_at,
    jobId: r.job_id,
    outcome: r.outcome,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    durationMs: r.started_at && r.finished_at ? r.finished_at.getTime() - r.started_at.getTime() : null,
  };
}

export interface CycleQuery {
  /** One schedule's cycles; default all schedules. */
  schedule?: string;
  /** Only ticks at or after this instant. */
  since?: Date;
  /** Only these statuses, e.g. `['missed', 'caught_up']` for alerting. */
  status?: TickStatus[];
  /** Default 100, at most 10,000. */
  limit?: number;
}

/** Recorded cycles, newest first. */
export async function listCycles(deps: Deps, q: CycleQuery = {}): Promise<ScheduleCycle[]> {
  if (q.schedule !== undefined) validateName('schedule', q.schedule);
  if (q.since !== undefined && (!(q.since instanceof Date) || Number.isNaN(q.since.getTime())))
    throw new ValidationError('since', 'must be a valid Date');
  if (q.status !== undefined) {
    if (!Array.isArray(q.status)) throw new ValidationError('status', 'must be an array');
    for (const s of q.status)
      if (!STATUSES.includes(s)) throw new ValidationError('status', `must contain only ${STATUSES.join(', ')} (got ${JSON.stringify(s)})`);
  }
  const limit = positiveInt('limit', q.limit ?? 100, { max: 10_000 });
  await settleCycles(deps);
  const res = await deps.pool.query<CycleRow>(deps.sql.cycles, [q.schedule ?? null, q.since ?? null, q.status ?? null, limit]);
  return res.rows.map(toCycle);
}

interface StatusRow {
  name: string;
  cron: string;
  time_zone: string;
  queue: string;
  enabled: boolean;
  next_tick_at: Date | null;
  missed_total: string;
  last_missed_at: Date | null;
  last_tick_at: Date | null;
  last_source: 'cron' | 'manual' | null;
  last_status: TickStatus | null;
  last_recorded_at: Date | null;
  last_job_id: string | null;
  last_outcome: CycleOutcome | null;
  last_started_at: Date | null;
  last_finished_at: Date | null;
  cycles: number;
  completed: number;
  failed: number;
  missed: number;
  pending: number;
  mean_ms: number | null;
  p95_ms: number | null;
}

/**
 * Per schedule: next and last run, success rate and mean / p95 duration over the last
 * `window` cycles, missed ticks. Settles finished jobs first so the figures are current.
 */
export async function scheduleStatus(
  deps: Deps,
  opts: { name?: string; names?: string[]; window?: number } = {},
): Promise<ScheduleStatus[]> {
  if (opts.name !== undefined) validateName('name', opts.name);
  const window = positiveInt('window', opts.window ?? 100, { max: 10_000 });
  await settleCycles(deps);
  const res = await deps.pool.query<StatusRow>(deps.sql.status, [window, opts.name ?? null, opts.names ?? null]);
  return res.rows.map((r) => {
    const decided = r.completed + r.failed + r.missed;
    return {
      name: r.name,
      cron: r.cron,
      timeZone: r.time_zone,
      queue: r.queue,
      enabled: r.enabled,
      nextRunAt: r.enabled ? r.next_tick_at : null,
      lastRun:
        r.last_tick_at && r.last_source && r.last_status && r.last_recorded_at
          ? toCycle({
              schedule: r.name,
              tick_at: r.last_tick_at,
              source: r.last_source,
              status: r.last_status,
              recorded_at: r.last_recorded_at,
              job_id: r.last_job_id,
              outcome: r.last_outcome,
              started_at: r.last_started_at,
              finished_at: r.last_finished_at,
            })
          : null,
      lastMissedAt: r.last_missed_at,
      missedTotal: Number(r.missed_total),
      window: { cycles: r.cycles, completed: r.completed, failed: r.failed, missed: r.missed, pending: r.pending },
      successRate: decided > 0 ? r.completed / decided : null,
      meanDurationMs: r.mean_ms,
      p95DurationMs: r.p95_ms,
    };
  });
}
