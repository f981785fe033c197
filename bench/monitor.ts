/**
 * Monitoring's figures:
 * - rollup cost: the burn-down (20,000 no-op jobs bulk-enqueued, one process,
 *   concurrency 20) with per-minute rollups on and off, runs alternated in one process
 *   so machine noise hits both alike; the heartbeat (which writes the rollups) every
 *   second instead of every 10 s, so every run writes them several times. Reported:
 *   median jobs/s of each and their ratio.
 * - scrape with 10,000 tenants: /metrics rendered over a queue with 10,000 tenants
 *   waiting, a minute of rollups written by a worker that ran jobs of all of them, and
 *   a day of synthetic rollup rows (1,440 minutes × 4 worker processes, 10 tenants
 *   each; all but the last 2 h folded into the totals, as the evaluator does); reported:
 *   scrape p50 / p95 ms, series in the answer, tenant label values.
 */
import pg from 'pg';
import { loadQuery } from '../src/db/sql.js';
import { Rota } from '../src/index.js';
import { RollupAggregator } from '../src/monitor/rollup.js';
import type { JobOutcome } from '../src/worker/executor.js';
import { type BenchServer, databaseName, dropDatabase, median, percentile, printTable } from './lib.js';
import type { BenchOptions } from './scenario.js';

export const name = 'monitor';

const JOBS = 20_000;
const CONCURRENCY = 20;
const TENANTS = 10_000;
const quiet = { debug() {}, info() {}, warn() {}, error() {}, child: () => quiet };

async function burndown(server: BenchServer, rollups: boolean): Promise<number> {
  const url = await server.freshDatabase('mon');
  const rota = new Rota({ connectionString: url, logger: quiet, leaseMs: 3_000, monitor: { rollups } });
  const probe = new pg.Pool({ connectionString: url, max: 1 });
  try {
    await rota.migrate();
    await rota.enqueueMany(
      'burn',
      Array.from({ length: JOBS }, (_, i) => ({ payload: i, tenant: `t${i % 50}` })),
    );
    const t0 = performance.now();
    rota.work('burn', { concurrency: CONCURRENCY }, async () => null);
    for (;;) {
      const r = await probe.query<{ n: number }>('SELECT count(*)::int AS n FROM rota.jobs');
      if (r.rows[0]?.n === 0) break;
      await new Promise((res) => setTimeout(res, 20));
    }
    return (JOBS * 1000) / (performance.now() - t0);
  } finally {
    await rota.close();
    await probe.end();
    await dropDatabase(server.adminUrl, databaseName(url));
  }
}

async function scrape(server: BenchServer, runs: number): Promise<Record<string, number | string>> {
  const url = await server.freshDatabase('mon');
  const rota = new Rota({ connectionString: url, logger: quiet, leaseMs: 600, monitor: { topTenants: 10 } });
  try {
    await rota.migrate();
    // A day of rollups from 4 processes, 10 tenants each row.
    await rota.pool.query(`
      INSERT INTO rota.monitor_rollups (queue, minute, worker_id, enqueued, completed, failed, retried, dead, wait_buckets, run_buckets, wait_sum_ms, run_sum_ms, tenants)
      SELECT 'wide', date_trunc('minute', now()) - m * interval '1 minute', 'w' || w, 100, 90, 10, 8, 2,
             array_fill(5, ARRAY[19]), array_fill(5, ARRAY[19]), 1000, 1000,
             (SELECT jsonb_object_agg('t' || (m * 10 + k) % ${TENANTS}, jsonb_build_array(9, 1)) FROM generate_series(1, 10) k)
        FROM generate_series(1, 1440) m, generate_series(1, 4) w`);
    // The lease holder's fold (every 10 minutes): rows older than 2 h move into the totals.
    await rota.monitor.prune();
    // Jobs of every tenant run (rollups of this minute), then a backlog of every tenant waits.
    rota.work('wide', { concurrency: 20 }, async () => null);
    await rota.enqueueMany(
      'wide',
      Array.from({ length: TENANTS }, (_, i) => ({ payload: i, tenant: `t${i}` })),
    );
    while (rota.stats().completed < TENANTS) await new Promise((r) => setTimeout(r, 50));
    await rota.stopWorkers();
    await rota.enqueueMany(
      'wide',
      Array.from({ length: 3 * TENANTS }, (_, i) => ({ payload: i, tenant: `t${i % TENANTS}` })),
    );
    const lanes = await rota.pool.query<{ n: number }>('SELECT count(DISTINCT tenant)::int AS n FROM rota.jobs');
    const times: number[] = [];
    let text = '';
    for (let i = 0; i < Math.max(10, runs * 5); i++) {
      const t0 = performance.now();
      text = await rota.monitor.metrics();
      times.push(performance.now() - t0);
    }
    const series = text.split('\n').filter((l) => l && !l.startsWith('#')).length;
    const tenants = new Set([...text.matchAll(/tenant="([^"]+)"/g)].map((m) => m[1]));
    return {
      'tenants waiting': lanes.rows[0]?.n ?? 0,
      'rollup rows kept': 1440 * 4 + 1,
      'rows not folded yet':
        (await rota.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM rota.monitor_rollups WHERE NOT folded')).rows[0]?.n ?? 0,
      'scrape p50 ms': median(times),
      'scrape p95 ms': percentile(times, 95),
      series: series,
      'tenant label values': tenants.size,
      bytes: text.length,
    };
  } finally {
    await rota.close();
    await dropDatabase(server.adminUrl, databaseName(url));
  }
}

/**
 * The rollups' own cost, without the noise of a whole burn-down: recording an outcome
 * (µs per job, in memory) and the heartbeat's write statement (ms, 50 queues × 2 minutes
 * of cells with 10 tenants each).
 */
async function aggregationCost(server: BenchServer): Promise<{ recordUs: number; writeMs: number }> {
  const agg = new RollupAggregator({ workerId: 'bench', log: quiet });
  const outcomes: JobOutcome[] = Array.from({ length: 1000 }, (_, i) => ({
    job: {
      id: String(i),
      queue: `q${i % 50}`,
      tenant: `t${i % 500}`,
      payload: null,
      attempt: 1,
      maxAttempts: 5,
      priority: 'normal',
      createdAt: new Date(),
      runAt: new Date(Date.now() - (i % 100)),
      timeoutMs: null,
    },
    kind: i % 25 === 0 ? 'retry' : 'complete',
    durationMs: i % 40,
  }));
  const n = 2_000_000;
  for (let i = 0; i < 100_000; i++) agg.record(outcomes[i % 1000] as JobOutcome); // warm-up
  const t0 = performance.now();
  for (let i = 0; i < n; i++) agg.record(outcomes[i % 1000] as JobOutcome);
  const recordUs = ((performance.now() - t0) * 1000) / n;
  const url = await server.freshDatabase('mon');
  const rota = new Rota({ connectionString: url, logger: quiet });
  try {
    await rota.migrate();
    const sql = loadQuery('monitor/rollup_write', 'rota');
    const times: number[] = [];
    for (let i = 0; i < 20; i++) {
      for (const o of outcomes) agg.record(o);
      const t1 = performance.now();
      await agg.write(rota.pool, sql);
      times.push(performance.now() - t1);
    }
    return { recordUs, writeMs: median(times) };
  } finally {
    await rota.close();
    await dropDatabase(server.adminUrl, databaseName(url));
  }
}

export async function run(server: BenchServer, opts: BenchOptions): Promise<void> {
  const on: number[] = [];
  const off: number[] = [];
  // Alternate (and start with each in turn) so drift hits both alike.
  for (let i = 0; i < opts.runs; i++) {
    if (i % 2 === 0) {
      off.push(await burndown(server, false));
      on.push(await burndown(server, true));
    } else {
      on.push(await burndown(server, true));
      off.push(await burndown(server, false));
    }
    console.error(`  burn-down run ${i + 1}: rollups on ${on.at(-1)?.toFixed(0)} / off ${off.at(-1)?.toFixed(0)} jobs/s`);
  }
  printTable(
    `Rollup cost on the burn-down (${JOBS.toLocaleString('en')} jobs, concurrency ${CONCURRENCY}, heartbeat 1 s), ${opts.runs} runs each`,
    [
      { rollups: 'off', 'jobs/s (median)': median(off), runs: off.map((x) => x.toFixed(0)).join(' / ') },
      { rollups: 'on', 'jobs/s (median)': median(on), runs: on.map((x) => x.toFixed(0)).join(' / ') },
      { rollups: 'on / off', 'jobs/s (median)': median(on) / median(off), runs: '' },
    ],
  );
  const cost = await aggregationCost(server);
  const rate = median(off);
  // Share of one second at the measured rate: recording every job, plus one heartbeat write per second.
  const share = (cost.recordUs * rate) / 1e6 + cost.writeMs / 1000;
  printTable('Rollup cost measured directly', [
    {
      'record µs/job': cost.recordUs,
      'heartbeat write ms (50 queues × 10 tenants)': cost.writeMs,
      [`share of 1 s at ${rate.toFixed(0)} jobs/s`]: `${(100 * share).toFixed(2)} %`,
    },
  ]);
  printTable(`/metrics scrape with ${TENANTS.toLocaleString('en')} tenants`, [await scrape(server, opts.runs)]);
}
