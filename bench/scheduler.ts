/**
 * The scheduler's database cost with 1,000 schedules (issue #5):
 * - all due at once: 1,000 per-second schedules, so every second is a tick of all of them
 *   (one expression: the evaluator computes the shared plan once);
 * - no two alike: the same, but every (expression, time zone) differs, so every next
 *   tick is computed (croner, ~50 µs each);
 * - spread: 1,000 schedules, each once a minute at its own second (~17 due per second);
 * - idle: 1,000 schedules none of which is due (the cost of polling);
 * - 3 schedulers: the all-due case with three evaluators racing for the same rows;
 * - settle: copying 1,000 finished jobs' outcomes into their cycles (one statement).
 * Figures per second of schedule time (= per tick of a per-second cron): statements
 * sent to the server (counted on the client: every query round trip; BEGIN carries its
 * SET LOCAL in the same round trip), evaluation transactions, ms per evaluation (claim
 * to commit, measured by the scheduler itself), and the cycles recorded. Each run uses
 * a fresh database; medians of `runs` runs. No workers run during the tick phases
 * (jobs accumulate in `jobs`), and settling is measured on its own.
 */
import pg from 'pg';
import { Rota, type SchedulerHandle } from '../src/index.js';
import { settleCycles } from '../src/scheduler/cycles.js';
import { loadSchedulerSql } from '../src/scheduler/deps.js';
import { type BenchServer, databaseName, dropDatabase, median, printTable, sleep } from './lib.js';
import type { BenchOptions } from './scenario.js';

export const name = 'scheduler';

const SCHEDULES = 1_000;
const QUEUE = 'bench-sched';

/**
 * 1,000 per-second schedules whose (expression, time zone) all differ, so the
 * evaluator cannot share a plan between them: the cost of computing every next tick.
 */
const ZONES = Intl.supportedValuesOf('timeZone');
const FORMS = ['* * * * * *', '*/1 * * * * *', '0-59 * * * * *'];
const DISTINCT = FORMS.flatMap((f) => ZONES.map((z) => `${f}|${z}`)).slice(0, SCHEDULES);

interface Counted {
  pool: pg.Pool;
  statements: () => number;
}

/** A pool whose connections count the queries they send. */
function countingPool(url: string, max: number): Counted {
  const pool = new pg.Pool({ connectionString: url, max, application_name: 'rota-bench' });
  let n = 0;
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      n++;
      return query(...args);
    };
  });
  return { pool, statements: () => n };
}

async function defineSchedules(rota: Rota, cron: (i: number) => string): Promise<void> {
  const ids = Array.from({ length: SCHEDULES }, (_, i) => i);
  for (let i = 0; i < ids.length; i += 50) {
    await Promise.all(
      ids.slice(i, i + 50).map((k) => {
        const [expression, timeZone] = cron(k).split('|');
        return rota.schedule(`s${String(k).padStart(4, '0')}`, expression as string, QUEUE, { k }, { timeZone });
      }),
    );
  }
}

interface PhaseResult {
  seconds: number;
  statements: number;
  evaluations: number;
  evaluationMs: number;
  cycles: number;
}

/** Runs `schedulers` evaluation loops for `seconds` after a warm-up, returns what they cost. */
async function measure(url: string, cron: (i: number) => string, schedulers: number, seconds: number): Promise<PhaseResult> {
  const setup = new Rota({ connectionString: url });
  await setup.migrate();
  await defineSchedules(setup, cron);
  await setup.close();

  const counted = Array.from({ length: schedulers }, () => countingPool(url, 2));
  const rotas = counted.map((c) => new Rota({ pool: c.pool }));
  // Settling and pruning are left out of the tick cost (measured separately).
  const handles: SchedulerHandle[] = rotas.map((r) => r.startScheduler({ settleIntervalMs: 3_600_000 }));
  await sleep(2_000); // warm-up: connections open, first ticks handled
  const snapshot = () => ({
    statements: counted.reduce((s, c) => s + c.statements(), 0),
    evaluations: handles.reduce((s, h) => s + h.stats.evaluations, 0),
    evaluationMs: handles.reduce((s, h) => s + h.stats.evaluationMs, 0),
    cycles: handles.reduce((s, h) => s + h.stats.enqueued + h.stats.caughtUp + h.stats.missed, 0),
  });
  const a = snapshot();
  const started = performance.now();
  await sleep(seconds * 1_000);
  const b = snapshot();
  const elapsed = (performance.now() - started) / 1_000;
  await Promise.all(handles.map((h) => h.stop()));
  await Promise.all(rotas.map((r) => r.close()));
  await Promise.all(counted.map((c) => c.pool.end()));
  return {
    seconds: elapsed,
    statements: b.statements - a.statements,
    evaluations: b.evaluations - a.evaluations,
    evaluationMs: b.evaluationMs - a.evaluationMs,
    cycles: b.cycles - a.cycles,
  };
}

/** Polls `check` until it is true; throws after `timeoutMs` so a stuck run cannot hang the benchmark. */
async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`scheduler bench: timed out waiting for ${what}`);
    await sleep(200);
  }
}

/**
 * Records about `n` cycles, finishes their jobs (cancelled: the outcome look-up costs
 * the same for every final state, and no worker is needed), then times one settle
 * statement over all of them.
 */
async function measureSettle(url: string, n: number): Promise<{ ms: number; settled: number }> {
  const rota = new Rota({ connectionString: url, poolSize: 4 });
  try {
    await rota.migrate();
    await defineSchedules(rota, () => '* * * * * *');
    const count = async (q: string) => Number((await rota.pool.query<{ n: string }>(q)).rows[0]?.n ?? 0);
    const handle = rota.startScheduler({ settleIntervalMs: 3_600_000 });
    await until(async () => (await count('SELECT count(*) AS n FROM rota.schedule_ticks')) >= n, 60_000, `${n} cycles`);
    await handle.stop();
    const jobs = await rota.pool.query<{ id: string }>('SELECT id FROM rota.jobs WHERE queue = $1', [QUEUE]);
    for (let i = 0; i < jobs.rows.length; i += 20) await Promise.all(jobs.rows.slice(i, i + 20).map((j) => rota.cancel(j.id)));
    const open = await count('SELECT count(*) AS n FROM rota.schedule_ticks WHERE job_id IS NOT NULL AND outcome IS NULL');
    const started = performance.now();
    const settled = await settleCycles({ pool: rota.pool, sql: loadSchedulerSql('rota') }, open);
    return { ms: performance.now() - started, settled };
  } finally {
    await rota.close();
  }
}

export async function run(server: BenchServer, opts: BenchOptions): Promise<void> {
  const seconds = opts.quick ? 5 : 10;
  const phases: Array<{ label: string; cron: (i: number) => string; schedulers: number }> = [
    { label: '1,000 due every second', cron: () => '* * * * * *', schedulers: 1 },
    { label: '1,000 due every second, 3 schedulers', cron: () => '* * * * * *', schedulers: 3 },
    { label: '1,000 due every second, no two alike', cron: (i) => DISTINCT[i] as string, schedulers: 1 },
    { label: '1,000 once a minute, spread (~17 due/s)', cron: (i) => `${i % 60} * * * * *`, schedulers: 1 },
    { label: '1,000 idle (none due)', cron: () => '0 0 1 1 *', schedulers: 1 },
  ];
  const rows = [];
  for (const phase of phases) {
    const results: PhaseResult[] = [];
    for (let r = 0; r < opts.runs; r++) {
      const url = await server.freshDatabase('sched');
      try {
        results.push(await measure(url, phase.cron, phase.schedulers, seconds));
      } finally {
        await dropDatabase(server.adminUrl, databaseName(url));
      }
    }
    const per = (f: (x: PhaseResult) => number) => median(results.map(f));
    rows.push({
      scenario: phase.label,
      'cycles/s': per((x) => x.cycles / x.seconds),
      'statements/s': per((x) => x.statements / x.seconds),
      'evaluations/s': per((x) => x.evaluations / x.seconds),
      'statements/1k cycles': per((x) => (x.cycles ? (1000 * x.statements) / x.cycles : 0)),
      'ms/evaluation': per((x) => (x.evaluations ? x.evaluationMs / x.evaluations : 0)),
      'ms/s evaluating': per((x) => x.evaluationMs / x.seconds),
    });
  }
  printTable(
    `scheduler: database cost with ${SCHEDULES.toLocaleString('en')} schedules (${seconds} s per run, medians of ${opts.runs})`,
    rows,
  );

  const settleRows = [];
  const settle: Array<{ ms: number; settled: number }> = [];
  for (let r = 0; r < opts.runs; r++) {
    const url = await server.freshDatabase('sched');
    try {
      settle.push(await measureSettle(url, 3 * SCHEDULES));
    } finally {
      await dropDatabase(server.adminUrl, databaseName(url));
    }
  }
  settleRows.push({
    'cycles settled (one statement)': median(settle.map((s) => s.settled)),
    ms: median(settle.map((s) => s.ms)),
    'µs/cycle': median(settle.map((s) => (s.ms * 1000) / Math.max(1, s.settled))),
  });
  printTable('scheduler: settling finished jobs into their cycles', settleRows);
}
