/**
 * The child side of bench/fairness.ts: one measurement per process (its own event loop
 * and connections), chosen by FAIR_MODE, answered with one `RESULT {json}` line.
 *
 *   ab         worker at FAIR_CONCURRENCY (handlers sleep FAIR_SLEEP_MS); tenant A
 *              bulk-enqueues FAIR_A_JOBS, then tenant B enqueues FAIR_B_JOBS. Reports B's
 *              time from its enqueue to its last job done, and A's (from A's enqueue to
 *              its last job) or, with FAIR_DRAIN=0, A's rate while B ran and after.
 *   weights    tenants w1, w2, w4 (weights 1, 2, 4) with deep backlogs; completions per
 *              tenant over FAIR_WINDOW_MS after FAIR_WARMUP_MS.
 *   rate       one tenant rate-limited to FAIR_RATE per minute, deep backlog; jobs claimed
 *              in FAIR_WINDOW_MS from the first claim.
 *   burndown   FAIR_JOBS no-op jobs over FAIR_TENANTS tenants, bulk-enqueued, then one
 *              worker at FAIR_CONCURRENCY; ms until all are done.
 */
import pg from 'pg';
import { Rota } from '../src/index.js';
import { RESULT_PREFIX } from './proc/protocol.js';

const env = process.env;
const url = env.FAIR_DB_URL as string;
const num = (name: string, dflt: number) => (env[name] === undefined ? dflt : Number(env[name]));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const clock = () => performance.timeOrigin + performance.now();
const QUEUE = 'fair';

function result(value: object): void {
  process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(value)}\n`);
}

async function ab(): Promise<void> {
  const producer = new Rota({ connectionString: url });
  const worker = new Rota({ connectionString: url });
  const aJobs = num('FAIR_A_JOBS', 5000);
  const bJobs = num('FAIR_B_JOBS', 50);
  const sleepMs = num('FAIR_SLEEP_MS', 2);
  const drain = env.FAIR_DRAIN !== '0';
  let aDone = 0;
  let bDone = 0;
  let bLast = 0;
  let aLast = 0;
  let bFirstStart = 0;
  let aDoneAtB = 0;
  worker.work<null>(QUEUE, { concurrency: num('FAIR_CONCURRENCY', 10) }, async (job) => {
    if (job.tenant === 'B' && bFirstStart === 0) bFirstStart = clock();
    await sleep(sleepMs);
    if (job.tenant === 'B') {
      if (++bDone === bJobs) {
        bLast = clock();
        aDoneAtB = aDone;
      }
    } else if (++aDone === aJobs) aLast = clock();
  });
  await sleep(300); // the worker is up and idle
  const aStart = clock();
  await producer.enqueueMany(
    QUEUE,
    Array.from({ length: aJobs }, () => ({ payload: 0, tenant: 'A' })),
  );
  const bStart = clock();
  await producer.enqueueMany(
    QUEUE,
    Array.from({ length: bJobs }, () => ({ payload: 0, tenant: 'B' })),
  );
  while (bDone < bJobs) await sleep(1);
  const aAtB = aDone;
  const out: Record<string, number | null> = {
    bMs: bLast - bStart,
    bFirstStartMs: bFirstStart - bStart,
    aEnqueueMs: bStart - aStart,
    aDoneWhenBDone: aDoneAtB,
  };
  if (drain) {
    while (aDone < aJobs) await sleep(5);
    out.aMs = aLast - aStart;
  } else {
    // A's rate over the next 10 s, for a backlog too deep to wait out.
    const t0 = clock();
    await sleep(num('FAIR_RATE_WINDOW_MS', 10_000));
    out.aRate = ((aDone - aAtB) * 1000) / (clock() - t0);
  }
  await worker.close();
  await producer.close();
  result(out);
}

async function weights(): Promise<void> {
  const setup = new Rota({ connectionString: url });
  const perTenant = num('FAIR_JOBS', 30_000);
  await setup.queue(QUEUE).configure({}, { create: true });
  for (const [tenant, weight] of [
    ['w1', 1],
    ['w2', 2],
    ['w4', 4],
  ] as const) {
    await setup.tenant(QUEUE, tenant).configure({ weight });
    await setup.enqueueMany(
      QUEUE,
      Array.from({ length: perTenant }, () => ({ payload: 0, tenant })),
    );
  }
  await setup.close();
  const counts: Record<string, number> = { w1: 0, w2: 0, w4: 0 };
  let counting = false;
  const worker = new Rota({ connectionString: url });
  const sleepMs = num('FAIR_SLEEP_MS', 2);
  worker.work(QUEUE, { concurrency: num('FAIR_CONCURRENCY', 10) }, async (job) => {
    await sleep(sleepMs);
    if (counting) counts[job.tenant] = (counts[job.tenant] ?? 0) + 1;
  });
  await sleep(num('FAIR_WARMUP_MS', 1000));
  counting = true;
  await sleep(num('FAIR_WINDOW_MS', 10_000));
  counting = false;
  await worker.close();
  result({ counts });
}

async function rate(): Promise<void> {
  const perMinute = num('FAIR_RATE', 450);
  const windowMs = num('FAIR_WINDOW_MS', 120_000);
  const rota = new Rota({ connectionString: url });
  await rota.queue(QUEUE).configure({}, { create: true });
  await rota.tenant(QUEUE, 'metered').configure({ rate: { limit: perMinute, periodMs: 60_000 } });
  await rota.enqueueMany(
    QUEUE,
    Array.from({ length: Math.ceil((perMinute * windowMs) / 60_000) + 200 }, () => ({ payload: 0, tenant: 'metered' })),
  );
  const starts: number[] = [];
  rota.work(QUEUE, { concurrency: 10 }, () => {
    starts.push(clock());
  });
  while (starts.length === 0) await sleep(5);
  await sleep(windowMs + 2000);
  await rota.close();
  const first = starts[0] as number;
  // Claim times (the database's clock): a token is taken when a job is claimed.
  const sql = new pg.Pool({ connectionString: url, max: 1 });
  const claimed = await sql.query<{ n: number }>(
    `WITH c AS (SELECT started_at FROM rota.jobs WHERE queue = $1 AND started_at IS NOT NULL
                UNION ALL SELECT started_at FROM rota.jobs_done WHERE queue = $1)
     SELECT count(*)::int AS n FROM c WHERE started_at < (SELECT min(started_at) FROM c) + $2 * interval '1 millisecond'`,
    [QUEUE, windowMs],
  );
  await sql.end();
  result({
    claimedInWindow: claimed.rows[0]?.n ?? 0,
    startedInWindow: starts.filter((s) => s < first + windowMs).length,
    windowMs,
  });
}

async function burndown(): Promise<void> {
  const jobs = num('FAIR_JOBS', 20_000);
  const tenants = num('FAIR_TENANTS', 1);
  const producer = new Rota({ connectionString: url });
  await producer.migrate();
  await producer.enqueueMany(
    QUEUE,
    Array.from({ length: jobs }, (_, i) => ({ payload: 0, tenant: `t${i % tenants}` })),
  );
  await producer.close();
  const worker = new Rota({ connectionString: url });
  let done = 0;
  const t0 = clock();
  await new Promise<void>((resolve) => {
    worker.work(QUEUE, { concurrency: num('FAIR_CONCURRENCY', 20) }, () => {
      if (++done === jobs) resolve();
    });
  });
  const ms = clock() - t0;
  await worker.close();
  result({ ms });
}

const modes: Record<string, () => Promise<void>> = { ab, weights, rate, burndown };
const mode = modes[env.FAIR_MODE ?? ''];
if (!mode) throw new Error(`FAIR_MODE must be one of ${Object.keys(modes).join(', ')}`);
await mode();
process.exit(0);
