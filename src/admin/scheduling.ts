import type pg from 'pg';
import { validateName } from '../client/validate.js';
import { withSchema } from '../db/sql.js';
import type { ScheduleCycle } from '../scheduler/types.js';
import { decodeCursor, encodeCursor, type Page, pageLimit } from './page.js';
import type { AdminQuery } from './sql.js';

export interface SchedulerState {
  /** Every scheduler is paused (no process evaluates schedules). */
  paused: boolean;
  changedAt: Date | null;
  schedules: number;
  enabled: number;
  /** How late the most overdue enabled schedule is (0 when none is due): a running scheduler keeps it under its poll. */
  lagMs: number;
  /** The last cycle any scheduler recorded. */
  lastEvaluationAt: Date | null;
  /** The processes that claimed schedules to evaluate, most recent first (at most 20). */
  evaluators: SchedulerEvaluator[];
}

export interface SchedulerEvaluator {
  /** rota.workerId of the process (hostname:pid:random unless set). */
  workerId: string;
  /** When it last recorded a claim (each loop writes at most once a second). */
  lastClaimAt: Date;
  /** Schedules it claimed, as of that write (claims since then are added by the next one). */
  claimed: number;
}

interface CycleRow {
  schedule: string;
  tick_at: Date;
  tick_key: string;
  source: 'cron' | 'manual';
  status: ScheduleCycle['status'];
  recorded_at: Date;
  job_id: string | null;
  outcome: ScheduleCycle['outcome'];
  started_at: Date | null;
  finished_at: Date | null;
}

const isCycleCursor = (v: unknown): v is [string, string] =>
  Array.isArray(v) &&
  v.length === 2 &&
  typeof v[0] === 'string' &&
  /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}(:\d{2})?$/.test(v[0]) &&
  (v[1] === 'cron' || v[1] === 'manual');

/** Schedules as operators see them: paginated cycle history, the schedulers' state, pause / resume of all of them. */
export class SchedulingAdmin {
  constructor(
    private readonly pool: pg.Pool,
    private readonly schema: string,
    private readonly sql: Record<AdminQuery, string>,
  ) {}

  async cycles(opts: { schedule?: string; limit?: number; cursor?: string | null } = {}): Promise<Page<ScheduleCycle>> {
    if (opts.schedule !== undefined) validateName('schedule', opts.schedule);
    const limit = pageLimit(opts.limit);
    const after = opts.cursor ? decodeCursor(opts.cursor, isCycleCursor) : null;
    const res = await this.pool.query<CycleRow>(this.sql.cycles, [
      opts.schedule ?? null,
      after?.[0] ?? null,
      after?.[1] ?? null,
      limit + 1,
    ]);
    const rows = res.rows.slice(0, limit);
    const last = rows.at(-1);
    return {
      items: rows.map((r) => ({
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
      })),
      nextCursor: res.rows.length > limit && last ? encodeCursor([last.tick_key, last.source]) : null,
    };
  }

  async state(): Promise<SchedulerState> {
    const res = await this.pool.query<{
      paused: boolean | null;
      changed_at: Date | null;
      schedules: number;
      enabled: number;
      oldest_due_at: Date | null;
      last_recorded_at: Date | null;
      evaluators: Array<{ worker_id: string; evaluated_at: string; claimed: number | string }> | null;
    }>(this.sql.scheduler_state);
    const r = res.rows[0];
    return {
      paused: r?.paused === true,
      changedAt: r?.changed_at ?? null,
      schedules: r?.schedules ?? 0,
      enabled: r?.enabled ?? 0,
      lagMs: r?.oldest_due_at ? Math.max(0, Date.now() - r.oldest_due_at.getTime()) : 0,
      lastEvaluationAt: r?.last_recorded_at ?? null,
      evaluators: (r?.evaluators ?? []).map((e) => ({
        workerId: e.worker_id,
        lastClaimAt: new Date(e.evaluated_at),
        claimed: Number(e.claimed),
      })),
    };
  }

  /** Pauses (or resumes) every scheduler process at once; seen within each one's poll. */
  async setPaused(paused: boolean, by: string): Promise<SchedulerState> {
    await this.pool.query(
      withSchema('UPDATE {{schema}}.scheduler_control SET paused = $1, changed_at = now(), changed_by = $2 WHERE id', this.schema),
      [paused, by],
    );
    return this.state();
  }
}
