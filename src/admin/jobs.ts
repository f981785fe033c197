import type pg from 'pg';
import { getJob, validateJobId } from '../client/jobs.js';
import { ValidationError } from '../errors.js';
import { type JobRecord, type JobState, PRIORITIES, type Priority } from '../types.js';
import { type FilterParams, filterParams, type JobFilter } from './filter.js';
import { decodeCursor, encodeCursor, type Page, pageLimit } from './page.js';
import type { AdminQuery } from './sql.js';

/** One row of a job list (no payload or result: `job(id)` has them). */
export interface JobSummary {
  id: string;
  queue: string;
  tenant: string;
  priority: Priority;
  state: JobState;
  attempt: number;
  maxAttempts: number;
  runAt: Date;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  lockedBy: string | null;
}

/** One attempt of a job: where and when it ran, and how it ended. */
export interface JobAttempt {
  attempt: number;
  worker: string | null;
  startedAt: string | null;
  endedAt: string;
  outcome: string;
  error: { name?: string; message: string; stack?: string } | null;
}

export interface JobDetail extends JobRecord {
  attempts: JobAttempt[];
  cancelRequestedAt: Date | null;
  logs: Array<{ at: string; level: string; msg: string; data?: unknown }>;
  progress: unknown;
}

export interface ListOptions {
  limit?: number;
  cursor?: string | null;
  /** Payload searches examine at most this many rows per page (default 20,000). */
  scanLimit?: number;
  /** A tenant-scoped caller: only this tenant's jobs exist. */
  scopeTenant?: string | null;
}

export interface BulkResult {
  /** Rows matched (dry run) or changed. */
  count: number;
  /** cancel: running jobs asked to stop (they end cancelled when their handler returns). */
  requested?: number;
}

type Cursor = { p: 'l'; id: string } | { p: 'd'; t: string; id: string };

function isCursor(v: unknown): v is Cursor {
  if (typeof v !== 'object' || v === null) return false;
  const c = v as Record<string, unknown>;
  const id = typeof c.id === 'string' && /^\d{1,19}$/.test(c.id);
  if (c.p === 'l') return id;
  return c.p === 'd' && id && typeof c.t === 'string' && (c.t === 'infinity' || isTimestamp(c.t));
}

/** PostgreSQL's text form of a timestamptz (`2026-11-29 20:36:35.123456+00`), checked before it reaches a cast. */
function isTimestamp(t: string): boolean {
  const m = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(\.\d{1,6})?([+-]\d{2})(:\d{2})?$/.exec(t);
  if (!m) return false;
  const iso = `${m[1]}T${m[2]}${(m[3] ?? '').slice(0, 4)}${m[4]}${m[5] ?? ':00'}`;
  return !Number.isNaN(Date.parse(iso));
}

interface ListRow {
  id: string | null;
  queue: string;
  tenant: string;
  priority: number;
  state: JobState;
  attempt: number;
  max_attempts: number;
  run_at: Date;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  finished_key: string | null;
  locked_by: string | null;
  scanned_min: string | null;
  scanned_min_key?: string | null;
  scanned_n: number;
}

function summary(r: ListRow): JobSummary {
  return {
    id: r.id as string,
    queue: r.queue,
    tenant: r.tenant,
    priority: PRIORITIES[r.priority] ?? 'normal',
    state: r.state,
    attempt: r.attempt,
    maxAttempts: r.max_attempts,
    runAt: r.run_at,
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    lockedBy: r.locked_by,
  };
}

const CHUNK = 5_000;

/**
 * The jobs part of the read model and the admin writes. Lists are keyset-paginated:
 * live jobs first (newest id first), then finished ones (newest finish first). Every
 * write journals the fair claim's count changes in the statement that moves the jobs
 * (sql/queries/admin/*.sql), so the claim's counters stay exact.
 */
export class JobsAdmin {
  constructor(
    private readonly pool: pg.Pool,
    private readonly sql: Record<AdminQuery, string>,
    private readonly getJobSql: string,
    private readonly cancelChannel: string,
  ) {}

  async list(filter: JobFilter = {}, opts: ListOptions = {}): Promise<Page<JobSummary>> {
    const limit = pageLimit(opts.limit);
    const scan = opts.scanLimit ?? 20_000;
    const cursor = opts.cursor ? decodeCursor(opts.cursor, isCursor) : null;
    const f = filterParams(filter, opts.scopeTenant ?? null);
    if (f === 'empty') return { items: [], nextCursor: null };
    const items: JobSummary[] = [];
    if (f.live && (!cursor || cursor.p === 'l')) {
      const page = await this.page('list_live', [...f.live, f.payload, cursor?.id ?? null, limit + 1, f.payload ? scan : limit + 1]);
      items.push(...page.rows.slice(0, limit).map(summary));
      if (page.rows.length > limit) return { items, nextCursor: encodeCursor({ p: 'l', id: items.at(-1)?.id }) };
      if (page.more) return { items, nextCursor: encodeCursor({ p: 'l', id: page.scannedMin }) };
    }
    const room = limit - items.length;
    if (!f.done || room === 0) {
      return { items, nextCursor: f.done && room === 0 ? encodeCursor({ p: 'd', t: 'infinity', id: '0' }) : null };
    }
    const after = cursor?.p === 'd' && cursor.t !== 'infinity' ? cursor : null;
    const page = await this.page('list_done', [
      ...f.done,
      f.payload,
      after?.t ?? null,
      after?.id ?? null,
      room + 1,
      f.payload ? scan : room + 1,
    ]);
    const done = page.rows.slice(0, room);
    items.push(...done.map(summary));
    if (page.rows.length > room) {
      const last = done.at(-1) as ListRow;
      return { items, nextCursor: encodeCursor({ p: 'd', t: last.finished_key, id: last.id }) };
    }
    if (page.more) return { items, nextCursor: encodeCursor({ p: 'd', t: page.scannedMinKey, id: page.scannedMin }) };
    return { items, nextCursor: null };
  }

  private async page(query: 'list_live' | 'list_done', params: unknown[]) {
    const res = await this.pool.query<ListRow>(this.sql[query], params);
    const meta = res.rows[0] as ListRow;
    const cap = params.at(-1) as number;
    return {
      rows: res.rows.filter((r) => r.id !== null),
      // The scan stopped at its cap: rows past it may match.
      more: meta.scanned_n >= cap,
      scannedMin: meta.scanned_min,
      scannedMinKey: meta.scanned_min_key ?? null,
    };
  }

  /** A job with its attempts, logs and progress; null when unknown (or another tenant's). */
  async get(id: string, scopeTenant: string | null = null): Promise<JobDetail | null> {
    const job = await getJob(this.pool, this.getJobSql, id);
    if (!job || (scopeTenant !== null && job.tenant !== scopeTenant)) return null;
    const res = await this.pool.query<{
      attempts: JobAttempt[];
      cancel_requested_at: Date | null;
      logs: JobDetail['logs'] | null;
      progress: unknown;
    }>(this.sql.job_detail, [job.id]);
    const d = res.rows[0];
    return {
      ...job,
      attempts: d?.attempts ?? [],
      cancelRequestedAt: d?.cancel_requested_at ?? null,
      logs: d?.logs ?? [],
      progress: d?.progress ?? null,
    };
  }

  /** Dead or cancelled jobs back to the queue (fresh attempts). Returns how many moved. */
  async retry(ids: string[], scopeTenant: string | null = null): Promise<number> {
    const res = await this.pool.query(this.sql.retry_jobs, [ids.map(validateJobId), scopeTenant]);
    return res.rowCount ?? 0;
  }

  /** Cancels waiting jobs at once and asks running ones to stop (they end cancelled). */
  async cancel(ids: string[], scopeTenant: string | null = null): Promise<{ cancelled: number; requested: number }> {
    const res = await this.pool.query<{ cancelled: number; requested: number }>(this.sql.cancel_jobs, [
      ids.map(validateJobId),
      scopeTenant,
      this.cancelChannel,
    ]);
    const r = res.rows[0];
    return { cancelled: r?.cancelled ?? 0, requested: r?.requested ?? 0 };
  }

  /** Deletes jobs (live or finished) and their logs; a running one's handler is aborted. */
  async delete(ids: string[], scopeTenant: string | null = null): Promise<number> {
    const res = await this.pool.query<{ deleted: number }>(this.sql.delete_jobs, [ids.map(validateJobId), scopeTenant, this.cancelChannel]);
    return res.rows[0]?.deleted ?? 0;
  }

  /**
   * Retry, cancel or delete every job matching `filter`, a chunk of 5,000 per statement
   * (each chunk commits on its own), or with `dryRun` only count them.
   */
  async bulk(
    action: 'retry' | 'cancel' | 'delete',
    filter: JobFilter,
    opts: { dryRun?: boolean; scopeTenant?: string | null } = {},
  ): Promise<BulkResult> {
    const f = filterParams(filter, opts.scopeTenant ?? null);
    if (f === 'empty') return { count: 0 };
    // retry reads dead/cancelled finished jobs, cancel live ones, delete both.
    const where = this.scope(action, f);
    if (opts.dryRun) {
      let count = 0;
      if (where.live) count += await this.count('count_live', [...where.live, f.payload]);
      if (where.done) count += await this.count('count_done', [...where.done, f.payload]);
      return { count };
    }
    let count = 0;
    let requested = 0;
    for (const [query, params] of [
      ['select_live', where.live],
      ['select_done', where.done],
    ] as const) {
      if (!params) continue;
      let after: string | null = null;
      for (;;) {
        const res: pg.QueryResult<{ id: string }> = await this.pool.query<{ id: string }>(this.sql[query], [
          ...params,
          f.payload,
          after,
          CHUNK,
        ]);
        const ids = res.rows.map((r) => r.id);
        if (ids.length === 0) break;
        if (action === 'retry') count += await this.retry(ids);
        else if (action === 'delete') count += await this.delete(ids);
        else {
          const c = await this.cancel(ids);
          count += c.cancelled;
          requested += c.requested;
        }
        if (ids.length < CHUNK) break;
        after = ids.at(-1) as string;
      }
    }
    return action === 'cancel' ? { count, requested } : { count };
  }

  private scope(action: 'retry' | 'cancel' | 'delete', f: FilterParams): { live: unknown[] | null; done: unknown[] | null } {
    const states = (p: unknown[] | null, allowed: string[]) => {
      if (!p) return null;
      const asked = p[2] as string[] | null;
      const st = asked ? asked.filter((s) => allowed.includes(s)) : allowed;
      return st.length ? [...p.slice(0, 2), st, ...p.slice(3)] : null;
    };
    if (action === 'retry') return { live: null, done: states(f.done, ['dead', 'cancelled']) };
    if (action === 'cancel') return { live: states(f.live, ['available', 'scheduled', 'running']), done: null };
    return { live: f.live, done: f.done };
  }

  private async count(query: 'count_live' | 'count_done', params: unknown[]): Promise<number> {
    const res = await this.pool.query<{ n: string }>(this.sql[query], params);
    return Number(res.rows[0]?.n ?? 0);
  }
}

export function validateIds(ids: unknown): string[] {
  if (!Array.isArray(ids)) throw new ValidationError('ids', 'must be an array of job ids');
  return ids.map((id, i) => {
    try {
      return validateJobId(id);
    } catch {
      throw new ValidationError(`ids[${i}]`, `must be a positive integer id (got ${String(id)})`);
    }
  });
}
