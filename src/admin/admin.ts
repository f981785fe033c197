import type pg from 'pg';
import { loadQuery } from '../db/sql.js';
import type { PoolStats, WorkerInfo } from '../options.js';
import type { BreakerHistoryEntry, BreakerStatus, BreakerTarget } from '../resilience/breaker-store.js';
import type { ScheduleInfo } from '../scheduler/types.js';
import { AuditLog } from './audit.js';
import { breakerHistoryPage } from './breakers.js';
import { JobsAdmin } from './jobs.js';
import { breakersPage, type PageOptions, schedulesPage, workersPage } from './lists.js';
import type { Page } from './page.js';
import { QueuesAdmin } from './queues.js';
import { SchedulingAdmin } from './scheduling.js';
import { type AdminQuery, loadAdminQueries } from './sql.js';

export interface ConnectionUse {
  maxConnections: number;
  /** Slots only superusers / pg_use_reserved_connections members may use. */
  reserved: number;
  /** Client connections open now. */
  used: number;
  /** maxConnections - reserved - used. */
  available: number;
  byApplication: Array<{ application: string; state: string; count: number }>;
  /** Each live rota process's pool, from its last heartbeat. */
  pools: Array<{ worker: string; hostname: string; pid: number; pool: PoolStats | null }>;
}

export interface PruneResult {
  workers: number;
  breakerHistory: number;
  audit: number;
  jobLogs: number;
}

/**
 * The operator's operations (read model and admin writes), used by the REST server and
 * the CLI alike: `rota.admin.jobs.list(...)`, `rota.admin.queues.setPaused(...)`.
 * Queries live in sql/queries/admin/.
 */
export class Admin {
  readonly jobs: JobsAdmin;
  readonly queues: QueuesAdmin;
  readonly audit: AuditLog;
  readonly scheduling: SchedulingAdmin;
  private readonly sql: Record<AdminQuery, string>;

  constructor(
    private readonly pool: pg.Pool,
    schema: string,
    private readonly workers: (staleMs?: number) => Promise<WorkerInfo[]>,
  ) {
    this.sql = loadAdminQueries(schema);
    this.jobs = new JobsAdmin(pool, this.sql, loadQuery('get_job', schema), `${schema}.cancel`);
    this.queues = new QueuesAdmin(pool, schema, this.sql);
    this.audit = new AuditLog(pool, schema);
    this.scheduling = new SchedulingAdmin(pool, schema, this.sql);
  }

  /** Breaker state changes, newest first, keyset-paginated (all breakers when `target` is null). */
  breakerHistory(target: BreakerTarget | null, opts: { limit?: number; cursor?: string | null } = {}): Promise<Page<BreakerHistoryEntry>> {
    return breakerHistoryPage(this.pool, this.sql, target, opts);
  }

  /** Live worker processes (heartbeat within `staleMs`, default 60 s), keyset-paginated by id. */
  workerPage(opts: PageOptions & { staleMs?: number } = {}): Promise<Page<WorkerInfo>> {
    return workersPage(this.pool, this.sql, opts.staleMs ?? 60_000, opts);
  }

  /** Schedule definitions, keyset-paginated by name (statuses: rota.scheduleStatus({ names })). */
  schedulePage(opts: PageOptions = {}): Promise<Page<ScheduleInfo>> {
    return schedulesPage(this.pool, this.sql, opts);
  }

  /** Circuit breakers, keyset-paginated by (kind, name). */
  breakerPage(opts: PageOptions = {}): Promise<Page<BreakerStatus>> {
    return breakersPage(this.pool, this.sql, opts);
  }

  async connections(): Promise<ConnectionUse> {
    const res = await this.pool.query<{
      max_connections: number;
      reserved: number;
      used: number;
      by_application: ConnectionUse['byApplication'];
    }>(this.sql.connections);
    const r = res.rows[0] as { max_connections: number; reserved: number; used: number; by_application: ConnectionUse['byApplication'] };
    const live = await this.workers();
    return {
      maxConnections: r.max_connections,
      reserved: r.reserved,
      used: r.used,
      available: r.max_connections - r.reserved - r.used,
      byApplication: r.by_application,
      pools: live.map((w) => ({
        worker: w.id,
        hostname: w.hostname,
        pid: w.pid,
        pool: ((w.stats as { pool?: PoolStats } | null)?.pool ?? null) as PoolStats | null,
      })),
    };
  }

  /**
   * Deletes rows of worker processes silent for `workerStaleMs` (default 1 h), and breaker
   * history, audit entries and job logs older than `historyMs` (default 7 days), in
   * bounded batches.
   */
  async prune(opts: { workerStaleMs?: number; historyMs?: number } = {}): Promise<PruneResult> {
    const total: PruneResult = { workers: 0, breakerHistory: 0, audit: 0, jobLogs: 0 };
    const batch = 10_000;
    for (;;) {
      const res = await this.pool.query<{ workers: number; breaker_history: number; audit: number; job_logs: number }>(this.sql.prune, [
        opts.workerStaleMs ?? 3_600_000,
        opts.historyMs ?? 7 * 86_400_000,
        batch,
      ]);
      const r = res.rows[0] as { workers: number; breaker_history: number; audit: number; job_logs: number };
      total.workers += r.workers;
      total.breakerHistory += r.breaker_history;
      total.audit += r.audit;
      total.jobLogs += r.job_logs;
      if (Math.max(r.workers, r.breaker_history, r.audit, r.job_logs) < batch) return total;
    }
  }
}
