import { describe, expect, it } from 'vitest';
import { loadQuery } from '../../src/db/sql.js';
import { closeRota, makeRota, migratedDatabase, stateCounts, waitFor } from './helpers.js';

const db = await migratedDatabase();

// Everything a claim could write: jobs, the queue's state, its lanes, its tenants and
// the pending count changes. Compared as text before and after.
async function snapshot(): Promise<string> {
  const tables = ['jobs', 'queue_state', 'lane_state', 'tenant_state', 'lane_changes'];
  const parts: string[] = [];
  for (const t of tables) {
    const r = await db.sql.query(`SELECT coalesce(jsonb_agg(to_jsonb(x) ORDER BY to_jsonb(x)::text), '[]') AS rows FROM rota.${t} x`);
    parts.push(`${t}: ${JSON.stringify(r.rows[0]?.rows)}`);
  }
  return parts.join('\n');
}

describe('the start-up warm-up claim (src/worker/runtime.ts warmClaims)', () => {
  it('an empty claim (no queues) claims and writes nothing, with jobs waiting and count changes pending', async () => {
    const rota = makeRota(db.url);
    await rota.enqueueMany('warm', [
      { payload: 1, tenant: 'a' },
      { payload: 2, tenant: 'b' },
      { payload: 3, tenant: 'b', priority: 'urgent' },
    ]);
    const before = await snapshot();
    expect(before).toMatch(/lane_changes: \[\{/); // the enqueue's count changes are still unfolded
    const res = await db.sql.query(loadQuery('claim', 'rota'), [[], [], 'warm-test', 30_000]);
    expect(res.rows).toEqual([]);
    expect(await snapshot()).toBe(before);
    // The jobs are still there for a real worker.
    const seen: number[] = [];
    rota.work('warm', { concurrency: 3 }, (job) => {
      seen.push(job.payload as number);
    });
    await waitFor(async () => (await stateCounts(db, 'warm')).completed === 3, 20_000, 'the 3 jobs completed');
    expect(seen.sort()).toEqual([1, 2, 3]);
    await closeRota(rota);
  });
});
