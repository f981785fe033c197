/**
 * The one worker process used by the multi-process tests, the chaos scenarios and the
 * benchmarks (spawned with tsx by harness/spawn.ts).
 *
 * Environment:
 *   DATABASE_URL   database to work (already migrated)
 *   QUEUE          queue to work (default 'work')
 *   CONCURRENCY    default 10
 *   ROTA_OPTIONS   JSON merged into the Rota options (leaseMs, guard, workerId, ...)
 *   WORK_OPTIONS   JSON merged into the work options (default retry: 50 ms base, 500 ms cap)
 *   JOB_MS         handler sleep per job (default 0); a payload { ms } overrides it
 *   IGNORE_PAYLOAD_MS=1  ignore the payload's { ms } (a process that runs "hanging" jobs at once)
 *   BLOCK_MS       busy-wait per job, blocking the event loop (default 0)
 *   HEAVY_QUEUE    also work this queue (concurrency 1) with a handler that busy-waits
 *                  HEAVY_MS (default 300) per job: a CPU-bound job type sharing the process
 *   DOWNSTREAM     URL the handler calls (GET); a non-2xx answer fails the job
 *   BREAKER        with DOWNSTREAM: name of the dependency breaker to declare (ctx.breaker)
 *   RUNS_FILE      every handler run appends "jobId attempt pid epochMs" here, synchronously,
 *                  before the handler returns: the record survives SIGKILL and database outages
 *   RUNS_TABLE=1   every handler run inserts (job_id, attempt, tenant, pid, started, ended) into
 *                  public.runs before the handler returns, so how many ran at once can be
 *                  rebuilt: epoch ms with sub-ms precision, comparable across processes
 *   EXIT_WHEN_DRAINED=1  stop and exit 0 once the queue has no unfinished job
 *
 * Prints "ready" once working, and one JSON line per resilience event
 * ({"event":"breaker:state",...}). SIGTERM stops gracefully.
 */
import { appendFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { Rota } from '../src/index.js';

const env = process.env;
const url = env.DATABASE_URL as string;
const queue = env.QUEUE ?? 'work';
const jobMs = Number(env.JOB_MS ?? 0);
const payloadMs = env.IGNORE_PAYLOAD_MS !== '1';
const blockMs = Number(env.BLOCK_MS ?? 0);
const runsFile = env.RUNS_FILE;
const downstream = env.DOWNSTREAM;
const breaker = env.BREAKER;

const busy = (ms: number) => {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // busy: blocks the event loop on purpose
  }
};
const clock = () => performance.timeOrigin + performance.now();

/** Run records in public.runs, written in batches so the recorder is not the bottleneck. */
class RunTable {
  private readonly pool = new pg.Pool({ connectionString: url, max: 1 });
  private readonly pending: Array<{ id: string; attempt: number; tenant: string; started: number; ended: number }> = [];
  private flushing: Promise<void> | null = null;

  async create(): Promise<void> {
    // Several processes start at once: CREATE TABLE IF NOT EXISTS is not safe against
    // itself (both can pass the check and collide in the catalog), so serialise it.
    const c = await this.pool.connect();
    try {
      await c.query('BEGIN');
      await c.query("SELECT pg_advisory_xact_lock(hashtext('rota-test-runs'))");
      await c.query(
        `CREATE TABLE IF NOT EXISTS public.runs (job_id bigint NOT NULL, attempt int NOT NULL, tenant text NOT NULL, pid int NOT NULL,
                                                 started double precision NOT NULL, ended double precision NOT NULL)`,
      );
      await c.query('COMMIT');
    } finally {
      c.release();
    }
  }

  /** Resolves once this run (and any before it) is stored. */
  record(run: RunTable['pending'][number]): Promise<void> {
    this.pending.push(run);
    this.flushing ??= this.flush().finally(() => {
      this.flushing = null;
    });
    return this.flushing;
  }

  private async flush(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, 500);
      await this.pool.query(
        `INSERT INTO public.runs (job_id, attempt, tenant, pid, started, ended)
         SELECT j, a, t, $4, s, e FROM unnest($1::bigint[], $2::int[], $3::text[], $5::float8[], $6::float8[]) AS x(j, a, t, s, e)`,
        [
          batch.map((b) => b.id),
          batch.map((b) => b.attempt),
          batch.map((b) => b.tenant),
          process.pid,
          batch.map((b) => b.started),
          batch.map((b) => b.ended),
        ],
      );
    }
  }

  end(): Promise<void> {
    return this.pool.end();
  }
}

const table = env.RUNS_TABLE === '1' ? new RunTable() : null;
await table?.create();

const rota = new Rota({ connectionString: url, ...JSON.parse(env.ROTA_OPTIONS ?? '{}') });
const say = (o: object) => process.stdout.write(`${JSON.stringify({ ...o, pid: process.pid, at: Date.now() })}\n`);
rota.on('breaker:state', (e) => say({ event: 'breaker:state', name: e.name, from: e.from, to: e.to, reason: e.reason }));
rota.on('guard:state', (s) => say({ event: 'guard:state', overloaded: s.overloaded, reasons: s.reasons, lagMs: s.sample.eventLoopLagMs }));
rota.on('pool:exhausted', (e) => say({ event: 'pool:exhausted', ...e }));

rota.work<{ ms?: number } | null>(
  queue,
  { concurrency: Number(env.CONCURRENCY ?? 10), retry: { baseMs: 50, maxMs: 500 }, ...JSON.parse(env.WORK_OPTIONS ?? '{}') },
  async (job, ctx) => {
    const started = clock();
    if (runsFile) appendFileSync(runsFile, `${job.id} ${job.attempt} ${process.pid} ${Date.now()}\n`);
    if (blockMs > 0) busy(blockMs);
    const payload = job.payload !== null && typeof job.payload === 'object' ? job.payload : null;
    const ms = (payloadMs ? payload?.ms : undefined) ?? jobMs;
    if (ms > 0) await sleep(ms, undefined, { signal: ctx.signal });
    if (downstream) {
      if (breaker) await ctx.breaker(breaker);
      const res = await fetch(downstream, { signal: ctx.signal });
      if (!res.ok) throw new Error(`downstream answered ${res.status}`);
    }
    // The run is recorded before the handler returns, so a recorded run always precedes its completion.
    await table?.record({ id: job.id, attempt: job.attempt, tenant: job.tenant, started, ended: clock() });
    return null;
  },
);
const heavyQueue = env.HEAVY_QUEUE;
if (heavyQueue) {
  const heavyMs = Number(env.HEAVY_MS ?? 300);
  rota.work(heavyQueue, { concurrency: 1 }, async () => {
    busy(heavyMs);
    return null;
  });
}

async function stop(): Promise<void> {
  await rota.close();
  await table?.end();
  process.exit(0);
}

process.stdout.write('ready\n');
process.on('SIGTERM', () => void stop());

if (env.EXIT_WHEN_DRAINED === '1') {
  for (;;) {
    await sleep(50);
    const left = await rota.counts();
    if (!left.some((c) => c.queue === queue && ['available', 'scheduled', 'running'].includes(c.state) && c.count > 0)) break;
  }
  await stop();
}
