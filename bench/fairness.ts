/**
 * Fair multi-tenant scheduling figures (issue #3), each printed as a table:
 * - tenant B behind tenant A's backlog: A enqueues 5,000 jobs in one call, 100,000 as
 *   100 enqueueMany calls of 1,000 made while the worker runs (issue #9), and 500,000 in
 *   one call; B then enqueues 50; handlers sleep 2 ms; concurrency 10. B's time from its
 *   enqueue to its last job done, against its ideal (50 × 2 ms / 10 = 10 ms), and A's
 *   (or A's rate before, while and after B ran);
 * - tenants arriving one after another: a backlog of 20,000 for one tenant, then 50
 *   tenants with 5 jobs each, 20 ms apart: each one's first start against a round robin
 *   over the tenants with work on the same start instants;
 * - weights 1, 2, 4 with deep backlogs: share of completions over 10 s;
 * - limits: 4 worker processes, queue concurrency 3 and tenant concurrency 1, running
 *   counts sampled continuously (database) and rebuilt from every handler run;
 * - rate: one tenant at 450 per minute over 2 minutes;
 * - claim cost: ms per claim of 100 jobs with 1k / 100k / 1M pending jobs, 10 / 1,000 /
 *   10,000 tenants holding jobs, and 10,000 idle or limited tenants beside 10 busy ones;
 * - burn-down: 20,000 no-op jobs, concurrency 20, 1 tenant against 100 tenants.
 * Worker-side measurements run in child processes (bench/fairness-child.ts) against a
 * fresh database on the shared server.
 */
import pg from 'pg';
import { spawnWorker } from '../harness/spawn.js';
import { loadQuery } from '../src/db/sql.js';
import { Rota } from '../src/index.js';
import { type FinishKind, finishParams } from '../src/worker/batcher.js';
import { runChild } from './child.js';
import { type BenchServer, databaseName, dropDatabase, maxOverlap, median, percentile, printTable, type Row } from './lib.js';
import type { ChildEnv } from './proc/protocol.js';

/** One finish_batch.sql move (src/worker/batcher.ts's parameters). */
const moveOf = (id: string, attempt: number, kind: FinishKind, delayMs: number | null) => ({
  id,
  attempt,
  kind,
  result: null,
  error: null,
  delayMs,
});

export const name = 'fairness';

const CHILD_TIMEOUT_MS = 10 * 60_000;
const silent = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };

/** bench/fairness-child.ts with FAIR_* variables (runChild's env type is the core driver's). */
function child<R>(env: Record<string, string | number>): Promise<R> {
  const vars = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v)]));
  return runChild({
    node: process.execPath,
    script: 'bench/fairness-child.ts',
    timeoutMs: CHILD_TIMEOUT_MS,
    env: vars as unknown as ChildEnv,
  }) as unknown as Promise<R>;
}

async function withDatabase<T>(server: BenchServer, fn: (url: string, sql: pg.Pool) => Promise<T>): Promise<T> {
  const url = await server.freshDatabase('fair');
  const rota = new Rota({ connectionString: url, logger: silent });
  await rota.migrate();
  await rota.close();
  const sql = new pg.Pool({ connectionString: url, max: 2 });
  sql.on('error', () => {});
  try {
    return await fn(url, sql);
  } finally {
    await sql.end();
    await dropDatabase(server.adminUrl, databaseName(url));
  }
}

const round = (x: number, d = 0) => Number(x.toFixed(d));

async function tenantBehindBacklog(server: BenchServer, runs: number, quick: boolean): Promise<void> {
  const rows: Row[] = [];
  const cases = [
    { aJobs: 5_000, calls: 1, drain: true, runs },
    { aJobs: quick ? 20_000 : 100_000, calls: quick ? 20 : 100, drain: false, runs },
    { aJobs: quick ? 50_000 : 500_000, calls: 1, drain: false, runs: 1 },
  ];
  for (const c of cases) {
    const b: number[] = [];
    const bFirst: number[] = [];
    const a: number[] = [];
    const aRate: number[] = [];
    const aBefore: number[] = [];
    const aDuring: number[] = [];
    for (let r = 0; r < c.runs; r++) {
      console.error(`fairness: A ${c.aJobs} in ${c.calls} call(s) / B 50, run ${r + 1}/${c.runs}`);
      const res = await withDatabase(server, (url) =>
        child<{ bMs: number; bFirstStartMs: number; aMs?: number; aRate?: number; aRateBefore: number | null; aRateDuringB: number }>({
          FAIR_DB_URL: url,
          FAIR_MODE: 'ab',
          FAIR_A_JOBS: c.aJobs,
          FAIR_A_CALLS: c.calls,
          FAIR_B_JOBS: 50,
          FAIR_SLEEP_MS: 2,
          FAIR_CONCURRENCY: 10,
          FAIR_DRAIN: c.drain ? 1 : 0,
        }),
      );
      b.push(res.bMs);
      bFirst.push(res.bFirstStartMs);
      if (res.aMs !== undefined) a.push(res.aMs);
      if (res.aRate !== undefined) aRate.push(res.aRate);
      if (res.aRateBefore !== null) aBefore.push(res.aRateBefore);
      aDuring.push(res.aRateDuringB);
    }
    const list = (xs: number[]) => xs.map((x) => round(x)).join(' / ');
    rows.push({
      "A's backlog": `${c.aJobs.toLocaleString('en')}${c.calls > 1 ? ` (${c.calls} calls of ${(c.aJobs / c.calls).toLocaleString('en')})` : ' (one call)'}`,
      runs: c.runs,
      "B's first job starts (ms)": round(median(bFirst)),
      'B done (ms after its enqueue)': round(median(b)),
      'B done, every run': list(b),
      "B's ideal (ms)": 10,
      'A done (ms after its enqueue)': a.length > 0 ? round(median(a)) : '—',
      "A's rate, 1 s before B (jobs/s)": aBefore.length > 0 ? round(median(aBefore)) : '—',
      "A's rate while B ran": round(median(aDuring)),
      "A's rate after (jobs/s)": aRate.length > 0 ? round(median(aRate)) : round((c.aJobs * 1000) / median(a)),
    });
  }
  printTable('Fairness: tenant B (50 jobs) behind tenant A (handlers sleep 2 ms, concurrency 10)', rows);
}

interface ArrivalResult {
  tenants: Array<{ tenant: string; waitMs: number; idealWaitMs: number; lateMs: number; backlogAhead: number }>;
  backlogLeft: number;
}

/**
 * Tenants arriving one after another behind a backlog (issue #9): each late tenant's
 * first start against a round robin over the tenants with work, replayed on the start
 * instants the worker had (bench/fairness-child.ts, roundRobin).
 */
async function arrivals(server: BenchServer, runs: number, quick: boolean): Promise<void> {
  const late = quick ? 20 : 50;
  const all: ArrivalResult['tenants'] = [];
  const rows: Row[] = [];
  for (let r = 0; r < runs; r++) {
    console.error(`fairness: arrivals, run ${r + 1}/${runs}`);
    const res = await withDatabase(server, (url) =>
      child<ArrivalResult>({
        FAIR_DB_URL: url,
        FAIR_MODE: 'arrivals',
        FAIR_A_JOBS: 20_000,
        FAIR_ARRIVALS: late,
        FAIR_ARRIVAL_JOBS: 5,
        FAIR_ARRIVAL_GAP_MS: 20,
        FAIR_SLEEP_MS: 2,
        FAIR_CONCURRENCY: 10,
      }),
    );
    all.push(...res.tenants);
    rows.push(arrivalRow(`run ${r + 1}`, res.tenants, res.backlogLeft));
  }
  if (runs > 1) rows.push(arrivalRow('all runs', all, null));
  printTable(
    `Arrivals: tenant t0 has 20,000 jobs waiting, then ${late} tenants enqueue 5 jobs each, 20 ms apart (handlers sleep 2 ms, concurrency 10): first start vs a round robin over the tenants with work`,
    rows,
  );
}

function arrivalRow(label: string, ts: ArrivalResult['tenants'], backlogLeft: number | null): Row {
  const late = ts.map((t) => t.lateMs);
  const wait = ts.map((t) => t.waitMs);
  const ahead = ts.map((t) => t.backlogAhead);
  return {
    '': label,
    'first start, ms after enqueue (p50 / p90 / max)': `${round(median(wait), 1)} / ${round(percentile(wait, 90), 1)} / ${round(Math.max(...wait), 1)}`,
    'round robin would (p50)': round(median(ts.map((t) => t.idealWaitMs)), 1),
    'later than round robin, ms (p10 / p50 / p90 / max)': `${round(percentile(late, 10), 1)} / ${round(median(late), 1)} / ${round(percentile(late, 90), 1)} / ${round(Math.max(...late), 1)}`,
    "t0's jobs started in between (p50 / max)": `${median(ahead)} / ${Math.max(...ahead)}`,
    "t0's backlog at the last arrival": backlogLeft === null ? '' : backlogLeft,
  };
}

async function weights(server: BenchServer, quick: boolean): Promise<void> {
  const windowMs = quick ? 3_000 : 10_000;
  console.error(`fairness: weights 1/2/4 over ${windowMs} ms`);
  const res = await withDatabase(server, (url) =>
    child<{ counts: Record<string, number> }>({
      FAIR_DB_URL: url,
      FAIR_MODE: 'weights',
      FAIR_JOBS: quick ? 12_000 : 30_000,
      FAIR_WINDOW_MS: windowMs,
      FAIR_WARMUP_MS: 1_000,
      FAIR_SLEEP_MS: 2,
      FAIR_CONCURRENCY: 10,
    }),
  );
  const total = Object.values(res.counts).reduce((x, y) => x + y, 0);
  const rows = (
    [
      ['w1', 1],
      ['w2', 2],
      ['w4', 4],
    ] as const
  ).map(([t, w]) => {
    const share = (res.counts[t] ?? 0) / total;
    return {
      tenant: t,
      weight: w,
      completions: res.counts[t] ?? 0,
      share: `${(share * 100).toFixed(1)}%`,
      target: `${((w / 7) * 100).toFixed(1)}%`,
      'off by': `${(((share - w / 7) / (w / 7)) * 100).toFixed(1)}%`,
    };
  });
  printTable(`Weights: share of completions over ${windowMs / 1000} s (handlers sleep 2 ms, concurrency 10)`, rows);
}

async function limits(server: BenchServer, quick: boolean): Promise<void> {
  const tenants = 8;
  const perTenant = quick ? 30 : 80;
  console.error('fairness: limits, 4 worker processes');
  const out = await withDatabase(server, async (url, sql) => {
    const rota = new Rota({ connectionString: url, logger: silent });
    await rota.queue('fair').configure({ concurrency: 3, tenantConcurrency: 1 }, { create: true });
    await rota.enqueueMany(
      'fair',
      Array.from({ length: tenants * perTenant }, (_, i) => ({ payload: 0, tenant: `store-${i % tenants}` })),
    );
    await rota.close();
    const probe = new pg.Client(url);
    await probe.connect();
    let sampling = true;
    let samples = 0;
    let maxQueue = 0;
    let maxTenant = 0;
    const sampler = (async () => {
      while (sampling) {
        const r = await probe.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM rota.jobs WHERE queue = 'fair' AND state = 'running' GROUP BY tenant`,
        );
        const counts = r.rows.map((x) => x.n);
        maxQueue = Math.max(
          maxQueue,
          counts.reduce((x, y) => x + y, 0),
        );
        maxTenant = Math.max(maxTenant, ...counts, 0);
        samples++;
      }
    })();
    const t0 = performance.now();
    // The shared worker fixture: records every run in public.runs and exits once the queue is drained.
    const workers = Array.from({ length: 4 }, () =>
      spawnWorker({
        DATABASE_URL: url,
        QUEUE: 'fair',
        CONCURRENCY: '4',
        JOB_MS: '10',
        RUNS_TABLE: '1',
        EXIT_WHEN_DRAINED: '1',
        ROTA_OPTIONS: JSON.stringify({ pollIntervalMs: 50 }),
      }),
    );
    const codes = await Promise.all(workers.map((w) => w.exited));
    if (codes.some((c) => c !== 0))
      throw new Error(`fairness: a worker process failed (${codes.join(', ')}):\n${workers.map((w) => w.output()).join('\n')}`);
    const ms = performance.now() - t0;
    sampling = false;
    await sampler;
    await probe.end();
    const runs = (await sql.query<{ tenant: string; started: number; ended: number }>('SELECT tenant, started, ended FROM public.runs'))
      .rows;
    const perTenantMax = Math.max(
      ...Array.from({ length: tenants }, (_, t) =>
        maxOverlap(runs.filter((r) => r.tenant === `store-${t}`).map((r) => [r.started, r.ended])),
      ),
    );
    return {
      ms,
      samples,
      maxQueue,
      maxTenant,
      handlerQueue: maxOverlap(runs.map((r) => [r.started, r.ended])),
      perTenantMax,
      runs: runs.length,
    };
  });
  printTable('Limits: queue concurrency 3, tenant concurrency 1, 4 worker processes (handlers sleep 10 ms)', [
    { measure: 'running jobs, database (max of samples)', queue: out.maxQueue, 'per tenant': out.maxTenant, limit: '3 / 1' },
    { measure: 'running handlers, rebuilt from every run', queue: out.handlerQueue, 'per tenant': out.perTenantMax, limit: '3 / 1' },
  ]);
  console.log(
    `\n${out.samples} samples; ${out.runs} jobs in ${round(out.ms)} ms (${round((out.runs * 1000) / out.ms)} jobs/s; 3 at a time × 10 ms = 300 jobs/s at best)`,
  );
}

async function rate(server: BenchServer, quick: boolean): Promise<void> {
  const windowMs = quick ? 20_000 : 120_000;
  console.error(`fairness: rate 450/min over ${windowMs / 1000} s`);
  const res = await withDatabase(server, (url) =>
    child<{ claimedInWindow: number; startedInWindow: number; windowMs: number }>({
      FAIR_DB_URL: url,
      FAIR_MODE: 'rate',
      FAIR_RATE: 450,
      FAIR_WINDOW_MS: windowMs,
    }),
  );
  const perMin = (n: number) => (n * 60_000) / windowMs;
  printTable(`Rate limit: one tenant at 450 per minute (burst 8), over ${windowMs / 1000} s from its first job`, [
    {
      measure: 'claimed (database clock)',
      jobs: res.claimedInWindow,
      'per minute': round(perMin(res.claimedInWindow), 1),
      'vs 450': `${(((perMin(res.claimedInWindow) - 450) / 450) * 100).toFixed(1)}%`,
    },
    {
      measure: 'started (handler clock)',
      jobs: res.startedInWindow,
      'per minute': round(perMin(res.startedInWindow), 1),
      'vs 450': `${(((perMin(res.startedInWindow) - 450) / 450) * 100).toFixed(1)}%`,
    },
  ]);
}

interface ClaimCase {
  label: string;
  jobs: number;
  tenants: number;
  /** Tenants that hold no jobs now (they had some) or are at their concurrency limit, beside the busy ones. */
  idle?: number;
  limited?: number;
}

async function claimCost(server: BenchServer, quick: boolean): Promise<void> {
  const cases: ClaimCase[] = [
    { label: '1k pending, 10 tenants', jobs: 1_000, tenants: 10 },
    { label: '100k pending, 10 tenants', jobs: 100_000, tenants: 10 },
    { label: '1M pending, 10 tenants', jobs: 1_000_000, tenants: 10 },
    { label: '100k pending, 1,000 tenants', jobs: 100_000, tenants: 1_000 },
    { label: '100k pending, 10,000 tenants', jobs: 100_000, tenants: 10_000 },
    { label: '1M pending, 10,000 tenants', jobs: 1_000_000, tenants: 10_000 },
    { label: '10 busy tenants + 10,000 idle', jobs: 100_000, tenants: 10, idle: 10_000 },
    { label: '10 busy tenants + 10,000 at their limit', jobs: 100_000, tenants: 10, limited: 10_000 },
  ].filter((c) => !quick || c.jobs < 1_000_000);
  const rows: Row[] = [];
  for (const c of cases) {
    console.error(`fairness: claim cost, ${c.label}`);
    const ms = await withDatabase(server, async (_url, sql) => {
      const claimSql = loadQuery('claim', 'rota');
      const claim = (n: number, worker = 'bench') => sql.query({ name: 'claim', text: claimSql, values: [['fair'], [n], worker, 600_000] });
      if (c.idle) {
        // Tenants that had work: enqueued, claimed and finished.
        await sql.query(`INSERT INTO rota.jobs (queue, tenant, payload) SELECT 'fair', 'idle-' || i, '{}' FROM generate_series(1, $1) i`, [
          c.idle,
        ]);
        await claim(c.idle, 'setup');
        const running = (await sql.query<{ id: string }>(`SELECT id FROM rota.jobs WHERE state = 'running'`)).rows;
        await sql.query(loadQuery('finish_batch', 'rota'), finishParams(running.map((r) => moveOf(r.id, 1, 'complete', null))));
      }
      if (c.limited) {
        // Tenants with 10 jobs each and a limit of 1, one job each already running.
        await sql.query(
          `INSERT INTO rota.tenant_state (queue, tenant, concurrency) SELECT 'fair', 'held-' || i, 1 FROM generate_series(1, $1) i`,
          [c.limited],
        );
        await sql.query(
          `INSERT INTO rota.jobs (queue, tenant, payload) SELECT 'fair', 'held-' || (i % $1), '{}' FROM generate_series(1, $1 * 10) i`,
          [c.limited],
        );
        for (let got = 1; got > 0; ) got = (await claim(1000, 'setup')).rows.filter((r) => r.id !== null).length;
      }
      await sql.query(`INSERT INTO rota.jobs (queue, tenant, payload) SELECT 'fair', 't' || (i % $2), '{}' FROM generate_series(1, $1) i`, [
        c.jobs,
        c.tenants,
      ]);
      await sql.query('VACUUM ANALYZE rota.jobs, rota.lane_state, rota.tenant_state, rota.queue_state, rota.lane_changes');
      await claim(0); // folds the inserts in
      const finish = loadQuery('finish_batch', 'rota');
      // Each claim's jobs go back (as a shutting-down worker's would), so the backlog stays
      // the same size; the next claim folds that change in, as it would in production.
      // The release is folded in by a claim of 0 before the next timed claim: the figure
      // is the claim itself (folding, done by every claim, is measured on its own).
      const claimAndRelease = async (size = 100) => {
        const t = performance.now();
        const res = await claim(size);
        const ms = performance.now() - t;
        const rows = res.rows.filter((r) => r.id !== null);
        await sql.query(finish, finishParams(rows.map((r) => moveOf(String(r.id), r.attempt, 'release', 0))));
        const t2 = performance.now();
        await claim(0);
        return { ms, foldMs: performance.now() - t2 };
      };
      for (let i = 0; i < 5; i++) await claimAndRelease(); // warm: plans cached, pages in memory
      const times: Array<{ ms: number; foldMs: number }> = [];
      for (let i = 0; i < 40; i++) times.push(await claimAndRelease());
      const small: number[] = [];
      for (let i = 0; i < 40; i++) small.push((await claimAndRelease(10)).ms);
      return { times, small };
    });
    const claims = ms.times.map((m) => m.ms);
    rows.push({
      case: c.label,
      'ms per claim of 100 (median)': round(median(claims), 2),
      p90: round(percentile(claims, 90), 2),
      'ms per claim of 10': round(median(ms.small), 2),
      'ms to fold 100 released jobs back in': round(median(ms.times.map((m) => m.foldMs)), 2),
    });
  }
  printTable(
    'Claim cost: one claim (one statement, one round trip); its jobs are then released, as on shutdown, so the backlog stays',
    rows,
  );
}

async function burndown(server: BenchServer, runs: number): Promise<void> {
  const perTenants = new Map<number, number[]>([
    [1, []],
    [100, []],
  ]);
  for (let r = 0; r < runs; r++) {
    for (const [tenants, list] of perTenants) {
      console.error(`fairness: burn-down, ${tenants} tenant(s), run ${r + 1}/${runs}`);
      const res = await withDatabase(server, (url) =>
        child<{ ms: number }>({ FAIR_DB_URL: url, FAIR_MODE: 'burndown', FAIR_JOBS: 20_000, FAIR_TENANTS: tenants, FAIR_CONCURRENCY: 20 }),
      );
      list.push(20_000 / (res.ms / 1000));
    }
  }
  const single = median(perTenants.get(1) as number[]);
  printTable('Burn-down: 20,000 no-op jobs, one worker process, concurrency 20', [
    ...[...perTenants].map(([tenants, list]) => ({
      tenants,
      'jobs/s': round(median(list)),
      'vs 1 tenant': `${((median(list) / single) * 100).toFixed(0)}%`,
    })),
  ]);
}

/** FAIRNESS_STEPS=ab,arrivals,weights,limits,rate,claim,burndown runs only those (all by default). */
export async function run(server: BenchServer, opts: { quick: boolean; runs?: number }): Promise<void> {
  const runs = opts.runs ?? (opts.quick ? 1 : 3);
  const only = process.env.FAIRNESS_STEPS?.split(',');
  const steps: Array<[string, () => Promise<void>]> = [
    ['ab', () => tenantBehindBacklog(server, runs, opts.quick)],
    ['arrivals', () => arrivals(server, runs, opts.quick)],
    ['weights', () => weights(server, opts.quick)],
    ['limits', () => limits(server, opts.quick)],
    ['rate', () => rate(server, opts.quick)],
    ['claim', () => claimCost(server, opts.quick)],
    ['burndown', () => burndown(server, runs)],
  ];
  for (const [step, fn] of steps) if (!only || only.includes(step)) await fn();
}
