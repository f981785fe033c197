import { beforeAll, describe, expect, it } from 'vitest';
import type { JobFilter } from '../../src/admin/filter.js';
import type { JobSummary } from '../../src/admin/jobs.js';
import type { Rota } from '../../src/index.js';
import type { TestDb } from '../support/db.js';
import { makeRota, migratedDatabase } from '../support/rota.js';

// The list of finished jobs reads one index range per queue and state without a tenant
// (sql/queries/admin/list_done.sql, migration 0013), merged. Rows finished by one
// statement share finished_at, so pages must break those ties by id exactly as one
// ordered read would: newest finish first, then highest id, no gaps, no repeats.

let db: TestDb;
let rota: Rota;

async function all(filter: JobFilter, limit: number): Promise<JobSummary[]> {
  const out: JobSummary[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 1000; pages++) {
    const page = await rota.admin.jobs.list(filter, { limit, cursor });
    out.push(...page.items);
    if (!page.nextCursor) return out;
    cursor = page.nextCursor;
  }
  throw new Error('pagination did not end');
}

async function expected(where: string, params: unknown[] = []): Promise<string[]> {
  const r = await db.sql.query<{ id: string }>(`SELECT id FROM rota.jobs_done WHERE ${where} ORDER BY finished_at DESC, id DESC`, params);
  return r.rows.map((x) => x.id);
}

beforeAll(async () => {
  db = await migratedDatabase();
  rota = makeRota(db.url);
  // queue_state rows for both queues (they stay when the jobs go), no live job to list.
  const warm = [(await rota.enqueue('qa', { warm: true })).id, (await rota.enqueue('qb', { warm: true })).id];
  expect(await rota.admin.jobs.delete(warm)).toBe(2);
  // Three statements, each finishing 90 jobs over two queues, three states and two
  // tenants at one finished_at (as a finish batch does), a second apart.
  for (let s = 0; s < 3; s++) {
    await db.sql.query(
      `INSERT INTO rota.jobs_done (id, queue, tenant, priority, state, payload, attempt, max_attempts, run_at, created_at, finished_at)
       SELECT 1000 * ($1::int + 1) + i, CASE WHEN i % 2 = 0 THEN 'qa' ELSE 'qb' END, CASE WHEN i % 5 = 0 THEN 't1' ELSE 't2' END, 2,
              (ARRAY['completed', 'dead', 'cancelled'])[1 + (i / 2) % 3], '{}', 1, 5, now(), now(),
              now() - interval '1 minute' + $1::int * interval '1 second'
         FROM generate_series(1, 90) i`,
      [s],
    );
  }
});

describe('finished jobs listed per queue and state, merged', () => {
  it('a queue, every queue, a state, two states and a tenant page in one order without gaps or repeats', async () => {
    const cases: Array<[JobFilter, string, unknown[]]> = [
      [{ queue: 'qa' }, `queue = 'qa'`, []],
      [{}, 'true', []],
      [{ queue: 'qb', state: 'dead' }, `queue = 'qb' AND state = 'dead'`, []],
      [{ state: ['cancelled', 'completed', 'cancelled'] }, `state IN ('cancelled', 'completed')`, []],
      [{ tenant: 't1' }, `tenant = 't1'`, []],
      [{ queue: 'qa', tenant: 't2', state: 'completed' }, `queue = 'qa' AND tenant = 't2' AND state = 'completed'`, []],
    ];
    for (const [filter, where, params] of cases) {
      const want = await expected(where, params);
      expect(want.length).toBeGreaterThan(10);
      for (const limit of [7, 45, 500]) {
        const got = await all(filter, limit);
        expect(got.map((j) => j.id)).toEqual(want);
      }
    }
  });
});
