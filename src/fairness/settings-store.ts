/**
 * Reads and writes queue and tenant settings (rota.queue(name), rota.tenant(queue, id),
 * `rota queue` / `rota tenant` in the CLI).
 *
 * A write locks the queue row like a claim does, so it never lands in the middle of
 * one; it then unparks the queue's (or tenant's) lanes so the next claim re-checks them
 * under the new limits, and notifies the workers of the queue so they claim at once:
 * a running worker applies new settings on its next claim, within milliseconds.
 */
import type pg from 'pg';
import { inTransaction } from '../db/transaction.js';
import { ValidationError } from '../errors.js';
import {
  type QueueInfo,
  type QueueSettings,
  type QueueSettingsRow,
  queueColumns,
  queueSettingsOf,
  storedRate,
  type TenantInfo,
  type TenantSettings,
  tenantColumns,
  validateQueueName,
  validateTenantName,
} from './settings.js';

export interface QueueHandle {
  readonly queue: string;
  /**
   * Changes the queue's settings (omitted keys stay). The queue must be known (a job
   * was enqueued to it or a worker works it) unless `create` is set.
   */
  configure(settings: QueueSettings, opts?: { create?: boolean }): Promise<QueueInfo>;
  /** Settings, running and waiting jobs, and the busiest `tenants` tenants (default 20). */
  info(opts?: { tenants?: number }): Promise<QueueInfo>;
}

export interface TenantHandle {
  readonly queue: string;
  readonly tenant: string;
  /** Changes the tenant's settings in the queue (omitted keys stay). The queue must be known. */
  configure(settings: TenantSettings): Promise<TenantInfo>;
  info(): Promise<TenantInfo>;
}

interface QueueRow extends QueueSettingsRow {
  running: number;
  ready: number;
  held_until: Date | null;
  configured_at: Date | null;
}

interface TenantRow {
  queue: string;
  tenant: string;
  weight: number;
  concurrency: number | null;
  rate_limit: number | null;
  rate_period_ms: number | null;
  rate_burst: number | null;
  running: number;
  ready: number;
  held_until: Date | null;
  configured_at: Date | null;
}

function tenantInfo(r: TenantRow): TenantInfo {
  return {
    queue: r.queue,
    tenant: r.tenant,
    weight: r.weight,
    concurrency: r.concurrency,
    rate: storedRate(r.rate_limit, r.rate_period_ms, r.rate_burst),
    running: Math.max(0, r.running),
    ready: Math.max(0, r.ready),
    heldUntil: r.held_until && r.held_until.getTime() > Date.now() ? r.held_until : null,
    configuredAt: r.configured_at,
  };
}

/** `forTenant`: the hint points at creating the queue, since tenant settings take no `create`. */
const unknownQueue = (queue: string, forTenant = false) =>
  new ValidationError(
    'queue',
    `unknown queue ${JSON.stringify(queue)}: nothing was enqueued to it and no worker works it (${
      forTenant
        ? `create it first with rota.queue(${JSON.stringify(queue)}).configure({}, { create: true }), or \`rota queue configure ${queue} --create\``
        : 'to configure it ahead, pass { create: true }, or --create in the CLI'
    })`,
  );

export class SettingsStore {
  private readonly s: string;

  constructor(
    private readonly pool: pg.Pool,
    schema: string,
  ) {
    this.s = `"${schema}"`;
  }

  private get channel(): string {
    return `${this.s.slice(1, -1)}.jobs`;
  }

  queue(name: string): QueueHandle {
    const queue = validateQueueName(name);
    return {
      queue,
      configure: (settings, opts) => this.configureQueue(queue, settings, opts?.create ?? false),
      info: (opts) => this.queueInfo(queue, opts?.tenants ?? 20),
    };
  }

  tenant(queueName: string, id: string): TenantHandle {
    const queue = validateQueueName(queueName);
    const tenant = validateTenantName(id);
    return {
      queue,
      tenant,
      configure: (settings) => this.configureTenant(queue, tenant, settings),
      info: () => this.tenantInfo(queue, tenant),
    };
  }

  private async configureQueue(queue: string, settings: QueueSettings, create: boolean): Promise<QueueInfo> {
    const cols = queueColumns(settings);
    await inTransaction(this.pool, async (c) => {
      if (create) await c.query(`INSERT INTO ${this.s}.queue_state (queue) VALUES ($1) ON CONFLICT (queue) DO NOTHING`, [queue]);
      const locked = await c.query(`SELECT queue FROM ${this.s}.queue_state WHERE queue = $1 FOR UPDATE`, [queue]);
      if (locked.rowCount === 0) throw unknownQueue(queue);
      const names = Object.keys(cols);
      if (names.length === 0) return;
      // Column names come from queueColumns' fixed list, never from the caller.
      const set = names.map((n, i) => `${n} = $${i + 2}`).join(', ');
      await c.query(
        `UPDATE ${this.s}.queue_state SET ${set}, configured_at = now(),
                tokens = CASE WHEN rate_limit IS NULL THEN NULL ELSE tokens END
          WHERE queue = $1`,
        [queue, ...names.map((n) => cols[n])],
      );
      // A tenant_concurrency set or removed: which tenants' running is counted changes
      // (sql/functions/tenant_running.sql); recounted here, under the queue's lock.
      if ('tenant_concurrency' in cols) await c.query(`SELECT ${this.s}.sync_tenant_running($1)`, [queue]);
      if ('aging_ms' in cols) {
        await c.query(
          `UPDATE ${this.s}.lane_state
              SET tier = priority,
                  promote_at = CASE WHEN $2::int IS NOT NULL AND priority > 0 THEN now() + $2 * interval '1 millisecond' END
            WHERE queue = $1 AND ready > 0`,
          [queue, cols.aging_ms],
        );
      }
      await c.query(`UPDATE ${this.s}.lane_state SET parked_until = NULL WHERE queue = $1 AND ready > 0 AND parked_until IS NOT NULL`, [
        queue,
      ]);
      await c.query('SELECT pg_notify($1, $2)', [this.channel, queue]);
    });
    return this.queueInfo(queue, 20);
  }

  private async configureTenant(queue: string, tenant: string, settings: TenantSettings): Promise<TenantInfo> {
    const cols = tenantColumns(settings);
    await inTransaction(this.pool, async (c) => {
      const locked = await c.query(`SELECT queue FROM ${this.s}.queue_state WHERE queue = $1 FOR UPDATE`, [queue]);
      if (locked.rowCount === 0) throw unknownQueue(queue, true);
      const names = Object.keys(cols);
      const list = names.map((n) => `, ${n}`).join('');
      const values = names.map((_, i) => `, $${i + 3}`).join('');
      const update = names.map((n) => `${n} = excluded.${n}, `).join('');
      await c.query(
        // A new row starts uncounted (running NULL); the sync below counts it if a limit applies.
        `INSERT INTO ${this.s}.tenant_state AS t (queue, tenant, running, configured_at${list}) VALUES ($1, $2, NULL, now()${values})
         ON CONFLICT (queue, tenant) DO UPDATE SET ${update}configured_at = now(),
            tokens = CASE WHEN ${'rate_limit' in cols ? 'excluded.rate_limit' : 't.rate_limit'} IS NULL THEN NULL ELSE t.tokens END`,
        [queue, tenant, ...names.map((n) => cols[n])],
      );
      await c.query(`SELECT ${this.s}.sync_tenant_running($1, $2)`, [queue, tenant]);
      // The claim skips the tenant row of lanes it found plain at the queue's tenant_ver
      // (sql/functions/claim_jobs.sql, `cand`): they read it again after this.
      await c.query(`UPDATE ${this.s}.queue_state SET tenant_ver = tenant_ver + 1 WHERE queue = $1`, [queue]);
      await c.query(
        `UPDATE ${this.s}.lane_state SET parked_until = NULL
          WHERE queue = $1 AND tenant = $2 AND ready > 0 AND parked_until IS NOT NULL`,
        [queue, tenant],
      );
      await c.query('SELECT pg_notify($1, $2)', [this.channel, queue]);
    });
    return this.tenantInfo(queue, tenant);
  }

  /**
   * Per tenant of `queue`: the count changes not yet folded in by a claim (jobs enqueued
   * or finished since), so info() is current even when no worker runs.
   */
  private pending(): string {
    return `(SELECT u.tenant, sum(u.d_ready)::int AS d_ready, sum(u.d_running)::int AS d_running
               FROM ${this.s}.lane_changes c CROSS JOIN LATERAL unnest(c.tenants, c.d_ready, c.d_running) AS u(tenant, d_ready, d_running)
              WHERE c.queue = $1 GROUP BY u.tenant)`;
  }

  /**
   * Running jobs per tenant of `queue`, counted from the jobs: tenant_state.running is
   * kept only for tenants with a concurrency limit (sql/functions/tenant_running.sql).
   * Running jobs are few (workers' concurrency and buffers), read by jobs_lease_idx.
   */
  private runningJobs(): string {
    return `(SELECT j.tenant, count(*)::int AS n FROM ${this.s}.jobs j WHERE j.queue = $1 AND j.state = 'running' GROUP BY j.tenant)`;
  }

  private async queueInfo(queue: string, tenants: number): Promise<QueueInfo> {
    const res = await this.pool.query<QueueRow>(
      `WITH pending AS ${this.pending()}
       SELECT q.*,
              (SELECT coalesce(sum(l.ready), 0) FROM ${this.s}.lane_state l WHERE l.queue = q.queue)::int
                + (SELECT coalesce(sum(p.d_ready), 0) FROM pending p)::int AS ready,
              q.running + (SELECT coalesce(sum(p.d_running), 0) FROM pending p)::int AS running
         FROM ${this.s}.queue_state q WHERE q.queue = $1`,
      [queue],
    );
    const q = res.rows[0];
    if (!q) throw unknownQueue(queue);
    const t = await this.pool.query<TenantRow>(
      `WITH pending AS ${this.pending()}, run AS ${this.runningJobs()}
       SELECT t.queue, t.tenant, t.weight, t.concurrency, t.rate_limit, t.rate_period_ms, t.rate_burst, t.held_until, t.configured_at,
              coalesce(r.n, 0) AS running,
              coalesce((SELECT sum(l.ready) FROM ${this.s}.lane_state l WHERE l.queue = t.queue AND l.tenant = t.tenant), 0)::int
                + coalesce(p.d_ready, 0) AS ready
         FROM ${this.s}.tenant_state t LEFT JOIN pending p ON p.tenant = t.tenant LEFT JOIN run r ON r.tenant = t.tenant
        WHERE t.queue = $1
        ORDER BY ready DESC, running DESC, tenant LIMIT $2`,
      [queue, tenants],
    );
    return {
      ...queueSettingsOf(q),
      queue,
      running: Math.max(0, q.running),
      ready: Math.max(0, q.ready),
      // A paused queue (the admin API) is held until 'infinity', which pg returns as a number, not a Date.
      heldUntil: q.held_until instanceof Date && q.held_until.getTime() > Date.now() ? q.held_until : null,
      configuredAt: q.configured_at,
      tenants: t.rows.map(tenantInfo),
    };
  }

  private async tenantInfo(queue: string, tenant: string): Promise<TenantInfo> {
    const known = await this.pool.query(`SELECT 1 FROM ${this.s}.queue_state WHERE queue = $1`, [queue]);
    if (known.rowCount === 0) throw unknownQueue(queue);
    const res = await this.pool.query<TenantRow>(
      `WITH pending AS ${this.pending()}, run AS ${this.runningJobs()}
       SELECT t.queue, t.tenant, t.weight, t.concurrency, t.rate_limit, t.rate_period_ms, t.rate_burst, t.held_until, t.configured_at,
              coalesce(r.n, 0) AS running,
              coalesce((SELECT sum(l.ready) FROM ${this.s}.lane_state l WHERE l.queue = t.queue AND l.tenant = t.tenant), 0)::int
                + coalesce(p.d_ready, 0) AS ready
         FROM ${this.s}.tenant_state t LEFT JOIN pending p ON p.tenant = t.tenant LEFT JOIN run r ON r.tenant = t.tenant
        WHERE t.queue = $1 AND t.tenant = $2`,
      [queue, tenant],
    );
    const row = res.rows[0];
    if (row) return tenantInfo(row);
    return {
      queue,
      tenant,
      weight: 1,
      concurrency: null,
      rate: null,
      running: 0,
      ready: 0,
      heldUntil: null,
      configuredAt: null,
    };
  }
}
