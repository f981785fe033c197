/**
 * The fold with statistics taken while the tenant rows did not exist yet (issue #9, many
 * tenants): what autovacuum's ANALYZE after a bulk enqueue leaves. The fold of finished
 * jobs must read tenant rows by key, for the tenants it folds, not the whole of
 * tenant_state per claim (a join planned from those statistics did, and cost 220 ms per
 * claim over 10,000 tenants: docs/perf-notes-tenants2.md). Counted by the transaction's
 * own scan statistics (pg_stat_get_xact_tuples_returned), which need no stats flush.
 */
import { describe, expect, it } from 'vitest';
import { loadQuery } from '../../src/db/sql.js';
import { finishParams } from '../../src/worker/batcher.js';
import { countsDrift, makeRota, migratedDatabase } from './helpers.js';

const db = await migratedDatabase();
const rota = makeRota(db.url);

const TENANTS = 5_000;
const SIZE = 100;

type Row = { id: string; attempt: number; tenant: string };

/**
 * Claims of SIZE over TENANTS tenants, each folding the previous claim's finished jobs;
 * `bound`: most tenant rows one claim may read.
 */
async function run(queue: string, bound: number): Promise<void> {
  {
    const all = Array.from({ length: TENANTS * 2 }, (_, i) => ({ payload: i, tenant: `t${i % TENANTS}` }));
    for (let i = 0; i < all.length; i += 1_000) await rota.enqueueMany(queue, all.slice(i, i + 1_000));
    // As autovacuum would after the enqueue: tenant_state and lane_state are still empty
    // (the first claim's fold creates their rows).
    await db.sql.query('VACUUM ANALYZE rota.jobs, rota.tenant_state, rota.lane_state, rota.lane_changes');
    const c = await db.sql.connect();
    try {
      const claim = async () =>
        (
          await c.query<Row>(
            `SELECT id, attempt, tenant FROM rota.claim_jobs(ARRAY[$1::text], ARRAY[$2::int], 'test', 60000) WHERE id IS NOT NULL`,
            [queue, SIZE],
          )
        ).rows;
      const finish = async (rows: readonly Row[]) => {
        const moves = rows.map((r) => ({
          id: r.id,
          attempt: r.attempt,
          kind: 'complete' as const,
          result: null,
          error: null,
          delayMs: null,
        }));
        await c.query(loadQuery('finish_batch', 'rota'), finishParams(moves));
      };
      // The first claim creates every tenant's row; its jobs finish.
      await finish(await claim());
      for (let round = 0; round < 3; round++) {
        // This claim's fold has SIZE finished jobs of SIZE tenants to fold.
        await c.query('BEGIN');
        const rows = await claim();
        const read = await c.query<{ n: string }>(
          `SELECT (pg_stat_get_xact_tuples_returned('rota.tenant_state'::regclass)
                   + coalesce((SELECT sum(pg_stat_get_xact_tuples_returned(i.indexrelid)) FROM pg_index i
                                WHERE i.indrelid = 'rota.tenant_state'::regclass), 0))::text AS n`,
        );
        await c.query('COMMIT');
        expect(rows).toHaveLength(SIZE);
        // Tenant rows read (by any scan of the table or its indexes): at most one per lane
        // folded or served, far from the table's 2,000.
        expect(Number(read.rows[0]?.n), `tenant_state rows read in round ${round + 1}`).toBeLessThanOrEqual(bound);
        await finish(rows);
      }
      await claim();
      expect(await countsDrift(db, queue)).toEqual([]);
    } finally {
      c.release();
    }
  }
}

// Half of one queue's tenant rows (5,000). What a claim reads follows the lanes it folds
// and serves (about 100 here) and their rows' versions not yet vacuumed: 300 rows without
// limits; with one (every served or folded tenant's row rewritten) 900 in the first round
// and up to 1,900 in the third, the same with 2,000 tenants as with 3,000. The plan this
// guards against read the whole table per statement: 3,200 and 3,800 with 3,000 tenants.
const BOUND = TENANTS / 2;

describe('the fold after statistics taken on an empty tenant_state', () => {
  it('reads tenant rows for the tenants it folds, not all of them', async () => {
    await run('stats', BOUND);
  });

  it('with a per-tenant limit (every running counted and written), too', async () => {
    await rota.queue('stats-limited').configure({ tenantConcurrency: 5 }, { create: true });
    await run('stats-limited', BOUND);
  });
});
