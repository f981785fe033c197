import { beforeAll, describe, expect, it } from 'vitest';
import { loadAdminQueries } from '../../src/admin/sql.js';
import type { Rota } from '../../src/index.js';
import type { TestDb } from '../support/db.js';
import { makeRota, migratedDatabase } from '../support/rota.js';

let db: TestDb;
let rota: Rota;
const TOTAL = 30_000;
const CAP = 2_000;

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Subplan Name'?: string;
  'Actual Rows': number;
  'Actual Loops': number;
  Plans?: PlanNode[];
}

/** Rows read from `jobs` by the plan nodes under the `scanned` CTE. */
function rowsReadFromJobs(node: PlanNode, inScanned = false): number {
  const here = inScanned || node['Subplan Name'] === 'CTE scanned';
  let n = here && node['Relation Name'] === 'jobs' ? node['Actual Rows'] * node['Actual Loops'] : 0;
  for (const child of node.Plans ?? []) n += rowsReadFromJobs(child, here);
  return n;
}

beforeAll(async () => {
  db = await migratedDatabase();
  rota = makeRota(db.url);
  // A bulk load into a table never analyzed: what the planner sees before autovacuum's
  // first ANALYZE (the dashboard benchmark's situation). Without statistics it takes the
  // default selectivity for state = 'available' (0.5%), so it believes a BitmapOr over
  // the partial indexes reads a few hundred rows.
  for (let base = 0; base < TOTAL; base += 5_000)
    await rota.enqueueMany(
      'scan',
      Array.from({ length: 5_000 }, (_, k) => ({ payload: { n: base + k, customer: { id: (base + k) % 5_000 } }, tenant: `t-${k % 100}` })),
    );
}, 120_000);

describe('a payload search without a tenant examines at most its cap of live jobs', () => {
  it('the newest rows by primary key, whatever the statistics say', async () => {
    const sql = loadAdminQueries('rota');
    const params = [null, null, null, null, null, null, JSON.stringify({ customer: { id: 4321 } }), null, 51, CAP];
    const res = await db.sql.query<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${sql.list_live}`, params);
    const plan = (res.rows[0] as { 'QUERY PLAN': Array<{ Plan: PlanNode }> })['QUERY PLAN'][0]?.Plan as PlanNode;
    expect(rowsReadFromJobs(plan)).toBeGreaterThan(0);
    expect(rowsReadFromJobs(plan)).toBeLessThanOrEqual(CAP);
    // And the page itself: the matches among the newest CAP jobs, then a cursor to go on.
    const page = await rota.admin.jobs.list({ payload: { customer: { id: 4321 } } }, { limit: 50, scanLimit: CAP });
    expect(page.items.length).toBeLessThanOrEqual(1);
    expect(page.nextCursor).not.toBeNull();
  });

  it('a tenant filter still reads only that tenant (the partial indexes)', async () => {
    const page = await rota.admin.jobs.list({ tenant: 't-7', payload: { customer: { id: 4307 } } }, { limit: 50, scanLimit: CAP });
    expect(page.items.length).toBeGreaterThan(0);
    for (const j of page.items) expect(j.tenant).toBe('t-7');
  });
});
