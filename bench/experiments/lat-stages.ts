// Enqueue-to-start latency of an idle worker, stage by stage, rota and graphile-worker
// (batched: its published perf configuration) in the same run (issue #9, latency). Each
// round runs every variant once, alternating the order, in a child process
// (lat-stages-child.ts) on a fresh database of one PostgreSQL with pg_stat_statements.
// Per stage: the median over rounds of each round's p50 and p99; per variant: the
// statements' server time (pg_stat_statements, top level); then the slowest 1 % of
// jobs, what stage made them slow and what they overlapped (GC, other statements).
//   ROUNDS=3 JOBS=500 RATE=100 npx tsx bench/experiments/lat-stages.ts
//   LIBS=rota,graphile,base BASE_DIR=/tmp/base …   (base: rota from another checkout)
//   NODE=self …   (rota variants on this process's Node; graphile needs Node ≥ 22.18)
//   CPU_PROF_DIR=/tmp/prof …   (node --cpu-prof of each latency child, in <dir>/lat_<n>/)
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '../../src/db/embedded.js';
import { runChild } from '../child.js';
import { peerNode } from '../contenders.js';
import { median, percentile, printTable, type Row, waitForNoClients } from '../lib.js';
import type { ChildEnv, ChildResult } from '../proc/protocol.js';
import type { Ev } from './lat-stages-child.js';

const ROUNDS = Number(process.env.ROUNDS ?? 3);
const JOBS = Number(process.env.JOBS ?? 500);
const RATE = Number(process.env.RATE ?? 100);
const LIBS = (process.env.LIBS ?? 'rota,graphile').split(',');
const BASE = process.env.BASE_DIR;
if (LIBS.includes('base') && !BASE) throw new Error('LIBS has base: set BASE_DIR (a checkout of the commit to compare with)');
const node24 = peerNode();
const nodeFor = (lib: string) => (process.env.NODE === 'self' && lib !== 'graphile' ? process.execPath : (node24 ?? process.execPath));

interface Job {
  i: number;
  t0: number;
  enqSent: number;
  enqData: number;
  enqDone: number;
  enqReturned: number;
  notifyData: number;
  notify: number;
  wake: number;
  claimCall: number;
  claimSent: number;
  claimConn: number;
  claimWhat: string;
  claimJobs: number;
  claimData: number;
  claimDone: number;
  deliver: number;
  handler: number;
}
interface Result {
  mode: 'latency';
  lib: string;
  node: string;
  jobs: Job[];
  events: Ev[];
  gcs: Array<{ start: number; ms: number; kind: number }>;
  connects: Array<{ conn: number; t: number }>;
  start: number;
  ordinal: boolean;
}

const STAGES: Array<[string, (j: Job) => number]> = [
  ['1 enqueue call → statement sent', (j) => j.enqSent - j.t0],
  ['2 statement sent → NOTIFY bytes at the listener (server: insert, commit, notify)', (j) => j.notifyData - j.enqSent],
  ['   (statement sent → its reply bytes at the producer)', (j) => j.enqData - j.enqSent],
  ['3 NOTIFY bytes → notification event', (j) => j.notify - j.notifyData],
  ['4 notification → claim statement sent', (j) => j.claimSent - j.notify],
  ['   4a notification → ClaimLoop.wake()', (j) => j.wake - j.notify],
  ['   4b wake() → FairClaimer.claim()', (j) => j.claimCall - j.wake],
  ['   4c claim() → statement sent', (j) => j.claimSent - j.claimCall],
  ['5 claim sent → reply bytes (server: claim, commit)', (j) => j.claimData - j.claimSent],
  ['6 reply bytes → reply parsed (callback)', (j) => j.claimDone - j.claimData],
  ['7 reply parsed → handler start', (j) => j.handler - j.claimDone],
  ['   7a parsed → QueueExecutor.deliver()', (j) => j.deliver - j.claimDone],
  ['   7b deliver() → handler start', (j) => j.handler - j.deliver],
  ['enqueue call → handler start', (j) => j.handler - j.t0],
];

const server = await startEmbeddedPostgres({
  settings: {
    shared_preload_libraries: 'pg_stat_statements',
    'pg_stat_statements.track': 'top',
    shared_buffers: '256MB',
    track_wal_io_timing: 'on',
  },
});
const results = new Map<string, Result[]>(LIBS.map((l) => [l, []]));
const stmts = new Map<string, Map<string, number[]>>(LIBS.map((l) => [l, new Map()]));
const loads: string[] = [];
const fsyncs = new Map<string, Array<{ n: number; ms: number }>>();
const tmp = mkdtempSync(join(tmpdir(), 'lat-stages-'));
try {
  const admin = new pg.Client(server.url);
  await admin.connect();
  admin.on('error', () => {}); // the server's shutdown in `finally` after a failed child
  let n = 0;
  for (let round = 1; round <= ROUNDS; round++) {
    loads.push((await import('node:os')).loadavg()[0]?.toFixed(1) ?? '?');
    for (const lib of round % 2 ? LIBS : [...LIBS].reverse()) {
      const db = `lat_${n++}`;
      await admin.query(`CREATE DATABASE ${db}`);
      const url = server.urlFor(db);
      const env = (mode: string) =>
        ({
          BENCH_DB_URL: url,
          LAT_MODE: mode,
          LAT_LIB: lib === 'base' || lib.startsWith('rota') ? 'rota' : lib,
          // rota-b<N>: rota with batchIntervalMs N.
          LAT_BATCH_MS: /^rota-b(\d+)$/.exec(lib)?.[1],
          ROTA_DIR: lib === 'base' ? BASE : undefined,
          JOBS: String(JOBS),
          RATE: String(RATE),
        }) as unknown as ChildEnv;
      const spec = { node: nodeFor(lib), script: 'bench/experiments/lat-stages-child.ts', timeoutMs: 300_000 };
      await runChild({ ...spec, env: env('setup') });
      await waitForNoClients(server.url, db);
      const dbc = new pg.Client(url);
      await dbc.connect();
      dbc.on('error', () => {});
      await dbc.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
      await dbc.query('SELECT pg_stat_statements_reset()');
      // WAL fsyncs of the whole server meanwhile (pg_stat_io, track_wal_io_timing).
      const walSql =
        "SELECT coalesce(sum(fsyncs), 0)::float8 AS n, coalesce(sum(fsync_time), 0)::float8 AS ms FROM pg_stat_io WHERE object = 'wal'";
      const wal0 = (await dbc.query<{ n: number; ms: number }>(walSql)).rows[0] as { n: number; ms: number };
      const out = join(tmp, `${db}.json`);
      // CPU_PROF_DIR: a --cpu-prof profile of each latency child (start-up included).
      const prof = process.env.CPU_PROF_DIR;
      const nodeArgs = prof ? ['--cpu-prof', '--cpu-prof-dir', join(prof, db), '--cpu-prof-interval', '100'] : undefined;
      await runChild<ChildResult>({ ...spec, nodeArgs, env: { ...env('latency'), LAT_OUT: out } as ChildEnv });
      // NaN (a point not seen) comes back as null in JSON.
      const res = JSON.parse(readFileSync(out, 'utf8'), (_k, v) => (v === null ? Number.NaN : v)) as Result;
      const ss = await dbc.query<{ q: string; calls: string; mean: number }>(
        `SELECT left(regexp_replace(query, '\\s+', ' ', 'g'), 70) AS q, calls, mean_exec_time AS mean
           FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = $1) AND calls >= $2
          ORDER BY total_exec_time DESC LIMIT 6`,
        [db, Math.floor(JOBS / 2)],
      );
      for (const r of ss.rows) {
        const key = `${r.q} (${r.calls} calls)`.replace(/\(\d+ calls\)/, '');
        const m = stmts.get(lib) as Map<string, number[]>;
        m.set(key, [...(m.get(key) ?? []), r.mean]);
      }
      const wal1 = (await dbc.query<{ n: number; ms: number }>(walSql)).rows[0] as { n: number; ms: number };
      fsyncs.set(lib, [...(fsyncs.get(lib) ?? []), { n: wal1.n - wal0.n, ms: wal1.ms - wal0.ms }]);
      await dbc.end();
      (results.get(lib) as Result[]).push(res);
      const lat = res.jobs.map((j) => j.handler - j.t0);
      console.error(
        `round ${round} ${lib} (${res.node}${res.ordinal ? '' : ', NOTIFYs matched by time'}): p50 ${percentile(lat, 50).toFixed(2)} p99 ${percentile(lat, 99).toFixed(2)} ms`,
      );
      await admin.query(`DROP DATABASE ${db} WITH (FORCE)`);
    }
  }
  await admin.end();
  loads.push((await import('node:os')).loadavg()[0]?.toFixed(1) ?? '?');
} catch (err) {
  console.error(String((err as Error).message ?? err).slice(0, 3000));
  throw err;
} finally {
  await server.destroy();
  rmSync(tmp, { recursive: true, force: true });
}

// DUMP=<file>: every round's raw result (jobs, statements, GCs) for a closer look.
if (process.env.DUMP) writeFileSync(process.env.DUMP, JSON.stringify(Object.fromEntries(results)));
const ok = (v: number) => typeof v === 'number' && Number.isFinite(v);
const stageRows: Row[] = STAGES.map(([name, f]) => {
  const row: Row = { stage: name };
  for (const lib of LIBS) {
    const rs = results.get(lib) as Result[];
    const p50s = rs.map((r) => percentile(r.jobs.map(f).filter(ok), 50));
    const p99s = rs.map((r) => percentile(r.jobs.map(f).filter(ok), 99));
    row[`${lib} p50`] = p50s.some(ok) ? median(p50s.filter(ok)) : '-';
    row[`${lib} p99`] = p99s.some(ok) ? median(p99s.filter(ok)) : '-';
  }
  return row;
});
printTable(
  `stages of one job, ms: median over ${ROUNDS} rounds of each round's p50 / p99 (${JOBS} jobs at ${RATE}/s; load ${loads.join(' → ')})`,
  stageRows,
);

const perRound: Row[] = [];
for (let r = 0; r < ROUNDS; r++) {
  const row: Row = { round: r + 1 };
  for (const lib of LIBS) {
    const res = (results.get(lib) as Result[])[r];
    if (!res) continue;
    const lat = res.jobs.map((j) => j.handler - j.t0);
    row[`${lib} p50`] = percentile(lat, 50);
    row[`${lib} p99`] = percentile(lat, 99);
    row[`${lib} claim in flight before its NOTIFY`] = res.jobs.filter((j) => j.claimSent < j.notify).length;
  }
  perRound.push(row);
}
printTable('enqueue → handler start per round (ms)', perRound);

for (const lib of LIBS) {
  const m = stmts.get(lib) as Map<string, number[]>;
  printTable(
    `${lib}: server time of its busiest statements (pg_stat_statements, top level, mean ms per call, median over rounds)`,
    [...m].map(([q, v]) => ({ statement: q, 'mean exec ms': median(v), rounds: v.length })),
  );
}

// A status write (rota's finish, graphile's complete) in flight during a job's enqueue
// commit (stage 2) or its claim (stage 5): how often, and what it costs those stages.
const isFinish = (e: Ev) => e.kind === 'stmt' && /finish|complete_job/.test(e.what);
const overlaps = (r: Result, a: number, b: number) => r.events.some((e) => isFinish(e) && e.t < b && (e.done ?? e.t) > a);
const overlapRows: Row[] = [];
for (const lib of LIBS) {
  const rs = results.get(lib) as Result[];
  const all = rs.flatMap((r) => r.jobs.map((j) => ({ j, r })));
  const slowCut = percentile(
    all.map(({ j }) => j.handler - j.t0),
    99,
  );
  for (const [stage, a, b] of [
    ['2 enqueue sent → NOTIFY', (j: Job) => j.enqSent, (j: Job) => j.notifyData],
    ['5 claim sent → reply', (j: Job) => j.claimSent, (j: Job) => j.claimData],
  ] as const) {
    const withW = all.filter(({ j, r }) => overlaps(r, a(j), b(j)));
    const without = all.filter(({ j, r }) => !overlaps(r, a(j), b(j)));
    const slow = all.filter(({ j }) => j.handler - j.t0 >= slowCut);
    const f = (x: typeof all) => x.map(({ j }) => b(j) - a(j)).filter(ok);
    overlapRows.push({
      queue: lib,
      stage,
      'jobs with a status write in flight meanwhile': `${((100 * withW.length) / all.length).toFixed(1)} %`,
      'of the slowest 1 %': `${((100 * slow.filter(({ j, r }) => overlaps(r, a(j), b(j))).length) / slow.length).toFixed(0)} %`,
      'stage p50 / p99 with, ms': `${percentile(f(withW), 50).toFixed(2)} / ${percentile(f(withW), 99).toFixed(2)}`,
      'stage p50 / p99 without, ms': `${percentile(f(without), 50).toFixed(2)} / ${percentile(f(without), 99).toFixed(2)}`,
    });
  }
  const fs = fsyncs.get(lib) ?? [];
  overlapRows.push({
    queue: lib,
    stage: 'WAL fsyncs (whole server, per round)',
    'jobs with a status write in flight meanwhile': `${median(fs.map((x) => x.n)).toFixed(0)} fsyncs`,
    'of the slowest 1 %': '',
    'stage p50 / p99 with, ms': `${median(fs.map((x) => x.ms / Math.max(1, x.n))).toFixed(3)} ms mean per fsync`,
    'stage p50 / p99 without, ms': '',
  });
}
printTable('status writes overlapping a job’s path (all rounds pooled)', overlapRows);

// The slowest 1 %: which stage was furthest above its median, and what overlapped.
for (const lib of LIBS) {
  const rs = results.get(lib) as Result[];
  const all = rs.flatMap((r, ri) => r.jobs.map((j) => ({ j, r, ri })));
  const medians = STAGES.map(([, f]) => median(all.map(({ j }) => f(j)).filter(ok)));
  const slow = [...all].sort((a, b) => b.j.handler - b.j.t0 - (a.j.handler - a.j.t0)).slice(0, Math.max(1, Math.ceil(all.length / 100)));
  const blame = new Map<string, number>();
  const lines: string[] = [];
  let withGc = 0;
  for (const { j, r, ri } of slow) {
    let worst = '';
    let excess = Number.NEGATIVE_INFINITY;
    STAGES.forEach(([name, f], k) => {
      if (name.startsWith('   ') || name.startsWith('enqueue')) return;
      const x = f(j) - (medians[k] as number);
      if (ok(x) && x > excess) {
        excess = x;
        worst = name;
      }
    });
    blame.set(worst, (blame.get(worst) ?? 0) + 1);
    const gc = r.gcs.filter((g) => g.start < j.handler && g.start + g.ms > j.t0);
    if (gc.length > 0) withGc++;
    const others = r.events.filter(
      (e) => e.kind === 'stmt' && e.enq === undefined && !e.jobs?.includes(j.i) && e.t < j.handler && (e.done ?? e.t) > j.t0,
    );
    const sub = (a: number, b: number) => (ok(a - b) ? (a - b).toFixed(2) : '-');
    lines.push(
      `  round ${ri + 1} #${j.i} ${(j.handler - j.t0).toFixed(2)} ms: call→sent ${sub(j.enqSent, j.t0)}, →notify bytes ${sub(j.notifyData, j.enqSent)}, →event ${sub(j.notify, j.notifyData)}, →claim sent ${sub(j.claimSent, j.notify)}, →reply bytes ${sub(j.claimData, j.claimSent)}, →parsed ${sub(j.claimDone, j.claimData)}, →handler ${sub(j.handler, j.claimDone)}; ` +
        `gc ${gc.map((g) => `${g.ms.toFixed(2)}ms@${(g.start - j.t0).toFixed(1)}`).join(',') || '-'}; ` +
        `other statements ${others.map((e) => `[c${e.conn} ${e.what.slice(0, 28)} ${(e.t - j.t0).toFixed(1)}→${((e.done ?? Number.NaN) - j.t0).toFixed(1)}]`).join(' ') || '-'}`,
    );
  }
  // rota only: the claim waited for a pool connection (both busy: a status write, a heartbeat, …).
  const waited = slow.filter(({ j }) => j.claimSent - j.claimCall > 0.5);
  const poolWait = waited.length;
  // What held the pool's connections when such a claim was called.
  const holders = new Map<string, number>();
  for (const { j, r } of waited) {
    for (const e of r.events) {
      if (e.kind === 'stmt' && e.enq === undefined && e.t <= j.claimCall && (e.done ?? e.t) > j.claimCall) {
        const k = e.what.slice(0, 30);
        holders.set(k, (holders.get(k) ?? 0) + 1);
      }
    }
  }
  const firstJob = slow.filter(({ j }) => j.i === 0).length;
  // A claim on a connection the pool opened during the run (pg-pool closes a connection
  // idle for 10 s): its job waited for the connection, and the new session's first claim
  // parses the statement and compiles claim_jobs() again.
  const fresh = (r: Result, conn: number) => r.connects.some((c) => c.conn === conn && c.t >= r.start);
  const onFresh = slow.filter(({ j, r }) => {
    if (!fresh(r, j.claimConn)) return false;
    const firstClaim = r.events.find((e) => e.conn === j.claimConn && e.kind === 'stmt' && e.what === j.claimWhat);
    return firstClaim !== undefined && firstClaim.t === j.claimSent;
  }).length;
  const opened = rs.map((r) => r.connects.filter((c) => c.t >= r.start).length);
  // A claim sent after the job's NOTIFY that came back without it (the job came with a later one).
  const missedBy = (j: Job, r: Result) =>
    r.events.some((e) => e.kind === 'stmt' && e.what === j.claimWhat && e.t > j.notify && e.t < j.claimSent);
  const missed = slow.filter(({ j, r }) => missedBy(j, r)).length;
  const missedAll = all.filter(({ j, r }) => missedBy(j, r)).length;
  const writeInFlight = slow.filter(({ j, r }) => overlaps(r, j.enqSent, j.notifyData) || overlaps(r, j.claimSent, j.claimData)).length;
  console.log(
    `\n${lib}: slowest ${slow.length} jobs of ${all.length}: first job of its run (the producer's connection opens) ${firstJob}; a status write in flight during its enqueue commit or its claim ${writeInFlight}; claim waited > 0.5 ms for a pool connection ${poolWait}; the first claim on a connection opened during the run ${onFresh} (connections opened per run: ${opened.join(', ')}); a claim sent after its NOTIFY came back without it ${missed} (of all jobs: ${missedAll}); a GC overlapping ${withGc}. Stage furthest above its median:`,
  );
  if (poolWait > 0) console.log(`  in flight when those claims were called: ${[...holders].map(([k, v]) => `${v} × ${k}`).join('; ')}`);
  for (const [k, v] of [...blame].sort((a, b) => b[1] - a[1])) console.log(`  ${v} × ${k}`);
  for (const l of lines.slice(0, Number(process.env.SHOW ?? 12))) console.log(l);
}
