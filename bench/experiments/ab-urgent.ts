// Before/after in one run (issue #9, urgent work): the urgent benchmark's case (a worker
// at concurrency 20 burning down BACKLOG no-op normal jobs, SAMPLES urgent jobs enqueued
// one at a time GAP_MS apart) with this tree's rota and with another checkout's
// (BASE_DIR: an extracted `git archive <commit>` with node_modules linked and this
// tree's bench/engine-child.ts copied in), alternating which goes first, ROUNDS rounds,
// each on a fresh database of one PostgreSQL. Prints per round the handler start from
// the enqueue call and from its return (p50 / p90), the enqueue call's own p50 and the
// load average; then the medians over the rounds.
//   BASE_DIR=/tmp/base ROUNDS=4 npx tsx bench/experiments/ab-urgent.ts
// SPLIT=1 times the urgent enqueue's insert and its commit apart (BEGIN / insert / COMMIT).
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres } from '../../src/db/embedded.js';
import { runChild } from '../child.js';
import { databaseName, dropDatabase, median, percentile, printTable, type Row, waitForNoClients } from '../lib.js';
import type { ChildEnv } from '../proc/protocol.js';

const BASE = process.env.BASE_DIR;
if (!BASE) throw new Error('BASE_DIR is not set (a checkout of the commit to compare with)');
const ROUNDS = Number(process.env.ROUNDS ?? 4);
const BACKLOG = Number(process.env.BACKLOG ?? 100_000);
const SAMPLES = Number(process.env.SAMPLES ?? 40);
const GAP_MS = Number(process.env.GAP_MS ?? 25);

interface UrgentResult {
  latencies: number[];
  fromReturn: number[];
  held: number[];
  enqueueMs: number[];
  normalPerSec: number;
  insertMs?: number[];
  commitMs?: number[];
}

const child = <R>(script: string, env: Record<string, string | number>): Promise<R> =>
  runChild({
    node: process.execPath,
    script,
    timeoutMs: 5 * 60_000,
    env: Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v)])) as unknown as ChildEnv,
  }) as unknown as Promise<R>;

const server = await startEmbeddedPostgres({ settings: { shared_buffers: '256MB' } });
try {
  const variants: Array<[string, string]> = [
    ['base', join(BASE, 'bench/engine-child.ts')],
    ['this tree', 'bench/engine-child.ts'],
  ];
  const rows: Row[] = [];
  const p50: Record<string, number[]> = { base: [], 'this tree': [] };
  const p50r: Record<string, number[]> = { base: [], 'this tree': [] };
  let n = 0;
  for (let round = 1; round <= ROUNDS; round++) {
    for (const [label, script] of round % 2 ? variants : [...variants].reverse()) {
      const db = `abu_${n++}`;
      const adminUrl = server.url;
      const { default: pg } = await import('pg');
      const admin = new pg.Client(adminUrl);
      await admin.connect();
      await admin.query(`CREATE DATABASE ${db}`);
      await admin.end();
      const url = server.urlFor(db);
      try {
        await child(script, { ENGINE_DB_URL: url, ENGINE_MODE: 'setup', ENGINE_JOBS: BACKLOG, ENGINE_TENANTS: 1 });
        await waitForNoClients(adminUrl, databaseName(url));
        const load = (loadavg()[0] ?? 0).toFixed(1);
        const r = await child<UrgentResult>(script, {
          ENGINE_DB_URL: url,
          ENGINE_MODE: 'urgent',
          ENGINE_SAMPLES: SAMPLES,
          ENGINE_GAP_MS: GAP_MS,
          // SPLIT=1: the enqueue as BEGIN / insert / COMMIT, timed apart (bench/engine-child.ts).
          ENGINE_SPLIT: process.env.SPLIT === '1' ? 1 : 0,
        });
        p50[label]?.push(percentile(r.latencies, 50));
        p50r[label]?.push(percentile(r.fromReturn, 50));
        rows.push({
          round,
          variant: label,
          load,
          started: `${r.latencies.length} of ${SAMPLES}`,
          'held (median)': median(r.held),
          'enqueue call p50 ms': percentile(r.enqueueMs, 50).toFixed(1),
          'call → start p50 / p90 / max ms': `${percentile(r.latencies, 50).toFixed(1)} / ${percentile(r.latencies, 90).toFixed(1)} / ${Math.max(...r.latencies).toFixed(1)}`,
          'return → start p50 / p90 ms': `${percentile(r.fromReturn, 50).toFixed(1)} / ${percentile(r.fromReturn, 90).toFixed(1)}`,
          'normal jobs/s meanwhile': Math.round(r.normalPerSec),
          ...(r.insertMs && r.commitMs
            ? { 'insert / commit p50 ms': `${percentile(r.insertMs, 50).toFixed(1)} / ${percentile(r.commitMs, 50).toFixed(1)}` }
            : {}),
        });
      } finally {
        await waitForNoClients(adminUrl, databaseName(url)).catch(() => {});
        await dropDatabase(adminUrl, databaseName(url));
      }
    }
  }
  printTable(`Urgent work A/B (backlog ${BACKLOG}, ${SAMPLES} urgent jobs ${GAP_MS} ms apart)`, rows);
  for (const label of Object.keys(p50)) {
    const xs = p50[label] ?? [];
    const ys = p50r[label] ?? [];
    console.log(
      `${label}: call → start p50 median ${median(xs).toFixed(1)} ms (worst ${Math.max(...xs).toFixed(1)}); return → start p50 median ${median(ys).toFixed(1)} ms (worst ${Math.max(...ys).toFixed(1)})`,
    );
  }
} finally {
  await server.stop();
}
