// Before/after in one run (issue #9, third pass): the cold burn-down of JOBS no-op jobs
// (the burst benchmark's case: bulk-enqueued in calls of 1,000, a new worker process at
// concurrency 20) with this tree's rota and with another checkout's (BASE_DIR, e.g. an
// extracted `git archive <commit>` with node_modules linked), alternating, ROUNDS
// rounds, each on a fresh database of one PostgreSQL. Prints jobs/s of each round and
// the ratio within each pair (machine noise hits both alike).
//   BASE_DIR=/tmp/base JOBS=20000 ROUNDS=5 npx tsx bench/experiments/ab-burst.ts
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '../../src/db/embedded.js';
import { runChild } from '../child.js';
import { median, printTable, type Row, waitForNoClients } from '../lib.js';
import type { BurndownResult, ChildEnv } from '../proc/protocol.js';

const JOBS = Number(process.env.JOBS ?? 20_000);
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const BASE = process.env.BASE_DIR;
if (!BASE) throw new Error('BASE_DIR is not set (a checkout of the commit to compare with)');

// The burn-down child runs through a shell that reports its CPU time (user + system,
// `times`): CPU per job of the worker process, which other agents' load moves far less
// than wall time (start-up and module loading included, the same for both).
const dir = mkdtempSync(join(tmpdir(), 'rota-ab-'));
const wrapper = join(dir, 'timed-node.sh');
writeFileSync(wrapper, '#!/bin/bash\n"$NODE_BIN" "$@"\ncode=$?\ntimes > "$CPU_FILE"\nexit $code\n');
chmodSync(wrapper, 0o755);
const seconds = (t: string) => {
  const m = /(\d+)m([\d.]+)s/.exec(t);
  return m ? Number(m[1]) * 60 + Number(m[2]) : Number.NaN;
};

const server = await startEmbeddedPostgres({ settings: { shared_buffers: '256MB' } });
// PostgreSQL's CPU: backends are the postmaster's children, and an exited backend's
// user + system time is added to the postmaster's cutime + cstime (/proc/<pid>/stat,
// fields 16 and 17, clock ticks of 10 ms). Read before and after a burn-down, once its
// sessions have ended: the CPU of every backend it used (autovacuum workers that ended
// meanwhile too, alike for both sides).
const postmaster = await (async () => {
  const c = new pg.Client(server.url);
  await c.connect();
  const r = await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  const ppid = Number(readFileSync(`/proc/${r.rows[0]?.pid}/stat`, 'utf8').split(') ')[1]?.split(' ')[1]);
  await c.end();
  return ppid;
})();
const childrenCpuSeconds = () => {
  const f = readFileSync(`/proc/${postmaster}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  // After "pid (comm) ": state is f[0], so field n (1-based, man proc) is f[n - 3].
  return (Number(f[13]) + Number(f[14])) / 100;
};
try {
  const variants: Array<[string, string]> = [
    ['base', join(BASE, 'bench/proc/rota.ts')],
    ['this tree', 'bench/proc/rota.ts'],
  ];
  const rows: Row[] = [];
  const ratios: number[] = [];
  let n = 0;
  for (let round = 1; round <= ROUNDS; round++) {
    const rate: Record<string, number> = {};
    const tail: Record<string, number> = {};
    const cpu: Record<string, number> = {};
    const pgCpu: Record<string, number> = {};
    // Alternate which goes first.
    for (const [label, script] of round % 2 ? variants : [...variants].reverse()) {
      const db = `ab_${n++}`;
      const admin = new pg.Client(server.url);
      await admin.connect();
      await admin.query(`CREATE DATABASE ${db}`);
      const env = (mode: ChildEnv['BENCH_MODE']): ChildEnv => ({
        BENCH_DB_URL: server.urlFor(db),
        BENCH_MODE: mode,
        BENCH_JOBS: String(JOBS),
        BENCH_CONCURRENCY: '20',
        BENCH_VARIANT: 'defaults',
        BENCH_RATE: '100',
        BENCH_CHUNK: '1000',
      });
      // Each side migrates its own database with its own tree: its migrations and its
      // sql/functions (before 2026-11-30 both were set up by this tree, so the base ran
      // this tree's SQL and only the Node side was compared).
      await runChild({ node: process.execPath, script, timeoutMs: 300_000, env: env('setup') });
      const cpuFile = join(dir, `${db}.cpu`);
      process.env.NODE_BIN = process.execPath;
      process.env.CPU_FILE = cpuFile;
      await waitForNoClients(server.url, db);
      await new Promise((r) => setTimeout(r, 200));
      const pgBefore = childrenCpuSeconds();
      const res = await runChild<BurndownResult>({ node: wrapper, script, timeoutMs: 300_000, env: env('burndown') });
      await waitForNoClients(server.url, db);
      await new Promise((r) => setTimeout(r, 200));
      pgCpu[label] = ((childrenCpuSeconds() - pgBefore) * 1e6) / JOBS;
      // `times`: the shell's own user and system time, then its children's.
      const [user, sys] = (readFileSync(cpuFile, 'utf8').trim().split('\n')[1] ?? '').split(/\s+/);
      cpu[label] = ((seconds(user ?? '') + seconds(sys ?? '')) * 1e6) / JOBS;
      rate[label] = JOBS / (res.ms / 1000);
      tail[label] = res.handlersMs === undefined ? Number.NaN : res.ms - res.handlersMs;
      await admin.query(`DROP DATABASE ${db} WITH (FORCE)`);
      await admin.end();
    }
    const ratio = (rate['this tree'] as number) / (rate.base as number);
    ratios.push(ratio);
    rows.push({
      round,
      'base jobs/s': rate.base as number,
      'this tree jobs/s': rate['this tree'] as number,
      'this tree ÷ base': `${ratio.toFixed(2)}×`,
      'base: last handler → all written, ms': tail.base as number,
      'this tree: last handler → all written, ms': tail['this tree'] as number,
      'worker CPU µs per job, base': cpu.base as number,
      'worker CPU µs per job, this tree': cpu['this tree'] as number,
      'PostgreSQL CPU µs per job, base': pgCpu.base as number,
      'PostgreSQL CPU µs per job, this tree': pgCpu['this tree'] as number,
    });
  }
  printTable(`cold burn-down of ${JOBS} jobs, base (${BASE}) against this tree`, rows);
  console.log(`median ratio ${median(ratios).toFixed(2)}×, worst ${Math.min(...ratios).toFixed(2)}×`);
  const col = (k: string) => median(rows.map((r) => r[k] as number)).toFixed(1);
  console.log(
    `median CPU µs per job: worker ${col('worker CPU µs per job, base')} → ${col('worker CPU µs per job, this tree')}, PostgreSQL ${col('PostgreSQL CPU µs per job, base')} → ${col('PostgreSQL CPU µs per job, this tree')}`,
  );
} finally {
  await server.destroy();
}
