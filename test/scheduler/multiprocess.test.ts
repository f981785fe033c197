/**
 * The multi-process scenario, as one timeline of a per-second schedule over
 * about a minute:
 *   - 3 scheduler processes with skewed clocks (-1.5 s, 0, +1.5 s) start;
 *   - ~14 s later one of them is SIGKILLed (possibly inside an evaluation);
 *   - ~12 s later the other two are SIGKILLed: no scheduler is running;
 *   - ~6 s later (more than the 2 s grace period) 3 new processes start (skews +2.5 s, -2.5 s, 0);
 *   - ~26 s later they stop.
 * Then every tick from the first to the last has exactly one row, every enqueued or
 * caught-up tick exactly one job, no job exists without its tick, and the outage's
 * ticks follow each schedule's policy (skip / catch up 3).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rota } from '../../src/index.js';
import { freshDatabase } from '../support/db.js';
import { type Spawned, spawnTs } from '../support/spawn.js';

const db = await freshDatabase();
const rota = new Rota({ connectionString: db.url });
afterAll(() => rota.close());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const GRACE_MS = 2_000;

function startScheduler(skewMs: number): Spawned {
  return spawnTs('test/fixtures/scheduler-process.ts', { DATABASE_URL: db.url, CLOCK_SKEW_MS: String(skewMs), ROTA_LOG_LEVEL: 'error' });
}

async function kill(procs: Spawned[], signal: NodeJS.Signals): Promise<void> {
  for (const p of procs) p.child.kill(signal);
  await Promise.all(procs.map((p) => p.exited));
}

interface TickRow {
  name: string;
  tick_at: Date;
  status: string;
  recorded_at: Date;
  job_id: string | null;
}

let ticks: TickRow[] = [];
let jobs: Array<{ id: string; payload: { s: string } }> = [];
const outage: { from: Date; to: Date } = { from: new Date(0), to: new Date(0) };

beforeAll(async () => {
  await rota.migrate();
  const dbNow = async () => ((await db.sql.query<{ now: Date }>('SELECT now()')).rows[0] as { now: Date }).now;

  const first = [startScheduler(-1_500), startScheduler(0), startScheduler(1_500)];
  await Promise.all(first.map((p) => p.ready));
  // Defined once the schedulers run, so the first ticks are not late because of slow process starts.
  await rota.schedule('per-second-skip', '* * * * * *', 'mp-sched', { s: 'skip' }, { graceMs: GRACE_MS });
  await rota.schedule('per-second-catch-up', '* * * * * *', 'mp-sched', { s: 'catch-up' }, { graceMs: GRACE_MS, onMissed: { catchUp: 3 } });
  await sleep(14_000);
  await kill(first.slice(0, 1), 'SIGKILL');
  await sleep(12_000);
  await kill(first.slice(1), 'SIGKILL');
  outage.from = await dbNow();
  await sleep(6_000);
  const second = [startScheduler(2_500), startScheduler(-2_500), startScheduler(0)];
  await Promise.race(second.map((p) => p.ready));
  outage.to = await dbNow();
  await Promise.all(second.map((p) => p.ready));
  await sleep(26_000);
  await kill(second, 'SIGTERM');

  ticks = (
    await db.sql.query<TickRow>(
      `SELECT s.name, t.tick_at, t.status, t.recorded_at, t.job_id
         FROM rota.schedule_ticks t JOIN rota.schedules s ON s.id = t.schedule_id
        WHERE t.source = 'cron' ORDER BY s.name, t.tick_at`,
    )
  ).rows;
  jobs = (await db.sql.query(`SELECT id, payload FROM rota.jobs WHERE queue = 'mp-sched'`)).rows;
}, 120_000);

const of = (name: string) => ticks.filter((t) => t.name === name);

describe('3 scheduler processes, kills and a restart, over a minute of a per-second schedule', () => {
  it('records every tick exactly once, with no gap', () => {
    for (const name of ['per-second-skip', 'per-second-catch-up']) {
      const rows = of(name);
      expect(rows.length).toBeGreaterThanOrEqual(55);
      const first = (rows[0] as TickRow).tick_at.getTime();
      rows.forEach((r, i) => {
        expect(r.tick_at.getTime()).toBe(first + i * 1000);
      });
    }
  });

  it('enqueues exactly one job per enqueued or caught-up tick, and no other job', () => {
    const withJob = ticks.filter((t) => t.job_id !== null);
    expect(withJob.every((t) => t.status !== 'missed')).toBe(true);
    expect(ticks.filter((t) => t.status !== 'missed').every((t) => t.job_id !== null)).toBe(true);
    expect(new Set(withJob.map((t) => t.job_id)).size).toBe(withJob.length);
    expect(jobs.length).toBe(withJob.length);
    const jobIds = new Set(jobs.map((j) => j.id));
    expect(withJob.every((t) => jobIds.has(t.job_id as string))).toBe(true);
    // Each job carries its own schedule's payload.
    const byId = new Map(jobs.map((j) => [j.id, j.payload.s]));
    for (const t of withJob) expect(byId.get(t.job_id as string)).toBe(t.name === 'per-second-skip' ? 'skip' : 'catch-up');
  });

  it('enqueues on-time ticks within the grace period', () => {
    for (const t of ticks.filter((t) => t.status === 'enqueued')) {
      expect(t.recorded_at.getTime() - t.tick_at.getTime()).toBeLessThanOrEqual(GRACE_MS);
    }
    // Outside the outage nothing was missed, whatever the processes' clocks said.
    const late = ticks.filter((t) => t.status !== 'enqueued');
    for (const t of late) {
      expect(t.tick_at.getTime()).toBeGreaterThan(outage.from.getTime() - 2_000);
      expect(t.tick_at.getTime()).toBeLessThan(outage.to.getTime());
    }
  });

  it('handles the outage per policy: skip records missed ticks; catch-up enqueues the 3 most recent late', async () => {
    const statuses = (name: string) =>
      of(name)
        .map((t) => t.status[0])
        .join('');
    const skip = statuses('per-second-skip');
    expect(skip).toMatch(/^e+m{2,}e+$/);
    const catchUp = statuses('per-second-catch-up');
    expect(catchUp).toMatch(/^e+m*c{3}e+$/);
    const status = await rota.scheduleStatus();
    const byName = new Map(status.map((s) => [s.name, s]));
    expect(byName.get('per-second-skip')?.missedTotal).toBe(skip.replace(/[^m]/g, '').length);
    expect(byName.get('per-second-catch-up')?.missedTotal).toBe(catchUp.replace(/[^mc]/g, '').length);
    const missed = await rota.scheduleCycles({
      status: ['missed', 'caught_up'],
      since: new Date(outage.from.getTime() - 2_000),
      limit: 1000,
    });
    expect(missed.length).toBe(ticks.filter((t) => t.status !== 'enqueued').length);
  });
});
