/**
 * Tenant groups over several servers (issue #13, src/cluster): `--only cluster [--runs N] [--quick]`.
 *
 * Starts its own three embedded PostgreSQL servers (PostgreSQL defaults) and, for 1, 2
 * and 3 servers holding 8 groups: bulk-enqueues 20,000 no-op jobs over 64 tenants, then
 * one process works them until all are done, with the shared worker runtime
 * (concurrency 32 for the process) and with one runtime per group (`sharedRuntime:
 * false`, concurrency 4 per group, 32 in all), alternating within each round.
 * Figures: enqueue and burn-down jobs/s, database transactions per 1,000 jobs and
 * PostgreSQL CPU ms per 1,000 jobs (all servers' processes, from /proc), and each
 * server's share of that CPU. Then queue-wide limits split over groups, the idle cost
 * (transactions/s of a worker serving 8 and 32 empty groups) in both designs, and
 * fairness: tenant B (50 jobs) enqueued right after tenant A's 5,000, B in another
 * group than A, and B in A's group; handlers sleep 2 ms.
 *
 * On this machine every server shares the same 2 cores with the workers, so jobs/s
 * cannot grow with servers here; the CPU per job and its split over servers are what
 * carries over to separate machines (see docs/cluster.md).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { fnv1a32 } from '../src/cluster/hash.js';
import { type EmbeddedServer, startEmbeddedPostgres } from '../src/db/embedded.js';
import { RotaCluster } from '../src/index.js';
import { type BenchServer, median, printTable, type Row, sleep } from './lib.js';
import type { BenchOptions } from './scenario.js';

export const name = 'cluster';

const GROUPS = 8;
const JOBS = 20_000;
const TENANTS = 64;
const PER_GROUP_CONCURRENCY = 4;
const TICKS = 100; // clock ticks per second (getconf CLK_TCK on Linux)

const quiet = { debug() {}, info() {}, warn() {}, error() {}, child: () => quiet };

/** CPU seconds used so far by a server: postmaster, its live children, and its reaped children. */
function serverCpuSeconds(s: EmbeddedServer): number {
  const pid = Number(readFileSync(join(s.dir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
  const stat = (p: number | string) => {
    const text = readFileSync(`/proc/${p}/stat`, 'utf8');
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    // Fields after the name: state(0) ppid(1) ... utime(11) stime(12) cutime(13) cstime(14).
    return { ppid: Number(f[1]), own: Number(f[11]) + Number(f[12]), reaped: Number(f[13]) + Number(f[14]) };
  };
  const master = stat(pid);
  let ticks = master.own + master.reaped;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const st = stat(entry);
      if (st.ppid === pid) ticks += st.own;
    } catch {} // exited meanwhile
  }
  return ticks / TICKS;
}

async function transactions(s: EmbeddedServer): Promise<number> {
  const c = new pg.Client(s.url);
  await c.connect();
  try {
    await c.query('SELECT pg_stat_clear_snapshot()');
    const r = await c.query<{ n: string }>(
      "SELECT (xact_commit + xact_rollback)::bigint AS n FROM pg_stat_database WHERE datname = 'postgres'",
    );
    return Number(r.rows[0]?.n ?? 0);
  } finally {
    await c.end();
  }
}

type Design = 'shared' | 'per-group';
const DESIGNS: Design[] = ['shared', 'per-group'];

function cluster(servers: EmbeddedServer[], prefix: string, design: Design): RotaCluster {
  const named = Object.fromEntries(servers.map((s, i) => [String.fromCharCode(97 + i), { connectionString: s.url, poolSize: 4 }]));
  return new RotaCluster({
    servers: named,
    groups: GROUPS,
    schemaPrefix: prefix,
    logger: quiet,
    rebalanceMs: 0,
    sharedRuntime: design === 'shared',
  });
}

let seq = 0;

async function burnDown(all: EmbeddedServer[], n: number, design: Design): Promise<Row> {
  const servers = all.slice(0, n);
  const c = cluster(servers, `bd${++seq}`, design);
  await c.migrate();
  const items = Array.from({ length: JOBS }, (_, i) => ({ payload: { i }, tenant: `tenant-${i % TENANTS}` }));
  const t0 = performance.now();
  for (let i = 0; i < items.length; i += 5_000) await c.enqueueMany('bench', items.slice(i, i + 5_000));
  const enqueueMs = performance.now() - t0;
  const cpu0 = servers.map(serverCpuSeconds);
  const tx0 = await Promise.all(servers.map(transactions));
  let done = 0;
  let finish: () => void = () => {};
  const all_done = new Promise<void>((r) => {
    finish = r;
  });
  const started = performance.now();
  const concurrency = design === 'shared' ? PER_GROUP_CONCURRENCY * GROUPS : PER_GROUP_CONCURRENCY;
  const w = c.work('bench', { concurrency }, async () => {
    if (++done === JOBS) finish();
  });
  await all_done;
  await w.stop(); // flushes the last status writes
  const ms = performance.now() - started;
  const cpu = servers.map((s, i) => serverCpuSeconds(s) - (cpu0[i] as number));
  const tx = (await Promise.all(servers.map(transactions))).map((t, i) => t - (tx0[i] as number));
  await c.close();
  const cpuTotal = cpu.reduce((a, b) => a + b, 0);
  const writes = Object.values(c.stats().statusWrites);
  const perCommit =
    writes.reduce((a, s) => a + s.batches, 0) /
    Math.max(
      1,
      writes.reduce((a, s) => a + s.transactions, 0),
    );
  return {
    servers: n,
    design,
    'groups per status commit': design === 'shared' ? Math.round(perCommit * 100) / 100 : 1,
    'enqueue jobs/s': Math.round((JOBS / enqueueMs) * 1000),
    'burn-down jobs/s': Math.round((JOBS / ms) * 1000),
    'tx / 1k jobs': Math.round((tx.reduce((a, b) => a + b, 0) / JOBS) * 1000),
    'PG CPU ms / 1k jobs': Math.round((cpuTotal / JOBS) * 1e6),
    'CPU share per server': cpu.map((x) => `${Math.round((x / Math.max(cpuTotal, 1e-9)) * 100)}%`).join(' / '),
  };
}

/** A tenant name whose group is (or is not) `group`. */
function tenantIn(prefix: string, pick: (g: number) => boolean): string {
  for (let i = 0; ; i++) if (pick(fnv1a32(`${prefix}${i}`) % GROUPS)) return `${prefix}${i}`;
}

async function fairness(servers: EmbeddedServer[], sameGroup: boolean, design: Design, concurrency: number): Promise<Row> {
  const c = cluster(servers, `fair${++seq}`, design);
  await c.migrate();
  const a = tenantIn('big-', () => true);
  const ga = c.groupOf(a);
  const b = tenantIn('small-', (g) => (sameGroup ? g === ga : g !== ga));
  let bLeft = 50;
  let bDone: () => void = () => {};
  const bFinished = new Promise<void>((r) => {
    bDone = r;
  });
  const w = c.work('fair', { concurrency }, async (job) => {
    await sleep(2);
    if (job.tenant === b && --bLeft === 0) bDone();
  });
  await sleep(300);
  await c.enqueueMany(
    'fair',
    Array.from({ length: 5_000 }, (_, i) => ({ payload: { i }, tenant: a })),
  );
  const t0 = performance.now();
  await c.enqueueMany(
    'fair',
    Array.from({ length: 50 }, (_, i) => ({ payload: { i }, tenant: b })),
  );
  await bFinished;
  const ms = performance.now() - t0;
  await w.stop();
  await c.close();
  // Ideal: B's 50 jobs alone on concurrency 10 at 2 ms each.
  // Ideal: B alone on 10 handlers, 10 ms; with A's group taking every other slot, 20 ms.
  return {
    design,
    concurrency,
    'handlers in all': design === 'shared' ? concurrency : concurrency * GROUPS,
    'B is': sameGroup ? "in A's group" : 'in another group',
    "B's 50 jobs done after (ms)": Math.round(ms),
  };
}

/**
 * How close to a queue-wide limit a queue runs when the limit is split over groups: 4
 * groups on 2 servers, demand skewed (70 % of the jobs in one group), 30 ms handlers,
 * rebalanced every second (and every 250 ms). Concurrency: the most running at once (sampled in the
 * handlers) and the mean running over the run as a share of the limit. Rate: jobs
 * started per second over the run against the limit.
 */
async function queueLimit(servers: EmbeddedServer[], kind: 'concurrency' | 'rate', rebalanceMs: number, groups: 1 | 4): Promise<Row> {
  const named: Record<string, { connectionString: string }> = { a: { connectionString: (servers[0] as EmbeddedServer).url } };
  if (groups > 1) named.b = { connectionString: (servers[1] as EmbeddedServer).url };
  const c = new RotaCluster({ servers: named, groups, schemaPrefix: `lim${++seq}`, logger: quiet, rebalanceMs });
  await c.migrate();
  const hot = tenantIn4('hot-', (g) => g === 0);
  const others = [1, 2, 3].map((g) => (groups === 1 ? `cold${g}` : tenantIn4(`cold${g}-`, (x) => x === g)));
  const jobs = kind === 'concurrency' ? 1_400 : 1_000;
  const items = Array.from({ length: jobs }, (_, i) => ({ payload: { i }, tenant: i % 10 < 7 ? hot : (others[i % 3] as string) }));
  await c.enqueueMany('limited', items);
  const limit = kind === 'concurrency' ? 16 : 100;
  await c.queue('limited').configure(kind === 'concurrency' ? { concurrency: limit } : { rate: { limit, periodMs: 1_000, burst: 10 } });
  let running = 0;
  let maxRunning = 0;
  let area = 0;
  let last = performance.now();
  const tick = () => {
    const now = performance.now();
    area += running * (now - last);
    last = now;
  };
  let done = 0;
  let finish: () => void = () => {};
  const allDone = new Promise<void>((r) => {
    finish = r;
  });
  const started = performance.now();
  last = started;
  // More handlers than the limit in every group (the shared runtime's concurrency is the process's).
  const w = c.work('limited', { concurrency: 16 * groups }, async () => {
    tick();
    running++;
    maxRunning = Math.max(maxRunning, running);
    await sleep(30);
    tick();
    running--;
    if (++done === jobs) finish();
  });
  await allDone;
  const ms = performance.now() - started;
  await w.stop();
  await c.close();
  if (kind === 'concurrency')
    return {
      limit: `concurrency ${limit}`,
      'most running at once': maxRunning,
      'mean running / limit': `${Math.round((area / ms / limit) * 100)}%`,
      'run (s)': ms / 1000,
    };
  return {
    limit: `rate ${limit}/s`,
    'achieved jobs/s': Math.round((jobs / ms) * 1000),
    'of the limit': `${Math.round(((jobs / ms) * 1000 * 100) / limit)}%`,
    'run (s)': ms / 1000,
  };
}

/** Statements an idle worker costs: transactions per second on its servers while it works an empty queue in every group. */
async function idleCost(servers: EmbeddedServer[], groups: number, design: Design): Promise<Row> {
  const named = Object.fromEntries(servers.map((s, i) => [String.fromCharCode(97 + i), { connectionString: s.url }]));
  const c = new RotaCluster({ servers: named, groups, schemaPrefix: `idle${++seq}`, logger: quiet, sharedRuntime: design === 'shared' });
  await c.migrate();
  const w = c.work('idle', { concurrency: 4 }, async () => {});
  await sleep(2_000); // start-up (registration, first rescue) out of the way
  const tx0 = await Promise.all(servers.map(transactions));
  const t0 = performance.now();
  await sleep(5_000);
  const tx = (await Promise.all(servers.map(transactions))).reduce((a, t, i) => a + t - (tx0[i] as number), 0);
  const secs = (performance.now() - t0) / 1000;
  await w.stop();
  await c.close();
  return {
    design,
    groups,
    servers: servers.length,
    'transactions/s': Math.round(tx / secs),
    'per group': Math.round((tx / secs / groups) * 10) / 10,
  };
}

function tenantIn4(prefix: string, pick: (g: number) => boolean): string {
  for (let i = 0; ; i++) if (pick(fnv1a32(`${prefix}${i}`) % 4)) return `${prefix}${i}`;
}

export async function run(_server: BenchServer, opts: BenchOptions): Promise<void> {
  const settings = { shared_buffers: '128MB', max_connections: 100 };
  const servers = await Promise.all([0, 1, 2].map(() => startEmbeddedPostgres({ settings })));
  try {
    const rounds = new Map<string, Row[]>();
    for (let r = 0; r < opts.runs; r++)
      for (const n of [1, 2, 3])
        for (const design of r % 2 === 0 ? DESIGNS : [...DESIGNS].reverse()) {
          console.error(`cluster: burn-down on ${n} server(s), ${design}, round ${r + 1}/${opts.runs}`);
          const key = `${n}:${design}`;
          rounds.set(key, [...(rounds.get(key) ?? []), await burnDown(servers, n, design)]);
        }
    const med = (rows: Row[], key: string) => median(rows.map((x) => x[key] as number));
    const worst = (rows: Row[], key: string) => Math.min(...rows.map((x) => x[key] as number));
    printTable(
      `Cluster burn-down: ${JOBS.toLocaleString('en')} no-op jobs, ${TENANTS} tenants, ${GROUPS} groups, one process, 32 handlers (shared: concurrency 32 for the process; per-group: ${PER_GROUP_CONCURRENCY} per group); medians of ${opts.runs}, worst jobs/s too`,
      [...rounds.values()].map((rows) => ({
        servers: rows[0]?.servers as number,
        design: rows[0]?.design as string,
        'enqueue jobs/s': med(rows, 'enqueue jobs/s'),
        'burn-down jobs/s': med(rows, 'burn-down jobs/s'),
        'worst burn-down jobs/s': worst(rows, 'burn-down jobs/s'),
        'tx / 1k jobs': med(rows, 'tx / 1k jobs'),
        'PG CPU ms / 1k jobs': med(rows, 'PG CPU ms / 1k jobs'),
        'groups per status commit': med(rows, 'groups per status commit'),
        'CPU share per server (last round)': rows[rows.length - 1]?.['CPU share per server'] as string,
      })),
    );
    const limits: Row[] = [];
    // One group on one server: the same workload on plain rota, for comparison.
    const cases = [
      ['concurrency', 1_000, 1],
      ['concurrency', 1_000, 4],
      ['concurrency', 250, 4],
      ['rate', 1_000, 4],
    ] as const;
    for (const [kind, rebalanceMs, groups] of cases)
      for (let r = 0; r < opts.runs; r++) {
        console.error(`cluster: queue-wide ${kind} limit over ${groups} group(s), round ${r + 1}/${opts.runs}`);
        limits.push({
          round: r + 1,
          groups: groups === 1 ? '1 (plain rota)' : '4 on 2 servers',
          'rebalance (ms)': groups === 1 ? '-' : rebalanceMs,
          ...(await queueLimit(servers, kind, rebalanceMs, groups)),
        });
      }
    printTable('Queue-wide limits split over groups (70 % of the jobs in one group, 30 ms handlers), every round', limits);
    const idle: Row[] = [];
    for (let r = 0; r < opts.runs; r++)
      for (const groups of [8, 32])
        for (const design of DESIGNS) {
          console.error(`cluster: idle cost, ${groups} groups, ${design}, round ${r + 1}/${opts.runs}`);
          idle.push({ round: r + 1, ...(await idleCost(servers, groups, design)) });
        }
    printTable('Idle worker, one queue, every group served on 3 servers (every round; includes the reading connections)', idle);
    const fair: Row[] = [];
    const fairCases: Array<[Design, number]> = [
      ['shared', 10],
      ['shared', 80],
      ['per-group', 10],
    ];
    for (const [design, concurrency] of fairCases)
      for (const same of [false, true]) {
        const runs: Row[] = [];
        for (let r = 0; r < opts.runs; r++) runs.push(await fairness(servers, same, design, concurrency));
        fair.push({
          ...(runs[0] as Row),
          "B's 50 jobs done after (ms)": med(runs, "B's 50 jobs done after (ms)"),
          'worst (ms)': Math.max(...runs.map((x) => x["B's 50 jobs done after (ms)"] as number)),
        });
      }
    printTable(
      'Cluster fairness: tenant A enqueues 5,000 jobs, then tenant B 50; 3 servers, 8 groups, shared (concurrency for the process) or per-group (concurrency per group), 2 ms handlers',
      fair,
    );
  } finally {
    await Promise.all(servers.map((s) => s.destroy()));
  }
}
