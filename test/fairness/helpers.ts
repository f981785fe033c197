/**
 * Shared set-up for the fairness tests: a migrated database per file, Rota instances
 * that are always closed, direct claims (the claim is the unit under test in several
 * files), and reads of the fairness state. Not a test file itself.
 */
import pg from 'pg';
import { afterAll } from 'vitest';
import { loadQuery } from '../../src/db/sql.js';
import { FairClaimer } from '../../src/fairness/claimer.js';
import type { ClaimedRow } from '../../src/worker/attempt.js';
import { finishParams } from '../../src/worker/batcher.js';
import type { TestDb } from '../support/db.js';

const pools = new Set<pg.Pool>();
afterAll(async () => {
  await Promise.all([...pools].map((p) => p.end()));
});

export { closeRota, makeRota, migratedDatabase } from '../support/rota.js';

/**
 * Claims directly, as a worker process's claim loop would (no handler runs): again
 * at once while the claim says `more`.
 */
export function claimer(url: string, workerId = 'test-claimer'): (queue: string, n: number) => Promise<ClaimedRow[]> {
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  // The file's database is dropped (connections terminated) before these pools end.
  pool.on('error', () => {});
  pools.add(pool);
  const c = new FairClaimer({ pool, schema: 'rota', workerId, leaseMs: 60_000, claimSql: loadQuery('claim', 'rota') });
  return async (queue, n) => {
    const rows: ClaimedRow[] = [];
    for (let i = 0; i < 50; i++) {
      const batch = await c.claim([queue], [n - rows.length]);
      rows.push(...batch.rows);
      if (!batch.more.includes(queue) || rows.length >= n) break;
    }
    return rows;
  };
}

/** Marks claimed jobs completed, as a worker's status batcher would. */
export async function complete(db: TestDb, rows: readonly ClaimedRow[]): Promise<void> {
  if (rows.length === 0) return;
  const moves = rows.map((r) => ({ id: r.id, attempt: r.attempt, kind: 'complete' as const, result: null, error: null, delayMs: null }));
  await db.sql.query(loadQuery('finish_batch', 'rota'), finishParams(moves));
}

export function countBy<T>(xs: readonly T[], key: (x: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of xs) out[key(x)] = (out[key(x)] ?? 0) + 1;
  return out;
}

/**
 * The fairness counters (folded by a claim) against the jobs themselves: every lane's
 * ready count, every tenant's and queue's running count. Call after a claim, when no
 * change is pending.
 */
export async function countsDrift(db: TestDb, queue: string): Promise<string[]> {
  const res = await db.sql.query<{ what: string; stored: number; actual: number }>(
    `WITH lanes AS (
       SELECT l.tenant || '/' || l.priority AS what, l.ready AS stored,
              (SELECT count(*) FROM rota.jobs j WHERE j.queue = l.queue AND j.tenant = l.tenant AND j.priority = l.priority
                  AND j.state = 'available')::int AS actual
         FROM rota.lane_state l WHERE l.queue = $1),
     -- running is kept only for tenants a concurrency limit applies to (NULL otherwise);
     -- a limited tenant without it is reported as stored -1.
     tenants AS (
       SELECT t.tenant AS what, coalesce(t.running, -1) AS stored,
              (SELECT count(*) FROM rota.jobs j WHERE j.queue = t.queue AND j.tenant = t.tenant AND j.state = 'running')::int AS actual
         FROM rota.tenant_state t JOIN rota.queue_state q ON q.queue = t.queue
        WHERE t.queue = $1 AND (t.running IS NOT NULL OR coalesce(t.concurrency, q.tenant_concurrency) IS NOT NULL)),
     queues AS (
       SELECT '(queue)' AS what, q.running AS stored,
              (SELECT count(*) FROM rota.jobs j WHERE j.queue = q.queue AND j.state = 'running')::int AS actual
         FROM rota.queue_state q WHERE q.queue = $1)
     SELECT * FROM lanes UNION ALL SELECT * FROM tenants UNION ALL SELECT * FROM queues`,
    [queue],
  );
  return res.rows.filter((r) => r.stored !== r.actual).map((r) => `${r.what}: stored ${r.stored}, actual ${r.actual}`);
}
