import type pg from 'pg';
import { loadQuery, withSchema } from '../db/sql.js';
import { OTHER_TENANTS } from './rollup.js';

export interface QueueTotals {
  queue: string;
  enqueued: number;
  completed: number;
  failed: number;
  retried: number;
  dead: number;
  snoozed: number;
  rateLimited: number;
  waitSumMs: number;
  runSumMs: number;
  waitBuckets: number[];
  runBuckets: number[];
}

export interface QueueGauges {
  queue: string;
  ready: number;
  scheduled: number;
  running: number;
  oldestReadyMs: number;
  paused: boolean;
}

export interface TenantFigure {
  queue: string;
  /** A tenant id, or OTHER_TENANTS for everything past the top N. */
  tenant: string;
  value: number;
}

export interface ConnectionUse {
  max: number;
  /** Slots reserved for superusers (and pg_use_reserved_connections): not usable by rota. */
  reserved: number;
  total: number;
  byApplication: Array<{ application: string; state: string; count: number }>;
}

export interface BreakerRow {
  kind: string;
  name: string;
  state: 'closed' | 'open' | 'half_open';
  changedAt: Date;
}

export interface ScheduleRow {
  name: string;
  enabled: boolean;
  /** How long past its next tick an enabled schedule is (0 when not due), ms. */
  overdueMs: number;
  graceMs: number;
  missedTotal: number;
  lastMissedAt: Date | null;
}

export interface WorkerRow {
  id: string;
  heartbeatAgeMs: number;
  stats: { pool?: { total: number; idle: number; waiting: number }; batcher?: { pending?: number } } | null;
}

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const nums = (v: unknown): number[] => (Array.isArray(v) ? v.map(num) : []);

/** Cluster-wide reads for metrics, health and alerts: each a bounded query (see the sql files). */
export class ClusterReader {
  private readonly sql: Record<'totals' | 'gauges' | 'topTenants' | 'timeseries', string>;

  constructor(
    private readonly pool: pg.Pool,
    private readonly schema: string,
  ) {
    const q = (n: string) => loadQuery(`monitor/${n}`, schema);
    this.sql = { totals: q('totals'), gauges: q('queue_gauges'), topTenants: q('top_tenants'), timeseries: q('timeseries') };
  }

  private s(text: string): string {
    return withSchema(text, this.schema);
  }

  async totals(): Promise<QueueTotals[]> {
    const res = await this.pool.query(this.sql.totals);
    return res.rows.map((r) => ({
      queue: r.queue,
      enqueued: num(r.enqueued),
      completed: num(r.completed),
      failed: num(r.failed),
      retried: num(r.retried),
      dead: num(r.dead),
      snoozed: num(r.snoozed),
      rateLimited: num(r.rate_limited),
      waitSumMs: num(r.wait_sum_ms),
      runSumMs: num(r.run_sum_ms),
      waitBuckets: nums(r.wait_buckets),
      runBuckets: nums(r.run_buckets),
    }));
  }

  async queueGauges(): Promise<QueueGauges[]> {
    const res = await this.pool.query(this.sql.gauges);
    return res.rows.map((r) => ({
      queue: r.queue,
      ready: num(r.ready),
      scheduled: num(r.scheduled),
      running: num(r.running),
      oldestReadyMs: num(r.oldest_ready_ms),
      paused: r.paused === true,
    }));
  }

  /** Jobs finished per tenant (completed + failed) over the last `minutes`, top `n` per queue plus the rest. */
  async busiestTenants(minutes: number, n: number): Promise<Array<TenantFigure & { failed: number }>> {
    const res = await this.pool.query(this.sql.topTenants, [minutes, n]);
    return res.rows.map((r) => ({ queue: r.queue, tenant: r.tenant, value: num(r.completed), failed: num(r.failed) }));
  }

  /** Jobs waiting per tenant, top `n` per queue plus the rest (from the claim's lane counters). */
  async tenantBacklog(n: number): Promise<TenantFigure[]> {
    const res = await this.pool.query(
      this.s(`WITH t AS (SELECT queue, tenant, sum(ready)::bigint AS ready FROM {{schema}}.lane_state WHERE ready > 0 GROUP BY 1, 2),
                   r AS (SELECT *, row_number() OVER (PARTITION BY queue ORDER BY ready DESC, tenant) AS rank FROM t)
              SELECT queue, CASE WHEN rank <= $1 THEN tenant ELSE $2 END AS tenant, sum(ready)::bigint AS ready
                FROM r GROUP BY 1, 2 ORDER BY 1, 2`),
      [n, OTHER_TENANTS],
    );
    return res.rows.map((r) => ({ queue: r.queue, tenant: r.tenant, value: num(r.ready) }));
  }

  async connections(): Promise<ConnectionUse> {
    const res = await this.pool.query(
      `SELECT coalesce(nullif(application_name, ''), '(none)') AS application, coalesce(state, 'unknown') AS state, count(*)::int AS n,
              current_setting('max_connections')::int AS max,
              current_setting('superuser_reserved_connections')::int
                + coalesce(nullif(current_setting('reserved_connections', true), '')::int, 0) AS reserved
         FROM pg_stat_activity WHERE backend_type = 'client backend' GROUP BY 1, 2 ORDER BY 3 DESC`,
    );
    const first = res.rows[0];
    const byApplication = res.rows.map((r) => ({ application: r.application, state: r.state, count: num(r.n) }));
    return {
      max: num(first?.max),
      reserved: num(first?.reserved),
      total: byApplication.reduce((a, b) => a + b.count, 0),
      byApplication,
    };
  }

  async breakers(): Promise<BreakerRow[]> {
    const res = await this.pool.query(this.s('SELECT kind, name, state, changed_at FROM {{schema}}.breakers ORDER BY kind, name'));
    return res.rows.map((r) => ({ kind: r.kind, name: r.name, state: r.state, changedAt: r.changed_at }));
  }

  /** True while an operator has paused every scheduler (scheduler_control). */
  async schedulersPaused(): Promise<boolean> {
    const res = await this.pool.query<{ paused: boolean }>(this.s('SELECT paused FROM {{schema}}.scheduler_control WHERE id'));
    return res.rows[0]?.paused === true;
  }

  async schedules(): Promise<ScheduleRow[]> {
    const res = await this.pool.query(
      this.s(`SELECT name, enabled, grace_ms, missed_total, last_missed_at,
                     greatest(0, extract(epoch FROM now() - next_tick_at) * 1000)::float8 AS overdue_ms
                FROM {{schema}}.schedules ORDER BY name`),
    );
    return res.rows.map((r) => ({
      name: r.name,
      enabled: r.enabled,
      overdueMs: r.enabled ? num(r.overdue_ms) : 0,
      graceMs: num(r.grace_ms),
      missedTotal: num(r.missed_total),
      lastMissedAt: r.last_missed_at,
    }));
  }

  async workers(): Promise<WorkerRow[]> {
    const res = await this.pool.query(
      this.s(`SELECT id, (extract(epoch FROM now() - heartbeat_at) * 1000)::float8 AS age_ms, stats FROM {{schema}}.workers ORDER BY id`),
    );
    return res.rows.map((r) => ({ id: r.id, heartbeatAgeMs: num(r.age_ms), stats: r.stats }));
  }

  /** Running jobs held by worker ids that have not heartbeated within `staleMs` (or never registered). */
  async lostWorkers(staleMs: number): Promise<Array<{ worker: string; jobs: number; queues: string[] }>> {
    const res = await this.pool.query(
      this.s(`SELECT j.locked_by AS worker, count(*)::int AS jobs, array_agg(DISTINCT j.queue) AS queues
                FROM {{schema}}.jobs j
               WHERE j.state = 'running' AND j.lease_expires_at IS NOT NULL
                 -- A worker registers just after it starts claiming: a job started within
                 -- staleMs is not evidence of a lost worker yet.
                 AND j.started_at < now() - $1 * interval '1 millisecond'
                 AND NOT EXISTS (SELECT 1 FROM {{schema}}.workers w
                                  WHERE w.id = j.locked_by AND w.heartbeat_at > now() - $1 * interval '1 millisecond')
               GROUP BY 1 ORDER BY 1`),
      [staleMs],
    );
    return res.rows.map((r) => ({ worker: r.worker ?? '(unknown)', jobs: num(r.jobs), queues: r.queues }));
  }

  /** Finished-attempt counts per queue over the last `windowMs`, from the rollups. */
  async recentOutcomes(windowMs: number): Promise<Array<{ queue: string; completed: number; failed: number; dead: number }>> {
    const res = await this.pool.query(
      this.s(`SELECT queue, sum(completed)::bigint AS completed, sum(failed)::bigint AS failed, sum(dead)::bigint AS dead
                FROM {{schema}}.monitor_rollups
               WHERE minute >= date_trunc('minute', now() - $1 * interval '1 millisecond')
               GROUP BY queue ORDER BY queue`),
      [windowMs],
    );
    return res.rows.map((r) => ({ queue: r.queue, completed: num(r.completed), failed: num(r.failed), dead: num(r.dead) }));
  }

  async timeseries(q: { queue: string | null; from: Date; to: Date; stepSec: number }): Promise<
    Array<{
      t: Date;
      completed: number;
      failed: number;
      retried: number;
      dead: number;
      snoozed: number;
      rateLimited: number;
      waitBuckets: number[];
      runBuckets: number[];
    }>
  > {
    const res = await this.pool.query(this.sql.timeseries, [q.queue, q.from, q.to, q.stepSec]);
    return res.rows.map((r) => ({
      t: r.t,
      completed: num(r.completed),
      failed: num(r.failed),
      retried: num(r.retried),
      dead: num(r.dead),
      snoozed: num(r.snoozed),
      rateLimited: num(r.rate_limited),
      waitBuckets: nums(r.wait_buckets),
      runBuckets: nums(r.run_buckets),
    }));
  }
}
