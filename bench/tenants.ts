/**
 * Many tenants (issue #9): 20,000 no-op jobs spread round robin over 1, 1,000 and 10,000
 * tenants (enqueued in calls of 1,000), burned down by a cold worker at concurrency 20.
 * jobs/s and claims per run; the ratio to the single-tenant rate is taken within each
 * round. `--only tenants [--runs N]`. TENANTS_ANALYZE=1: VACUUM ANALYZE after the
 * enqueue, as autovacuum would in a live database (its statistics then say tenant_state
 * and lane_state are empty; the claims' plans are made from them).
 */
import pg from 'pg';
import { engineChild, withJobs } from './engine-lib.js';
import { type BenchServer, median, printTable, type Row } from './lib.js';
import type { BenchOptions } from './scenario.js';

export const name = 'tenants';

const JOBS = 20_000;
const ANALYZE = process.env.TENANTS_ANALYZE === '1';
const fmt = (v: number) => Math.round(v).toLocaleString('en-US');

export async function run(server: BenchServer, opts: BenchOptions): Promise<void> {
  const spreads = opts.quick ? [1, 1_000] : [1, 1_000, 10_000];
  const rate = new Map<number, number[]>(spreads.map((t) => [t, []]));
  const ratio = new Map<number, number[]>(spreads.map((t) => [t, []]));
  const claims = new Map<number, number[]>(spreads.map((t) => [t, []]));
  for (let round = 0; round < opts.runs; round++) {
    let single = Number.NaN;
    for (const tenants of spreads) {
      console.error(`tenants: ${tenants} tenant(s), round ${round + 1}/${opts.runs}`);
      const res = await withJobs(server, JOBS, tenants, async (url) => {
        if (ANALYZE) {
          const c = new pg.Client(url);
          await c.connect();
          await c.query('VACUUM ANALYZE');
          await c.end();
        }
        return engineChild<{ ms: number; claims: number }>({ ENGINE_DB_URL: url, ENGINE_MODE: 'burndown', ENGINE_JOBS: JOBS });
      });
      const r = JOBS / (res.ms / 1000);
      if (tenants === 1) single = r;
      rate.get(tenants)?.push(r);
      ratio.get(tenants)?.push(r / single);
      claims.get(tenants)?.push(res.claims);
    }
  }
  const rows: Row[] = spreads.map((t) => ({
    tenants: fmt(t),
    'jobs/s (median)': fmt(median(rate.get(t) ?? [])),
    'of the 1-tenant rate (median of rounds)': `${(100 * median(ratio.get(t) ?? [])).toFixed(0)} %`,
    'worst round': `${(100 * Math.min(...(ratio.get(t) ?? []))).toFixed(0)} %`,
    'claims (median)': median(claims.get(t) ?? []),
    'every round, jobs/s': (rate.get(t) ?? []).map(fmt).join(' / '),
  }));
  printTable(
    `Many tenants: ${fmt(JOBS)} jobs burned down by a cold worker, concurrency 20 (${opts.runs} round(s)${ANALYZE ? ', analyzed after the enqueue' : ''})`,
    rows,
  );
}
