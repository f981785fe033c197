import type pg from 'pg';
import { expect } from 'vitest';

/**
 * Checks that the fair claim's counters are exact: folds the pending lane_changes (a
 * claim of 0 jobs does only that), then compares lane_state / tenant_state /
 * queue_state with counts taken from the jobs themselves.
 */
export async function expectCountersExact(sql: pg.Pool, schema = 'rota'): Promise<void> {
  const queues = await sql.query<{ queue: string }>(`SELECT queue FROM "${schema}".queue_state`);
  const names = queues.rows.map((r) => r.queue);
  await sql.query(`SELECT * FROM "${schema}".claim_jobs($1::text[], $2::int[], 'fold', 1000)`, [names, names.map(() => 0)]);
  const lanes = await sql.query(
    `SELECT coalesce(a.queue, b.queue) AS queue, coalesce(a.tenant, b.tenant) AS tenant, coalesce(a.priority, b.priority) AS priority,
            coalesce(a.ready, 0) AS counted, coalesce(b.n, 0) AS actual
       FROM "${schema}".lane_state a
       FULL JOIN (SELECT queue, tenant, priority, count(*)::int AS n FROM "${schema}".jobs WHERE state = 'available' GROUP BY 1, 2, 3) b
         ON a.queue = b.queue AND a.tenant = b.tenant AND a.priority = b.priority
      WHERE coalesce(a.ready, 0) <> coalesce(b.n, 0)`,
  );
  expect(lanes.rows, 'lane_state.ready vs available jobs').toEqual([]);
  const tenants = await sql.query(
    `SELECT t.queue, t.tenant, t.running AS counted, coalesce(b.n, 0) AS actual
       FROM "${schema}".tenant_state t
       LEFT JOIN (SELECT queue, tenant, count(*)::int AS n FROM "${schema}".jobs WHERE state = 'running' GROUP BY 1, 2) b
         ON b.queue = t.queue AND b.tenant = t.tenant
      WHERE t.running <> coalesce(b.n, 0)`,
  );
  expect(tenants.rows, 'tenant_state.running vs running jobs').toEqual([]);
  // running is kept (not NULL) for every tenant a concurrency limit applies to.
  const uncounted = await sql.query(
    `SELECT t.queue, t.tenant FROM "${schema}".tenant_state t JOIN "${schema}".queue_state q ON q.queue = t.queue
      WHERE coalesce(t.concurrency, q.tenant_concurrency) IS NOT NULL AND t.running IS NULL`,
  );
  expect(uncounted.rows, 'limited tenants without a running count').toEqual([]);
  const qs = await sql.query(
    `SELECT q.queue, q.running AS counted, coalesce(b.n, 0) AS actual
       FROM "${schema}".queue_state q
       LEFT JOIN (SELECT queue, count(*)::int AS n FROM "${schema}".jobs WHERE state = 'running' GROUP BY 1) b ON b.queue = q.queue
      WHERE q.running <> coalesce(b.n, 0)`,
  );
  expect(qs.rows, 'queue_state.running vs running jobs').toEqual([]);
}

/** Waiting / running per queue counted from the jobs themselves (what the cheap counts must equal). */
export async function actualCounts(sql: pg.Pool, schema = 'rota'): Promise<Record<string, { waiting: number; running: number }>> {
  const res = await sql.query<{ queue: string; waiting: number; running: number }>(
    `SELECT queue, count(*) FILTER (WHERE state = 'available')::int AS waiting, count(*) FILTER (WHERE state = 'running')::int AS running
       FROM "${schema}".jobs GROUP BY queue`,
  );
  return Object.fromEntries(res.rows.map((r) => [r.queue, { waiting: r.waiting, running: r.running }]));
}
