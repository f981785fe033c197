/**
 * `npm run bench -- --only api`: the management API with 1,000,000 jobs in the tables
 * (live and history, 10,000 tenants). Prints p50 / p95 per endpoint (autocannon, the
 * server in its own process), the same while a worker burns down no-op jobs at full
 * speed, and how much the API load slowed that worker. Then the measurements behind the
 * read model's index choices (docs/admin-api.md). Asserts nothing.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import pg from 'pg';
import { withSchema } from '../src/db/sql.js';
import { Rota } from '../src/index.js';
import { REPO_ROOT } from './child.js';
import { type BenchServer, percentile, printTable, type Row, sleep } from './lib.js';
import type { BenchOptions } from './scenario.js';

export const name = 'api';

const LOAD_SQL = readFileSync(new URL('./api/load.sql', import.meta.url), 'utf8');

interface Child {
  proc: ChildProcess;
  lines: string[];
  ready: Promise<string>;
}

function startChild(script: string, env: Record<string, string>): Child {
  const proc = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let err = '';
  proc.stderr?.setEncoding('utf8').on('data', (d: string) => {
    err = (err + d).slice(-2000);
  });
  const ready = new Promise<string>((resolve, reject) => {
    let buf = '';
    proc.stdout?.setEncoding('utf8').on('data', (d: string) => {
      buf += d;
      const parts = buf.split('\n');
      buf = parts.pop() ?? '';
      for (const l of parts) {
        lines.push(l);
        if (l.startsWith('ready')) resolve(l.slice(6));
      }
    });
    proc.on('exit', (code) => reject(new Error(`${script} exited (${code}) before ready: ${err}`)));
  });
  ready.catch(() => {});
  return { proc, lines, ready };
}

interface Shot {
  p50: number;
  p95: number;
  rps: number;
  non2xx: number;
}

function cannon(url: string, seconds: number, extra: Partial<autocannon.Options> = {}): Promise<Shot> {
  return new Promise((resolve, reject) => {
    const lat: number[] = [];
    const inst = autocannon({ url, connections: 4, duration: seconds, ...extra }, (err, res) => {
      if (err) return reject(err);
      resolve({ p50: percentile(lat, 50), p95: percentile(lat, 95), rps: res.requests.average, non2xx: res.non2xx });
    });
    inst.on('response', (_client, _status, _bytes, ms) => lat.push(ms));
  });
}

/** Completed-job count of the worker child at or before `t` (from its `done n t` lines). */
function doneAt(lines: string[], t: number): { n: number; at: number } {
  let best = { n: 0, at: 0 };
  for (const l of lines) {
    const [tag, n, at] = l.split(' ');
    if (tag === 'done' && Number(at) <= t) best = { n: Number(n), at: Number(at) };
  }
  return best;
}

async function loadData(url: string): Promise<{ liveId: string; doneId: string }> {
  const rota = new Rota({ connectionString: url });
  await rota.migrate();
  await rota.close();
  const c = new pg.Client(url);
  await c.connect();
  try {
    const t0 = Date.now();
    await c.query(withSchema(LOAD_SQL, 'rota'));
    // Fold the insert journal into the claim's counters, as the first claim would.
    await c.query(`SELECT count(*) FROM rota.claim_jobs(ARRAY['bench'], ARRAY[0], 'bench', 1000)`);
    await c.query('VACUUM ANALYZE');
    console.error(`bench api: loaded 1,000,000 jobs in ${Date.now() - t0} ms`);
    const live = await c.query<{ id: string }>(`SELECT id FROM rota.jobs WHERE tenant = 't42' LIMIT 1`);
    const done = await c.query<{ id: string }>(`SELECT id FROM rota.jobs_done WHERE state = 'dead' LIMIT 1`);
    return { liveId: live.rows[0]?.id as string, doneId: done.rows[0]?.id as string };
  } finally {
    await c.end();
  }
}

async function timed(c: pg.Client, sql: string, params: unknown[] = [], runs = 5): Promise<number> {
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await c.query(sql, params);
    ms.push(performance.now() - t);
  }
  return percentile(ms, 50);
}

/**
 * What the read model's choices rest on (1M rows): a payload search bounded to the
 * newest 20,000 rows vs a GIN index, and what the GIN index and the history indexes
 * cost the write path (inserting 50,000 finished jobs).
 */
async function designMeasurements(c: pg.Client): Promise<Row[]> {
  const rows: Row[] = [];
  const rare = JSON.stringify({ kind: 'rare' });
  const bounded = `SELECT count(*) FROM (SELECT id, payload FROM rota.jobs_done WHERE queue = 'bench' ORDER BY finished_at DESC, id DESC LIMIT 20000) s WHERE payload @> $1::jsonb`;
  const unbounded = `SELECT id FROM rota.jobs_done WHERE queue = 'bench' AND payload @> $1::jsonb ORDER BY finished_at DESC, id DESC LIMIT 50`;
  rows.push({ measurement: 'payload search, no index, newest 20,000 rows examined', ms: await timed(c, bounded, [rare]) });
  rows.push({ measurement: 'payload search, no index, whole history (LIMIT 50 matches)', ms: await timed(c, unbounded, [rare], 3) });
  const insert = `INSERT INTO rota.jobs_done (id, queue, tenant, priority, state, payload, attempt, max_attempts, run_at, created_at, finished_at)
    SELECT nextval(pg_get_serial_sequence('rota.jobs', 'id')), 'bench', 't' || (i % 10000), 2, 'completed',
           jsonb_build_object('order', i, 'kind', 'common', 'customer', jsonb_build_object('id', i % 50000)), 1, 5, now(), now(), now()
      FROM generate_series(1, 50000) AS i`;
  rows.push({ measurement: 'insert 50,000 finished jobs, indexes as migrated', ms: await timed(c, insert, [], 3) });
  // 0005's jobs_done_queue_time_idx is gone since 0013 (a queue's list reads jobs_done_queue_idx per state).
  await c.query('DROP INDEX rota.jobs_done_tenant_idx');
  rows.push({ measurement: 'insert 50,000 finished jobs, without the history index', ms: await timed(c, insert, [], 3) });
  await c.query('CREATE INDEX jobs_done_tenant_idx ON rota.jobs_done (queue, tenant, finished_at, id)');
  await c.query('CREATE INDEX bench_payload_gin ON rota.jobs_done USING gin (payload jsonb_path_ops)');
  await c.query('ANALYZE rota.jobs_done');
  rows.push({ measurement: 'payload search with a GIN (jsonb_path_ops) index, whole history', ms: await timed(c, unbounded, [rare]) });
  rows.push({ measurement: 'insert 50,000 finished jobs, indexes as migrated + GIN', ms: await timed(c, insert, [], 3) });
  await c.query('DROP INDEX rota.bench_payload_gin');
  await c.query('VACUUM ANALYZE rota.jobs_done');
  return rows;
}

export async function run(server: BenchServer, opts: BenchOptions): Promise<void> {
  const url = await server.freshDatabase('api');
  const { liveId, doneId } = await loadData(url);
  const seconds = opts.quick ? 2 : 4;
  const endpoints: Array<[string, string]> = [
    ['jobs, newest 50', '/api/jobs?limit=50'],
    ['jobs of a tenant', '/api/jobs?queue=bench&tenant=t42'],
    ['jobs of the big tenant, dead', '/api/jobs?queue=bench&tenant=t0&state=dead'],
    ['jobs, dead, last hour', `/api/jobs?state=dead&from=${encodeURIComponent(new Date(Date.now() - 3_600_000).toISOString())}`],
    ['jobs, payload search', `/api/jobs?payload=${encodeURIComponent('{"kind":"rare"}')}`],
    ['job detail (live)', `/api/jobs/${liveId}`],
    ['job detail (finished)', `/api/jobs/${doneId}`],
    ['queues (counts)', '/api/queues'],
    ['tenants by backlog (10,000)', '/api/queues/bench/tenants?sort=backlog&limit=50'],
    ['tenants by name, search', '/api/queues/bench/tenants?sort=name&search=t99'],
    ['tenants by backlog, share over 1 h', '/api/queues/bench/tenants?sort=backlog&limit=50&window=1h'],
    ['tenants by completed in 6 h', '/api/queues/bench/tenants?sort=completed&limit=50&window=6h'],
    ['workers', '/api/workers'],
    ['connections', '/api/connections'],
    ['schedules', '/api/schedules'],
  ];
  const server1 = startChild('bench/api/server-child.ts', { BENCH_DB_URL: url });
  const base = await server1.ready;
  try {
    // A second page (cursor) of the unfiltered list, taken now.
    const first = (await (await fetch(`${base}/api/jobs?limit=50`)).json()) as { nextCursor: string };
    endpoints.splice(1, 0, ['jobs, page 2 (cursor)', `/api/jobs?limit=50&cursor=${first.nextCursor}`]);
    for (const [, path] of endpoints) {
      const r = await fetch(base + path);
      if (r.status !== 200) throw new Error(`${path} answered ${r.status}: ${await r.text()}`);
    }
    const idle: Record<string, Shot> = {};
    for (const [label, path] of endpoints) idle[label] = await cannon(base + path, seconds);

    // Burn-down: a worker on 'burn' at full speed; its rate alone, then under API load.
    const c = new pg.Client(url);
    await c.connect();
    await c.query(
      `INSERT INTO rota.jobs (queue, tenant, payload) SELECT 'burn', 'b' || (i % 100), '{}' FROM generate_series(1, 1000000) i`,
    );
    await c.end();
    const worker = startChild('bench/api/worker-child.ts', { BENCH_DB_URL: url });
    await worker.ready;
    await sleep(2_000); // warm up
    // Windows alternate quiet / loaded, so the worker's own drift (its backlog shrinking,
    // vacuum) is compared against the quiet windows on either side of each loaded one.
    const mark = () => doneAt(worker.lines, Date.now());
    const rate = (a: { n: number; at: number }, b: { n: number; at: number }) => ((b.n - a.n) * 1000) / (b.at - a.at);
    const quiet = async () => {
      const a = mark();
      await sleep(seconds * 1_000);
      return rate(a, mark());
    };
    const q0 = await quiet();
    let a = mark();
    const loaded: Record<string, Shot> = {};
    for (const [label, path] of endpoints) loaded[label] = await cannon(base + path, seconds);
    const underLoad = rate(a, mark());
    const q1 = await quiet();
    a = mark();
    // A dashboard-like load instead of a saturating one: every endpoint in turn, 50 requests/s in all.
    const dash = await cannon(base, seconds * 2, { overallRate: 50, requests: endpoints.map(([, path]) => ({ method: 'GET', path })) });
    const underDash = rate(a, mark());
    const q2 = await quiet();
    worker.proc.kill('SIGKILL');

    printTable(
      'Management API, 1,000,000 jobs (400k live, 600k finished), 10,000 tenants; autocannon, 4 connections (ms)',
      endpoints.map(([label, path]) => ({
        endpoint: `${label} \`${path.split('?')[0]}\``,
        'p50 idle': idle[label]?.p50 ?? 0,
        'p95 idle': idle[label]?.p95 ?? 0,
        'req/s idle': Math.round(idle[label]?.rps ?? 0),
        'p50 burning': loaded[label]?.p50 ?? 0,
        'p95 burning': loaded[label]?.p95 ?? 0,
        non2xx: (idle[label]?.non2xx ?? 0) + (loaded[label]?.non2xx ?? 0),
      })),
    );
    printTable('Worker burn-down (no-op jobs, concurrency 20, own process) alone and while the API serves requests', [
      { load: 'none', 'jobs/s': Math.round(q0), 'vs quiet neighbours': '' },
      {
        load: 'saturating: 4 connections back to back, each endpoint in turn',
        'jobs/s': Math.round(underLoad),
        'vs quiet neighbours': underLoad / ((q0 + q1) / 2),
      },
      { load: 'none', 'jobs/s': Math.round(q1), 'vs quiet neighbours': '' },
      {
        load: `dashboard-like: 50 req/s over all endpoints (p50 ${dash.p50.toFixed(1)} ms, p95 ${dash.p95.toFixed(1)} ms)`,
        'jobs/s': Math.round(underDash),
        'vs quiet neighbours': underDash / ((q1 + q2) / 2),
      },
      { load: 'none', 'jobs/s': Math.round(q2), 'vs quiet neighbours': '' },
    ]);
    // Last: these add rows and indexes that the endpoint figures must not see.
    const c2 = new pg.Client(url);
    await c2.connect();
    try {
      printTable('Read model design measurements (1M rows; median ms)', await designMeasurements(c2));
    } finally {
      await c2.end();
    }
  } finally {
    server1.proc.kill('SIGKILL');
  }
}
