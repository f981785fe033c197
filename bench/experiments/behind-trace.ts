// Where B's time goes behind A (issue #9, "B behind A"): bench/fairness-child.ts's `ab`
// case (handlers sleep 2 ms, concurrency 10; tenant A enqueues its backlog, then tenant B
// enqueues 50 jobs), replayed with timestamps on every stage of B's path, from its
// enqueue call to "done" as bench/fairness.ts measures it: the 50th B handler returning
// (the handler counts itself done after its sleep; the status write is not part of it).
// Prototypes are wrapped here (no library change): the claim (FairClaimer.claim), the
// claim loop's wake-ups (a NOTIFY, parsed), the planner's plans, the executor's
// deliveries, every handler's start and end, the status batcher's writes.
// One child process per run (its own event loop, as the benchmark), fresh database each.
// TRACE_WARM=1: the worker's pool connections have run the full claim path once before A
// arrives (see below); TRACE_NEWCOMER=<n>: a newcomer's claim may take up to n even when
// the worker's target is smaller (cold); TRACE_SAMPLE=<file>: pg_stat_activity sampled while B's claim runs.
//   RUNS=5 CASES=5000x1,100000x100 npx tsx bench/experiments/behind-trace.ts
import { appendFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import pg from 'pg';
import { startEmbeddedPostgres } from '../../src/db/embedded.js';
import { FairClaimer } from '../../src/fairness/claimer.js';
import { Rota } from '../../src/index.js';
import { StatusBatcher } from '../../src/worker/batcher.js';
import { ClaimLoop } from '../../src/worker/claim-loop.js';
import { ClaimPlanner, type ClaimPlannerOptions } from '../../src/worker/claim-planner.js';
import { QueueExecutor } from '../../src/worker/executor.js';
import { runChild } from '../child.js';
import { databaseName, dropDatabase, median, printTable, type Row, waitForNoClients } from '../lib.js';
import { type ChildEnv, RESULT_PREFIX } from '../proc/protocol.js';
import { migratedDatabase } from './seed.js';

const silent = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };
const now = () => performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Claim {
  sent: number;
  back: number;
  asked: number;
  a: number;
  b: number;
  /** The loop's claim was in flight when this one was sent (a claim beside it). */
  beside: boolean;
  /** claim.sql statements it took (FairClaimer repeats a claim that says `more`). */
  sql: number;
}
interface Trace {
  enqueueReturned: number;
  notifyB: number | null;
  /** At B's NOTIFY: the loop's claim in flight (sent at, asked), paused, sleeping. */
  atNotify: {
    inFlightSent: number | null;
    inFlightAsked: number | null;
    paused: boolean;
    sleeping: boolean;
    buffered: number;
    active: number;
    /** Pool connections that have run the claim warm-up (src/fairness/claim-warmer.ts; -1: not in this tree), and all. */
    warm: number;
    connections: number;
  };
  claims: Claim[];
  plans: Array<{ t: number; counts: number[]; newcomer: number | null }>;
  deliveries: Array<{ t: number; a: number; b: number; bufferedBefore: number; bufferedABefore: number; active: number }>;
  bJobs: Array<{ delivered: number; start: number; end: number }>;
  aStarts: number[];
  flushes: Array<{ start: number; end: number; size: number; b: number }>;
  done: number;
  /** ms from A's last enqueue call returning to B's enqueue call. */
  aEnqueueToB: number;
  before: Array<{ sent: number; back: number; asked: number; got: number; sql: number }>;
}

// ---------------------------------------------------------------- child: one traced run
async function child(): Promise<void> {
  const env = process.env;
  const url = env.TRACE_DB_URL as string;
  const aJobs = Number(env.TRACE_A_JOBS ?? 5000);
  const aCalls = Number(env.TRACE_A_CALLS ?? 1);
  const bJobs = 50;
  let t0 = Number.NaN; // B's enqueue call; every time below is ms from it
  let aEnqueued = Number.NaN; // A's last enqueue call returned (absolute)
  const rel = () => now() - t0;
  const aRel = () => now() - aEnqueued;
  const tr: Trace = {
    enqueueReturned: 0,
    notifyB: null,
    atNotify: {
      inFlightSent: null,
      inFlightAsked: null,
      paused: false,
      sleeping: false,
      buffered: 0,
      active: 0,
      warm: -1,
      connections: -1,
    },
    claims: [],
    plans: [],
    deliveries: [],
    bJobs: [],
    aStarts: [],
    flushes: [],
    done: 0,
    aEnqueueToB: 0,
    before: [],
  };
  const tracing = () => !Number.isNaN(t0);
  /** Claims sent after A's last enqueue call returned and before B's: ms from that return. */
  const before: Array<{ sent: number; back: number; asked: number; got: number; sql: number }> = [];
  let sqlCalls = 0;
  const counted = new Set<pg.Pool>();
  let claimPool: pg.Pool | null = null;
  let claimer: FairClaimer | null = null;
  let loopClaim: { sent: number; asked: number } | null = null;
  let executor: QueueExecutor | null = null;
  const deliveredAt = new Map<string, number>();
  const bTenantOf = new Map<string, boolean>();

  // The claim (the loop's and any beside it).
  type ClaimFn = FairClaimer['claim'];
  const claim: ClaimFn = FairClaimer.prototype.claim;
  FairClaimer.prototype.claim = async function (this: FairClaimer, queues, counts) {
    const pool = (this as unknown as { opts: { pool: pg.Pool } }).opts.pool;
    claimPool = pool;
    claimer = this;
    if (!counted.has(pool)) {
      counted.add(pool);
      const query = pool.query.bind(pool) as (...args: unknown[]) => unknown;
      (pool as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
        const q = args[0] as { name?: string };
        if (typeof q === 'object' && q.name?.startsWith('rota_claim')) sqlCalls++;
        return query(...args);
      };
    }
    const sent = rel();
    const aSent = aRel();
    const calls0 = sqlCalls;
    const asked = counts.reduce((x, y) => x + y, 0);
    const beside = loopClaim !== null;
    const mine = { sent, asked };
    if (!beside) loopClaim = mine;
    try {
      const batch = await claim.call(this, queues, counts);
      if (tracing() && !Number.isNaN(sent)) {
        const b = batch.rows.filter((r) => r.tenant === 'B').length;
        tr.claims.push({ sent, back: rel(), asked, a: batch.rows.length - b, b, beside, sql: sqlCalls - calls0 });
      } else if (!Number.isNaN(aSent)) {
        before.push({ sent: aSent, back: aRel(), asked, got: batch.rows.length, sql: sqlCalls - calls0 });
      }
      return batch;
    } finally {
      if (loopClaim === mine) loopClaim = null;
    }
  };
  // NOTIFY arrivals (the listener calls wake(queue, rank, arrived)).
  const wake = ClaimLoop.prototype.wake;
  ClaimLoop.prototype.wake = function (this: ClaimLoop, queue, rank, arrived) {
    if (tracing() && arrived?.tenant === 'B' && tr.notifyB === null) {
      tr.notifyB = rel();
      const self = this as unknown as { paused: boolean };
      tr.atNotify = {
        inFlightSent: loopClaim?.sent ?? null,
        inFlightAsked: loopClaim?.asked ?? null,
        paused: self.paused,
        sleeping: this.sleeping,
        buffered: executor?.buffered ?? 0,
        active: executor?.active ?? 0,
        warm: (claimer as FairClaimer | null)?.warmer?.warmConnections ?? -1,
        connections: (claimPool as pg.Pool | null)?.totalCount ?? -1,
      };
    }
    wake.call(this, queue, rank, arrived);
  };
  const next = ClaimPlanner.prototype.next;
  ClaimPlanner.prototype.next = function (this: ClaimPlanner, gate) {
    const newcomers = (this as unknown as { newcomers: Map<string, number> }).newcomers;
    const newcomer = newcomers.get('fair') ?? null;
    const plan = next.call(this, gate);
    if (tracing()) tr.plans.push({ t: rel(), counts: [...plan.counts], newcomer });
    return plan;
  };
  if (env.TRACE_NEWCOMER) {
    // Experiment: a newcomer's claim bounded by max(target, TRACE_NEWCOMER) instead of the
    // target (ClaimPlanner.newcomer() otherwise unchanged), for a cold worker whose target
    // is its concurrency.
    const floor = Number(env.TRACE_NEWCOMER);
    ClaimPlanner.prototype.newcomer = function (this: ClaimPlanner, queue: string, tenant: string, jobs: number) {
      const self = this as unknown as {
        opts: ClaimPlannerOptions;
        target(ex: QueueExecutor): number;
        newcomers: Map<string, number>;
      };
      const ex = self.opts.executors().find((e) => e.queue === queue);
      if (!ex || ex.buffers(tenant)) return;
      const target = self.target(ex);
      const held = ex.buffered + ex.active + self.opts.order.heldFor(queue);
      const cap = 3 * (ex.concurrency + self.opts.maxPrefetch);
      if (held >= cap) return;
      const n = Math.min(cap - held, Math.max(ex.concurrency, Math.ceil(target / 4), Math.min(2 * jobs, Math.max(target, floor))));
      self.newcomers.set(queue, Math.max(n, self.newcomers.get(queue) ?? 0));
    };
  }
  const deliver = QueueExecutor.prototype.deliver;
  QueueExecutor.prototype.deliver = function (this: QueueExecutor, rows) {
    executor = this;
    if (tracing()) {
      const t = rel();
      let b = 0;
      for (const r of rows) {
        if (r.tenant === 'B') {
          b++;
          deliveredAt.set(r.id, t);
        }
      }
      const buf = (this as unknown as { buffer: { size: number; hasTenant(t: string): boolean } }).buffer;
      tr.deliveries.push({
        t,
        a: rows.length - b,
        b,
        bufferedBefore: this.buffered,
        bufferedABefore: buf.hasTenant('A') ? this.buffered - bBuffered : 0,
        active: this.active,
      });
      bBuffered += b;
    }
    deliver.call(this, rows);
  };
  let bBuffered = 0;
  type WriteBatch = (batch: Array<{ id: string }>) => Promise<void>;
  const proto = StatusBatcher.prototype as unknown as { writeBatch: WriteBatch };
  const writeBatch = proto.writeBatch;
  proto.writeBatch = async function (this: StatusBatcher, batch) {
    const start = rel();
    await writeBatch.call(this, batch);
    if (tracing()) tr.flushes.push({ start, end: rel(), size: batch.length, b: batch.filter((u) => bTenantOf.has(u.id)).length });
  };

  // TRACE_SAMPLE=<file>: pg_stat_activity sampled from B's enqueue call for 60 ms (what the
  // backends are doing meanwhile: CPU, a lock, the WAL).
  const samples: Array<[number, string]> = [];
  const probe = new pg.Client(url);
  await probe.connect();
  const sample = async () => {
    while (rel() < 60) {
      const r = await probe.query<{ s: string }>(
        `SELECT string_agg(pid || ':' || coalesce(wait_event_type || '/' || wait_event, 'cpu') || ':' || left(regexp_replace(query, 's+', ' ', 'g'), 30), ' | ') AS s
           FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' AND pid <> pg_backend_pid()`,
      );
      samples.push([rel(), r.rows[0]?.s ?? '']);
    }
  };
  const producer = new Rota({ connectionString: url, logger: silent });
  const worker = new Rota({ connectionString: url, logger: silent });
  let bDone = 0;
  worker.work<null>('fair', { concurrency: 10 }, async (job) => {
    const start = rel();
    if (job.tenant === 'B') bBuffered--;
    else if (tracing()) tr.aStarts.push(start);
    await sleep(2);
    if (job.tenant === 'B') {
      bTenantOf.set(job.id, true);
      tr.bJobs.push({ delivered: deliveredAt.get(job.id) ?? Number.NaN, start, end: rel() });
      if (++bDone === bJobs) tr.done = rel();
    }
  });
  await sleep(300);
  const pool = claimPool as pg.Pool | null;
  if (env.TRACE_WARM === '1' && pool) {
    // What B's claim would cost with the full claim path's plans built: the empty claim
    // (no queue: the small claim declines, the full path's statements run over nothing
    // and write nothing) on every connection of the worker's pool, all checked out at
    // once so each one gets it.
    const clients = await Promise.all(Array.from({ length: pool.options.max ?? 2 }, () => pool.connect()));
    for (const c of clients) await c.query(`SELECT count(*) FROM rota.claim_jobs('{}'::text[], '{}'::int[], 'warm', 1000)`);
    for (const c of clients) c.release();
  }
  const perCall = Math.ceil(aJobs / aCalls);
  for (let sent = 0; sent < aJobs; sent += perCall) {
    await producer.enqueueMany(
      'fair',
      Array.from({ length: Math.min(perCall, aJobs - sent) }, () => ({ payload: 0, tenant: 'A' })),
    );
    aEnqueued = now();
    before.length = 0;
  }
  t0 = now();
  const sampling = env.TRACE_SAMPLE ? sample() : Promise.resolve();
  await producer.enqueueMany(
    'fair',
    Array.from({ length: bJobs }, () => ({ payload: 0, tenant: 'B' })),
  );
  tr.enqueueReturned = rel();
  tr.aEnqueueToB = t0 - aEnqueued;
  tr.before = before;
  while (bDone < bJobs) await sleep(1);
  await sleep(50); // B's status writes land
  await sampling;
  await probe.end();
  if (env.TRACE_SAMPLE) appendFileSync(env.TRACE_SAMPLE, `${samples.map(([t, x]) => `${t.toFixed(1)} ${x}`).join('\n')}\n----\n`);
  const out = tr;
  t0 = Number.NaN;
  await worker.close();
  await producer.close();
  process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(out)}\n`);
  process.exit(0);
}

// ---------------------------------------------------------------- stages of one run
function stages(tr: Trace): Record<string, number> {
  const bStarts = tr.bJobs.map((j) => j.start).sort((x, y) => x - y);
  const firstStart = bStarts[0] as number;
  const firstB = tr.claims.find((c) => c.b > 0) as Claim;
  const bClaims = tr.claims.filter((c) => c.b > 0);
  const waits = tr.bJobs.map((j) => j.start - j.delivered);
  const window = tr.done - firstStart;
  const aIn = tr.aStarts.filter((t) => t >= firstStart && t <= tr.done).length;
  const bBusy = tr.bJobs.reduce((s, j) => s + (j.end - j.start), 0);
  const lastBFlush = tr.flushes.filter((f) => f.b > 0).at(-1);
  const firstDelivery = tr.deliveries.find((d) => d.b > 0);
  return {
    'enqueue call (ms)': tr.enqueueReturned,
    NOTIFY: tr.notifyB ?? Number.NaN,
    'claim in flight at NOTIFY (1/0)': tr.atNotify.inFlightSent === null ? 0 : 1,
    'its size': tr.atNotify.inFlightAsked ?? 0,
    'buffered at NOTIFY': tr.atNotify.buffered,
    'warm connections at NOTIFY': tr.atNotify.warm,
    'pool connections at NOTIFY': tr.atNotify.connections,
    "B's claim sent": firstB.sent,
    "B's claim back": firstB.back,
    "B's claim asked": firstB.asked,
    'B in it': firstB.b,
    'A in it': firstB.a,
    'claims with B': bClaims.length,
    'A buffered at delivery': firstDelivery?.bufferedABefore ?? Number.NaN,
    'first B start': firstStart,
    'buffer wait p50': median(waits),
    'buffer wait max': Math.max(...waits),
    'B run window': window,
    'A starts in window': aIn,
    'B mean slots': bBusy / window,
    'B handler ms p50': median(tr.bJobs.map((j) => j.end - j.start)),
    done: tr.done,
    'B status committed': lastBFlush?.end ?? Number.NaN,
  };
}

// ---------------------------------------------------------------- driver
async function driver(): Promise<void> {
  const runs = Number(process.env.RUNS ?? 5);
  const cases = (process.env.CASES ?? '5000x1,100000x100').split(',').map((c) => {
    const [jobs, calls] = c.split('x').map(Number);
    return { jobs: jobs as number, calls: calls as number };
  });
  const server = await startEmbeddedPostgres({ settings: { shared_buffers: '256MB' } });
  let n = 0;
  try {
    for (const c of cases) {
      const per: Array<Record<string, number>> = [];
      const rows: Row[] = [];
      for (let r = 0; r < runs; r++) {
        const url = await migratedDatabase(server, `btr_${n++}`);
        try {
          const load = loadavg()[0] ?? 0;
          const tr = (await runChild({
            node: process.execPath,
            script: 'bench/experiments/behind-trace.ts',
            timeoutMs: 10 * 60_000,
            env: { TRACE_DB_URL: url, TRACE_A_JOBS: String(c.jobs), TRACE_A_CALLS: String(c.calls) } as unknown as ChildEnv,
          })) as unknown as Trace;
          const s = stages(tr);
          per.push(s);
          rows.push({ run: r + 1, load: load.toFixed(1), ...Object.fromEntries(Object.entries(s).map(([k, v]) => [k, round(v)])) });
          if (process.env.TRACE_DUMP) {
            console.log(
              JSON.stringify({
                aEnqueueToB: tr.aEnqueueToB,
                before: tr.before,
                claims: tr.claims,
                plans: tr.plans.slice(0, 12),
                deliveries: tr.deliveries.filter((d) => d.t < tr.done + 5),
              }),
            );
          }
        } finally {
          await waitForNoClients(server.url, databaseName(url)).catch(() => {});
          await dropDatabase(server.url, databaseName(url));
        }
      }
      const keys = Object.keys(per[0] ?? {});
      rows.push({ run: 'median', load: '', ...Object.fromEntries(keys.map((k) => [k, round(median(per.map((p) => p[k] as number)))])) });
      // Transposed: one row per stage, one column per run.
      const table: Row[] = keys.map((k) => ({
        'stage (ms from B enqueue call, unless a count)': k,
        ...Object.fromEntries(rows.map((r) => [typeof r.run === 'number' ? `run ${r.run}` : String(r.run), r[k] as number])),
      }));
      table.unshift({
        'stage (ms from B enqueue call, unless a count)': 'load average',
        ...Object.fromEntries(rows.map((r) => [typeof r.run === 'number' ? `run ${r.run}` : String(r.run), r.load as string])),
      });
      printTable(`B behind A, A ${c.jobs.toLocaleString('en')} in ${c.calls} call(s): B's stages (${runs} runs)`, table);
    }
  } finally {
    await server.stop();
  }
}

function round(x: number): number {
  return Number.isFinite(x) ? Number(x.toFixed(1)) : Number.NaN;
}

if (process.env.TRACE_DB_URL) await child();
else await driver();
