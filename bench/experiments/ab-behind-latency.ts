// Before/after in one run for the claim warm-up's cost on an idle worker's latency (issue
// #9): the core benchmark's latency case (bench/proc/rota.ts, mode latency: a worker at
// concurrency 20 left idle for a second, then JOBS single enqueues at RATE/s) with this
// tree's rota and with another checkout's (BASE_DIR: an extracted `git archive <commit>`
// with node_modules linked), alternating which goes first, ROUNDS rounds, each on a fresh
// database of one PostgreSQL. Prints p50 / p99 / max enqueue-to-start per run.
//   BASE_DIR=/tmp/base ROUNDS=3 JOBS=1000 npx tsx bench/experiments/ab-behind-latency.ts
import { loadavg } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '../../src/db/embedded.js';
import { runChild } from '../child.js';
import { median, percentile, printTable, type Row, waitForNoClients } from '../lib.js';
import type { ChildEnv } from '../proc/protocol.js';

const BASE = process.env.BASE_DIR;
if (!BASE) throw new Error('BASE_DIR is not set (a checkout of the commit to compare with)');
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const JOBS = Number(process.env.JOBS ?? 1000);

const server = await startEmbeddedPostgres({ settings: { shared_buffers: '256MB' } });
try {
  const variants: Array<[string, string]> = [
    ['base', join(BASE, 'bench/proc/rota.ts')],
    ['this tree', 'bench/proc/rota.ts'],
  ];
  const rows: Row[] = [];
  const p50: Record<string, number[]> = {};
  const p99: Record<string, number[]> = {};
  let n = 0;
  for (let round = 1; round <= ROUNDS; round++) {
    for (const [label, script] of round % 2 ? variants : [...variants].reverse()) {
      const db = `abl_${n++}`;
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
      });
      await runChild({
        node: process.execPath,
        script: 'bench/proc/rota.ts',
        timeoutMs: 300_000,
        env: { ...env('setup'), BENCH_JOBS: '0' },
      });
      await waitForNoClients(server.url, db);
      const load = (loadavg()[0] ?? 0).toFixed(1);
      const res = (await runChild({ node: process.execPath, script, timeoutMs: 300_000, env: env('latency') })) as unknown as {
        latencies: number[];
      };
      const l = res.latencies;
      p50[label] = [...(p50[label] ?? []), percentile(l, 50)];
      p99[label] = [...(p99[label] ?? []), percentile(l, 99)];
      rows.push({
        round,
        variant: label,
        load,
        p50: percentile(l, 50).toFixed(2),
        p99: percentile(l, 99).toFixed(2),
        max: Math.max(...l).toFixed(1),
        'first 20 max': Math.max(...l.slice(0, 20)).toFixed(1),
      });
      await admin.query(`DROP DATABASE ${db} WITH (FORCE)`);
      await admin.end();
    }
  }
  printTable(`Latency A/B (${JOBS} jobs at 100/s, ${ROUNDS} rounds)`, rows);
  for (const k of Object.keys(p50)) {
    console.log(`${k}: p50 median ${median(p50[k] as number[]).toFixed(2)} ms, p99 median ${median(p99[k] as number[]).toFixed(2)} ms`);
  }
} finally {
  await server.stop();
}
