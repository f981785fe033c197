/**
 * Bursts from a cold worker (issue #9): 20,000 and 100,000 no-op jobs bulk-enqueued in
 * calls of 1,000, then a new worker process at concurrency 20; jobs/s from starting the
 * worker until the database holds every job as finished (the core scenario's burn-down,
 * bench/proc/driver.ts). Side by side in each round:
 * - rota on this Node (the supported runtime, Node 20 here), with defaults;
 * - graphile-worker 0.18 batched (its published performance configuration), on the peers' Node
 *   (graphile-worker 0.18 needs Node >= 22.18);
 * - rota again on the peers' Node when that is another Node, so one ratio compares both
 *   systems on the same runtime;
 * - the physical reference: pgbench, 10 clients, each transaction claiming 100 rows with
 *   FOR UPDATE SKIP LOCKED and marking them done (no history, fairness or leases).
 * Ratios are taken within a round (same machine noise), then the median and the worst
 * round are printed. `--only burst [--runs N]`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { ChildSpec } from './child.js';
import { runChild } from './child.js';
import { ensurePeersInstalled, nodeVersion, peerNode } from './contenders.js';
import { type BenchServer, databaseName, dropDatabase, median, printTable, type Row, waitForNoClients } from './lib.js';
import type { BurndownResult, Mode } from './proc/protocol.js';
import type { BenchOptions } from './scenario.js';

export const name = 'burst';

const CONCURRENCY = 20;
const CHUNK = 1_000;
const CHILD_TIMEOUT_MS = 5 * 60_000;

interface Runner {
  label: string;
  node: string;
  script: string;
  variant: string;
}

function spec(r: Runner, url: string, mode: Mode, jobs: number): ChildSpec {
  return {
    node: r.node,
    script: r.script,
    timeoutMs: CHILD_TIMEOUT_MS,
    nodeArgs:
      mode === 'burndown' && process.env.BURST_PROF_DIR && r.script.includes('rota')
        ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BURST_PROF_DIR}`]
        : [],
    env: {
      BENCH_DB_URL: url,
      BENCH_MODE: mode,
      BENCH_JOBS: String(jobs),
      BENCH_CONCURRENCY: String(CONCURRENCY),
      BENCH_VARIANT: r.variant,
      BENCH_RATE: '100',
      BENCH_CHUNK: String(CHUNK),
    },
  };
}

/** jobs/s of one cold burn-down. */
async function burndown(server: BenchServer, r: Runner, jobs: number): Promise<number> {
  const url = await server.freshDatabase('burst');
  try {
    await runChild(spec(r, url, 'setup', jobs));
    await waitForNoClients(server.adminUrl, databaseName(url));
    const res = await runChild<BurndownResult>(spec(r, url, 'burndown', jobs));
    return jobs / (res.ms / 1000);
  } finally {
    await dropDatabase(server.adminUrl, databaseName(url));
  }
}

const PGBENCH_CLIENTS = 10;
const PGBENCH_BATCH = 100;
const PGBENCH_SCRIPT = `WITH c AS (SELECT id FROM q WHERE NOT done ORDER BY id LIMIT ${PGBENCH_BATCH} FOR UPDATE SKIP LOCKED)
UPDATE q SET done = true FROM c WHERE q.id = c.id;
`;

/** rows/s of pgbench claiming and completing `jobs` rows, or null when pgbench is not installed. */
async function pgbenchReference(server: BenchServer, jobs: number): Promise<number | null> {
  const url = await server.freshDatabase('burstpgb');
  const db = new pg.Client(url);
  await db.connect();
  let dir: string | undefined;
  try {
    await db.query(`CREATE TABLE q (id bigserial PRIMARY KEY, payload jsonb NOT NULL, done boolean NOT NULL DEFAULT false)`);
    await db.query('CREATE INDEX q_todo ON q (id) WHERE NOT done');
    await db.query(`INSERT INTO q (payload) SELECT jsonb_build_object('i', i) FROM generate_series(1, $1) i`, [jobs]);
    await db.query('VACUUM ANALYZE q');
    dir = mkdtempSync(join(tmpdir(), 'rota-pgbench-'));
    const file = join(dir, 'claim.sql');
    writeFileSync(file, PGBENCH_SCRIPT);
    const u = new URL(url);
    // Exactly enough transactions for every row; each client runs its share.
    const perClient = Math.ceil(jobs / PGBENCH_BATCH / PGBENCH_CLIENTS);
    const started = performance.now();
    const res = spawnSync(
      'pgbench',
      [
        '-n',
        '-c',
        String(PGBENCH_CLIENTS),
        '-j',
        '2',
        '-t',
        String(perClient),
        '-f',
        file,
        '-h',
        u.hostname,
        '-p',
        u.port,
        '-U',
        decodeURIComponent(u.username),
        databaseName(url),
      ],
      { encoding: 'utf8', env: { ...process.env, PGPASSWORD: decodeURIComponent(u.password) } },
    );
    const wallMs = performance.now() - started;
    if (res.error || res.status !== 0) {
      console.error(`burst: pgbench failed: ${res.error?.message ?? res.stderr}`);
      return null;
    }
    const left = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM q WHERE NOT done');
    const done = jobs - (left.rows[0]?.n ?? 0);
    // pgbench's own rate excludes connecting; rows per transaction from what was done.
    const tps = Number(/tps = ([\d.]+) \(without initial connection time\)/.exec(res.stdout)?.[1] ?? Number.NaN);
    const tx = perClient * PGBENCH_CLIENTS;
    return Number.isFinite(tps) ? (tps * done) / tx : done / (wallMs / 1000);
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true });
    await db.end();
    await dropDatabase(server.adminUrl, databaseName(url));
  }
}

interface Figures {
  rota: number[];
  rotaPeerNode: number[];
  graphile: number[];
  pgbench: number[];
  vsGraphile: number[];
  /** rota on the peers' Node ÷ graphile-worker (NaN when both run on this Node already). */
  sameNode: number[];
  share: number[];
}

const fmt = (v: number) => Math.round(v).toLocaleString('en-US');
const x = (v: number) => `${v.toFixed(2)}×`;

export async function run(server: BenchServer, opts: BenchOptions): Promise<void> {
  const rota: Runner = { label: 'rota', node: process.execPath, script: 'bench/proc/rota.ts', variant: 'defaults' };
  const peerBin = opts.peers && ensurePeersInstalled() ? peerNode() : null;
  const graphile: Runner | null = peerBin
    ? { label: 'graphile-worker batched', node: peerBin, script: 'bench/peers/graphile-worker.ts', variant: 'batched' }
    : null;
  const rotaPeerNode: Runner | null = peerBin && peerBin !== process.execPath ? { ...rota, node: peerBin } : null;
  const peerVersion = peerBin ? nodeVersion(peerBin) : 'n/a';
  const sizes = opts.quick ? [20_000] : [20_000, 100_000];
  const rows: Row[] = [];
  const raw: Row[] = [];
  for (const jobs of sizes) {
    const f: Figures = { rota: [], rotaPeerNode: [], graphile: [], pgbench: [], vsGraphile: [], sameNode: [], share: [] };
    for (let round = 0; round < opts.runs; round++) {
      console.error(`burst: ${jobs} jobs, round ${round + 1}/${opts.runs}`);
      const r = await burndown(server, rota, jobs);
      const g = graphile ? await burndown(server, graphile, jobs) : Number.NaN;
      const r2 = rotaPeerNode ? await burndown(server, rotaPeerNode, jobs) : Number.NaN;
      const p = (await pgbenchReference(server, jobs)) ?? Number.NaN;
      f.rota.push(r);
      f.graphile.push(g);
      f.pgbench.push(p);
      f.rotaPeerNode.push(r2);
      f.vsGraphile.push(r / g);
      f.sameNode.push(r2 / g);
      f.share.push(r / p);
      raw.push({
        jobs: fmt(jobs),
        round: round + 1,
        'rota jobs/s': fmt(r),
        'graphile-worker batched': fmt(g),
        'pgbench rows/s': fmt(p),
        'rota ÷ graphile': x(r / g),
        [`rota on ${peerVersion}`]: fmt(r2),
        [`rota ÷ graphile, both on ${peerVersion}`]: x(r2 / g),
        'rota ÷ pgbench': x(r / p),
      });
    }
    rows.push({
      jobs: fmt(jobs),
      'rota jobs/s': fmt(median(f.rota)),
      'graphile-worker batched': fmt(median(f.graphile)),
      'pgbench reference rows/s': fmt(median(f.pgbench)),
      'rota ÷ graphile (median of rounds)': x(median(f.vsGraphile)),
      'worst round': x(Math.min(...f.vsGraphile)),
      [`rota on ${peerVersion} ÷ graphile (median / worst)`]: `${x(median(f.sameNode))} / ${x(Math.min(...f.sameNode))}`,
      'rota ÷ pgbench': x(median(f.share)),
    });
  }
  printTable(
    `Burst from a cold worker (bulk-enqueued in calls of ${CHUNK}; concurrency ${CONCURRENCY}; rota on Node ${process.versions.node}, graphile-worker and the second rota on ${peerVersion}; pgbench ${PGBENCH_CLIENTS} clients × ${PGBENCH_BATCH} rows per transaction; ${opts.runs} round(s))`,
    rows,
  );
  printTable('Burst: every round', raw);
}
