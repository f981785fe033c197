/**
 * Child process of the engine benchmarks (bench/tenants.ts, bench/urgent.ts,
 * bench/recovery.ts). ENGINE_* variables say what to do; it prints one RESULT line
 * (bench/proc/protocol.ts's prefix) and exits, except in 'hold' mode (recovery), which
 * works until killed.
 *   ENGINE_DB_URL   database
 *   ENGINE_MODE     setup | burndown | urgent | hold
 *   ENGINE_JOBS     jobs to enqueue (setup) / burn down
 *   ENGINE_TENANTS  setup: spread the jobs over this many tenants (round robin)
 *   ENGINE_ORDER    setup: `blocked` enqueues each tenant's jobs together instead (a diagnostic of
 *                   bench/experiments/profile-tenants.ts: what the interleaved order costs)
 *   ENGINE_SAMPLES  urgent: urgent jobs enqueued one at a time, ENGINE_GAP_MS apart
 */
import pg from 'pg';
import { type Job, Rota } from '../src/index.js';
import { PROBE_APP, RESULT_PREFIX } from './proc/protocol.js';

const env = (name: string, fallback?: string): string => {
  const v = process.env[name] ?? fallback;
  if (v === undefined) throw new Error(`${name} is not set`);
  return v;
};
const url = env('ENGINE_DB_URL');
const mode = env('ENGINE_MODE');
const jobs = Number(env('ENGINE_JOBS', '0'));
const CONCURRENCY = 20;
const QUEUE = 'bench';
const silent = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const done = (result: object) => {
  process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(result)}\n`);
  process.exit(0);
};

async function setup(): Promise<void> {
  const rota = new Rota({ connectionString: url, logger: silent });
  await rota.migrate();
  const tenants = Number(env('ENGINE_TENANTS', '1'));
  const blocked = env('ENGINE_ORDER', 'interleaved') === 'blocked';
  const tenantOf = (i: number) => (blocked ? Math.floor((i * tenants) / jobs) : i % tenants);
  for (let i = 0; i < jobs; i += 1_000) {
    const n = Math.min(1_000, jobs - i);
    await rota.enqueueMany(
      QUEUE,
      Array.from({ length: n }, (_, k) => ({ payload: { i: i + k }, tenant: `t${tenantOf(i + k)}` })),
    );
  }
  await rota.close();
  done({ mode: 'setup' });
}

/** A cold worker burns `jobs` down; the clock stops when the database holds none live. */
async function burndown(): Promise<void> {
  const probe = new pg.Client({ connectionString: url, application_name: PROBE_APP });
  await probe.connect();
  const worker = new Rota({ connectionString: url, logger: silent });
  let left = jobs;
  let resolve = () => {};
  const handled = new Promise<void>((r) => {
    resolve = r;
  });
  const started = performance.now();
  const cpu0 = process.cpuUsage();
  worker.work(QUEUE, { concurrency: CONCURRENCY }, () => {
    if (--left === 0) resolve();
    return null;
  });
  await handled;
  for (;;) {
    const r = await probe.query<{ n: number }>('SELECT count(*)::int AS n FROM rota.jobs');
    if ((r.rows[0]?.n ?? 1) === 0) break;
    await sleep(1);
  }
  const ms = performance.now() - started;
  // The worker process's CPU (user + system, µs) from work() to the last job gone.
  const cpu = process.cpuUsage(cpu0);
  const claims = worker.stats().claims;
  await worker.close();
  await probe.end();
  done({ mode: 'burndown', ms, claims, nodeCpuUs: cpu.user + cpu.system });
}

/**
 * A worker burning down a backlog of no-op normal jobs (so its buffer holds thousands);
 * urgent jobs enqueued one at a time meanwhile: handler start measured from the enqueue
 * call and from its return (the commit acknowledged: the handler can start before it,
 * since the NOTIFY is delivered at commit), and how many jobs the worker held (buffered
 * + running) just before each enqueue.
 */
async function urgent(): Promise<void> {
  const samples = Number(env('ENGINE_SAMPLES', '40'));
  const gapMs = Number(env('ENGINE_GAP_MS', '25'));
  const probe = new pg.Client({ connectionString: url, application_name: PROBE_APP });
  await probe.connect();
  const producer = new Rota({ connectionString: url, logger: silent });
  const worker = new Rota({ connectionString: url, logger: silent });
  const called: number[] = [];
  const returned: number[] = [];
  const startedAt: number[] = [];
  const held: number[] = [];
  // ENGINE_SPLIT=1: each urgent enqueue as BEGIN, the insert, COMMIT on one connection,
  // timing the insert and the commit apart (three round trips instead of one).
  const split = process.env.ENGINE_SPLIT === '1';
  const insertMs: number[] = [];
  const commitMs: number[] = [];
  let normalDone = 0;
  worker.work<{ u?: number }>(QUEUE, { concurrency: CONCURRENCY }, (job: Job<{ u?: number }>) => {
    if (job.payload.u !== undefined) startedAt[job.payload.u] = performance.now();
    else normalDone++;
    return null;
  });
  // Wait until the worker holds thousands of claimed normal jobs.
  const heldNow = async () =>
    (await probe.query<{ n: number }>("SELECT count(*)::int AS n FROM rota.jobs WHERE state = 'running'")).rows[0]?.n ?? 0;
  const deadline = Date.now() + 10_000;
  while ((await heldNow()) < 1_000 && Date.now() < deadline) await sleep(5);
  const sampling = { t: performance.now(), done: normalDone };
  for (let i = 0; i < samples; i++) {
    held.push(await heldNow());
    called[i] = performance.now();
    if (split) {
      const c = await producer.pool.connect();
      try {
        await c.query('BEGIN');
        const t = performance.now();
        await producer.enqueue(QUEUE, { u: i }, { priority: 'urgent', client: c });
        const t2 = performance.now();
        await c.query('COMMIT');
        insertMs.push(t2 - t);
        commitMs.push(performance.now() - t2);
      } finally {
        c.release();
      }
    } else await producer.enqueue(QUEUE, { u: i }, { priority: 'urgent' });
    returned[i] = performance.now();
    await sleep(gapMs);
  }
  // The backlog's rate while urgent work arrived: what claiming for it costs the rest.
  const normalPerSec = ((normalDone - sampling.done) * 1000) / (performance.now() - sampling.t);
  const wait = Date.now() + 10_000;
  while (startedAt.filter((t) => t !== undefined).length < samples && Date.now() < wait) await sleep(5);
  await worker.close();
  await producer.close();
  await probe.end();
  const ran = [...called.keys()].filter((i) => startedAt[i] !== undefined);
  done({
    mode: 'urgent',
    latencies: ran.map((i) => (startedAt[i] as number) - (called[i] as number)),
    fromReturn: ran.map((i) => (startedAt[i] as number) - (returned[i] as number)),
    held,
    enqueueMs: called.map((t, i) => (returned[i] as number) - t),
    normalPerSec,
    ...(split ? { insertMs, commitMs } : {}),
  });
}

/** Recovery: a worker whose first attempts never end (the victim); later attempts finish at once. */
async function hold(): Promise<void> {
  const worker = new Rota({ connectionString: url, logger: silent });
  worker.work(QUEUE, { concurrency: Number(env('ENGINE_CONCURRENCY', String(CONCURRENCY))) }, async (job) => {
    if (job.attempt === 1 && process.env.ENGINE_VICTIM === '1') await sleep(3_600_000);
    return null;
  });
  process.stdout.write('ready\n');
  await new Promise(() => {});
}

switch (mode) {
  case 'setup':
    await setup();
    break;
  case 'burndown':
    await burndown();
    break;
  case 'urgent':
    await urgent();
    break;
  case 'hold':
    await hold();
    break;
  default:
    throw new Error(`unknown ENGINE_MODE ${mode}`);
}
