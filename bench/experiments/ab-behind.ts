// Before/after in one run (issue #9, B behind A): tenant B's 50 jobs enqueued right after
// tenant A's backlog (bench/fairness.ts's case, through bench/fairness-child.ts: handlers
// sleep 2 ms, concurrency 10), with this tree's rota and with another checkout's
// (BASE_DIR: an extracted `git archive <commit>` with node_modules linked), alternating
// which goes first, ROUNDS rounds per case, each on a fresh database of one PostgreSQL.
// Cases: A 5,000 in one call (drained), A 100,000 in 100 calls of 1,000 (CALLS100=0 skips it).
//   BASE_DIR=/tmp/base ROUNDS=4 npx tsx bench/experiments/ab-behind.ts
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startEmbeddedPostgres } from '../../src/db/embedded.js';
import { Rota } from '../../src/index.js';
import { runChild } from '../child.js';
import { databaseName, dropDatabase, median, printTable, type Row, waitForNoClients } from '../lib.js';
import type { ChildEnv } from '../proc/protocol.js';
import { migratedDatabase, type RotaClass } from './seed.js';

const BASE = process.env.BASE_DIR;
if (!BASE) throw new Error('BASE_DIR is not set (a checkout of the commit to compare with)');
const ROUNDS = Number(process.env.ROUNDS ?? 4);
const BaseRota = ((await import(pathToFileURL(join(resolve(BASE), 'src/index.ts')).href)) as { Rota: RotaClass }).Rota;

interface AbResult {
  bMs: number;
  bFirstStartMs: number;
  aMs?: number;
  aRate?: number;
  aRateBefore: number | null;
  aRateDuringB: number;
}

const cases = [
  { label: 'A 5,000 in one call', aJobs: 5_000, calls: 1, drain: 1 },
  ...(process.env.CALLS100 === '0' ? [] : [{ label: 'A 100,000 in 100 calls', aJobs: 100_000, calls: 100, drain: 0 }]),
];

const server = await startEmbeddedPostgres({ settings: { shared_buffers: '256MB' } });
try {
  // Label, the child script, and the Rota that migrates the side's database.
  const variants: Array<[string, string, RotaClass]> = [
    ['base', join(BASE, 'bench/fairness-child.ts'), BaseRota],
    ['this tree', 'bench/fairness-child.ts', Rota],
  ];
  const rows: Row[] = [];
  const b: Record<string, number[]> = {};
  let n = 0;
  for (const c of cases) {
    for (let round = 1; round <= ROUNDS; round++) {
      for (const [label, script, SideRota] of round % 2 ? variants : [...variants].reverse()) {
        // Each side's database is migrated by its own tree (its migrations and
        // sql/functions; before 2026-11-30 this tree migrated both, so the base ran this
        // tree's SQL and only the Node side was compared).
        const url = await migratedDatabase(server, `abb_${n++}`, SideRota);
        try {
          const load = (loadavg()[0] ?? 0).toFixed(1);
          const r = (await runChild({
            node: process.execPath,
            script,
            timeoutMs: 10 * 60_000,
            env: {
              FAIR_DB_URL: url,
              FAIR_MODE: 'ab',
              FAIR_A_JOBS: String(c.aJobs),
              FAIR_A_CALLS: String(c.calls),
              FAIR_B_JOBS: '50',
              FAIR_SLEEP_MS: '2',
              FAIR_CONCURRENCY: '10',
              FAIR_DRAIN: String(c.drain),
            } as unknown as ChildEnv,
          })) as unknown as AbResult;
          const key = `${c.label}, ${label}`;
          b[key] = [...(b[key] ?? []), r.bMs];
          rows.push({
            case: c.label,
            round,
            variant: label,
            load,
            "B's first start ms": r.bFirstStartMs.toFixed(1),
            'B done ms': r.bMs.toFixed(1),
            "A's rate while B ran": Math.round(r.aRateDuringB),
            "A's rate after / A done ms":
              r.aRate !== undefined ? Math.round(r.aRate) : r.aMs !== undefined ? `${Math.round(r.aMs)} ms` : '—',
          });
        } finally {
          await waitForNoClients(server.url, databaseName(url)).catch(() => {});
          await dropDatabase(server.url, databaseName(url));
        }
      }
    }
  }
  printTable(`B behind A A/B (${ROUNDS} rounds per case)`, rows);
  for (const [key, xs] of Object.entries(b)) {
    console.log(`${key}: B done median ${median(xs).toFixed(1)} ms, worst ${Math.max(...xs).toFixed(1)} ms`);
  }
} finally {
  await server.stop();
}
