/**
 * The child side of bench/fairness.ts: one measurement per process (its own event loop
 * and connections), chosen by FAIR_MODE, answered with one `RESULT {json}` line.
 *
 *   ab         worker at FAIR_CONCURRENCY (handlers sleep FAIR_SLEEP_MS); tenant A
 *              enqueues FAIR_A_JOBS in FAIR_A_CALLS enqueueMany calls (one by default;
 *              the calls run one after another while the worker runs), then tenant B
 *              enqueues FAIR_B_JOBS. Reports B's time from its enqueue to its last job
 *              done, and A's (from A's enqueue to its last job) or, with FAIR_DRAIN=0,
 *              A's rate over the second before B's enqueue, while B ran, and after.
 *   arrivals   worker at FAIR_CONCURRENCY (handlers sleep FAIR_SLEEP_MS); tenant t0
 *              enqueues a backlog of FAIR_A_JOBS, then tenants t1..tN (FAIR_ARRIVALS)
 *              each enqueue FAIR_ARRIVAL_JOBS, FAIR_ARRIVAL_GAP_MS apart. Reports, per
 *              late tenant, when its first job started against when a round robin over
 *              the tenants with work would have started it on the same start instants
 *              (see roundRobin below), and how many of t0's jobs started in between.
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
  const aCalls = num('FAIR_A_CALLS', 1);
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
  // A's completions over time, for its rate before, while and after B runs.
  const samples: Array<[number, number]> = [];
  const sampler = setInterval(() => samples.push([clock(), aDone]), 10);
  const aStart = clock();
  const perCall = Math.ceil(aJobs / aCalls);
  for (let sent = 0; sent < aJobs; sent += perCall) {
    await producer.enqueueMany(
      QUEUE,
      Array.from({ length: Math.min(perCall, aJobs - sent) }, () => ({ payload: 0, tenant: 'A' })),
    );
  }
  const bStart = clock();
  await producer.enqueueMany(
    QUEUE,
    Array.from({ length: bJobs }, () => ({ payload: 0, tenant: 'B' })),
  );
  while (bDone < bJobs) await sleep(1);
  const aAtB = aDone;
  // A's completions per second over [from, to], from the samples around those times.
  const doneAt = (t: number) => {
    let n = 0;
    for (const [at, d] of samples) if (at <= t) n = d;
    return n;
  };
  const rateOver = (from: number, to: number) => ((doneAt(to) - doneAt(from)) * 1000) / Math.max(1, to - from);
  const out: Record<string, number | null> = {
    bMs: bLast - bStart,
    bFirstStartMs: bFirstStart - bStart,
    aEnqueueMs: bStart - aStart,
    aDoneWhenBDone: aDoneAtB,
    aRateBefore: bStart - aStart >= 1000 ? rateOver(bStart - 1000, bStart) : null,
    aRateDuringB: rateOver(bStart, bLast),
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
  clearInterval(sampler);
  await worker.close();
  await producer.close();
  result(out);
}

/**
 * The ideal the arrivals mode compares with: a round robin over the tenants with work,
 * one job per turn, run on the start instants the worker actually had (so capacity and
 * its gaps are the same, only the order differs). A tenant that arrives joins the end of
 * the turn order, behind every tenant present. Returns each tenant's first start.
 */
function roundRobin(starts: readonly number[], arrivals: ReadonlyArray<{ tenant: string; at: number; jobs: number }>): Map<string, number> {
  const byTime = [...arrivals].sort((x, y) => x.at - y.at);
  const left = new Map<string, number>();
  const turn: string[] = [];
  const first = new Map<string, number>();
  let next = 0;
  for (const t of [...starts].sort((x, y) => x - y)) {
    for (; next < byTime.length && (byTime[next] as { at: number }).at <= t; next++) {
      const a = byTime[next] as { tenant: string; jobs: number };
      if (!left.has(a.tenant)) turn.push(a.tenant);
      left.set(a.tenant, (left.get(a.tenant) ?? 0) + a.jobs);
    }
    const tenant = turn.shift();
    if (tenant === undefined) continue; // an idle instant in the ideal too
    if (!first.has(tenant)) first.set(tenant, t);
    const n = (left.get(tenant) ?? 0) - 1;
    if (n > 0) {
      left.set(tenant, n);
      turn.push(tenant);
    } else left.delete(tenant);
  }
  return first;
}

async function arrivals(): Promise<void> {
  const producer = new Rota({ connectionString: url });
  const worker = new Rota({ connectionString: url });
  const backlog = num('FAIR_A_JOBS', 20_000);
  const late = num('FAIR_ARRIVALS', 50);
  const perLate = num('FAIR_ARRIVAL_JOBS', 5);
  const gapMs = num('FAIR_ARRIVAL_GAP_MS', 20);
  const sleepMs = num('FAIR_SLEEP_MS', 2);
  const starts: Array<{ tenant: string; at: number }> = [];
  let lateDone = 0;
  worker.work<null>(QUEUE, { concurrency: num('FAIR_CONCURRENCY', 10) }, async (job) => {
    starts.push({ tenant: job.tenant, at: clock() });
    await sleep(sleepMs);
    if (job.tenant !== 't0') lateDone++;
  });
  await sleep(300); // the worker is up and idle
  const arrived: Array<{ tenant: string; at: number; jobs: number }> = [];
  await producer.enqueueMany(
    QUEUE,
    Array.from({ length: backlog }, () => ({ payload: 0, tenant: 't0' })),
  );
  arrived.push({ tenant: 't0', at: clock(), jobs: backlog });
  for (let i = 1; i <= late; i++) {
    await sleep(gapMs);
    const tenant = `t${i}`;
    await producer.enqueueMany(
      QUEUE,
      Array.from({ length: perLate }, () => ({ payload: 0, tenant })),
    );
    // Committed when enqueueMany returns: from then on a worker may start them.
    arrived.push({ tenant, at: clock(), jobs: perLate });
  }
  while (lateDone < late * perLate) await sleep(5);
  await worker.close();
  await producer.close();
  const ideal = roundRobin(
    starts.map((x) => x.at),
    arrived,
  );
  const firstStart = new Map<string, number>();
  for (const x of starts) if (!firstStart.has(x.tenant)) firstStart.set(x.tenant, x.at);
  const backlogStarts = starts.filter((x) => x.tenant === 't0').map((x) => x.at);
  const tenants = arrived.slice(1).map((a) => {
    const actual = firstStart.get(a.tenant) as number;
    return {
      tenant: a.tenant,
      waitMs: actual - a.at,
      idealWaitMs: (ideal.get(a.tenant) as number) - a.at,
      lateMs: actual - (ideal.get(a.tenant) as number),
      backlogAhead: backlogStarts.filter((t) => t > a.at && t < actual).length,
    };
  });
  const backlogLeft = backlog - backlogStarts.filter((t) => t <= (arrived.at(-1) as { at: number }).at).length;
  result({ tenants, backlogLeft });
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

const modes: Record<string, () => Promise<void>> = { ab, arrivals, weights, rate, burndown };
const mode = modes[env.FAIR_MODE ?? ''];
if (!mode) throw new Error(`FAIR_MODE must be one of ${Object.keys(modes).join(', ')}`);
await mode();
process.exit(0);
