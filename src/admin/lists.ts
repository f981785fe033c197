import type pg from 'pg';
import type { WorkerInfo } from '../options.js';
import { type BreakerStatus, type StatusRow, toStatus } from '../resilience/breaker-store.js';
import { type ScheduleRow, toScheduleInfo } from '../scheduler/definition.js';
import type { ScheduleInfo } from '../scheduler/types.js';
import { decodeCursor, encodeCursor, type Page, pageLimit } from './page.js';
import type { AdminQuery } from './sql.js';

/** Keyset page options shared by the lists below. */
export interface PageOptions {
  limit?: number;
  cursor?: string | null;
}

const isName = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 1000;
const isKindName = (v: unknown): v is [string, string] =>
  Array.isArray(v) && v.length === 2 && (v[0] === 'queue' || v[0] === 'dependency') && typeof v[1] === 'string';

/**
 * Fetches `limit + 1` rows after the cursor's key: the extra row only says whether a
 * next page exists. Every list here is ordered by a unique key, so pages neither repeat
 * nor skip a row that existed throughout.
 */
async function keyset<R, K, T>(
  run: (after: K | null, fetch: number) => Promise<R[]>,
  opts: PageOptions,
  valid: (v: unknown) => v is K,
  key: (r: R) => K,
  map: (r: R) => T,
): Promise<Page<T>> {
  const limit = pageLimit(opts.limit);
  const after = opts.cursor ? decodeCursor(opts.cursor, valid) : null;
  const rows = await run(after, limit + 1);
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return { items: page.map(map), nextCursor: rows.length > limit && last !== undefined ? encodeCursor(key(last)) : null };
}

/** A workers row as the worker queries return it (with its heartbeat's age). */
export interface WorkerRow {
  id: string;
  hostname: string;
  pid: number;
  queues: string[];
  started_at: Date;
  age_ms: number;
  stats: unknown;
}

export function toWorkerInfo(r: WorkerRow): WorkerInfo {
  return {
    id: r.id,
    hostname: r.hostname,
    pid: r.pid,
    queues: r.queues,
    startedAt: r.started_at,
    heartbeatAgeMs: r.age_ms,
    stats: r.stats,
  };
}

/** Live worker processes (heartbeat within `staleMs`), by id. */
export function workersPage(
  pool: pg.Pool,
  sql: Pick<Record<AdminQuery, string>, 'workers'>,
  staleMs: number,
  opts: PageOptions,
): Promise<Page<WorkerInfo>> {
  return keyset(
    async (after: string | null, fetch) => (await pool.query<WorkerRow>(sql.workers, [staleMs, after, fetch])).rows,
    opts,
    isName,
    (r) => r.id,
    toWorkerInfo,
  );
}

/** Schedule definitions, by name. */
export function schedulesPage(pool: pg.Pool, sql: Record<AdminQuery, string>, opts: PageOptions): Promise<Page<ScheduleInfo>> {
  return keyset(
    async (after: string | null, fetch) => (await pool.query<ScheduleRow>(sql.schedules, [after, fetch])).rows,
    opts,
    isName,
    (r) => r.name,
    (r) => toScheduleInfo(r),
  );
}

/** Circuit breakers, by (kind, name). */
export function breakersPage(pool: pg.Pool, sql: Record<AdminQuery, string>, opts: PageOptions): Promise<Page<BreakerStatus>> {
  return keyset(
    async (after: [string, string] | null, fetch) =>
      (await pool.query<StatusRow>(sql.breakers, [after?.[0] ?? null, after?.[1] ?? null, fetch])).rows,
    opts,
    isKindName,
    (r) => [r.kind, r.name] as [string, string],
    toStatus,
  );
}
