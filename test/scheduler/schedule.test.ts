import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PermanentError, Rota, type ScheduleTickEvent, ValidationError } from '../../src/index.js';
import { freshDatabase, waitFor } from '../support/db.js';

const db = await freshDatabase();
const rota = new Rota({ connectionString: db.url, poolSize: 4 });
afterAll(() => rota.close());
beforeAll(() => rota.migrate());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function dbNow(): Promise<Date> {
  return ((await db.sql.query<{ now: Date }>('SELECT now()')).rows[0] as { now: Date }).now;
}

interface Row {
  tick_at: Date;
  source: string;
  status: string;
  job_id: string | null;
}
async function cycles(name: string, source = 'cron'): Promise<Row[]> {
  const res = await db.sql.query<Row>(
    `SELECT t.tick_at, t.source, t.status, t.job_id FROM rota.schedule_ticks t JOIN rota.schedules s ON s.id = t.schedule_id
      WHERE s.name = $1 AND t.source = $2 ORDER BY t.tick_at`,
    [name, source],
  );
  return res.rows;
}
async function jobCount(queue: string): Promise<number> {
  const res = await db.sql.query<{ n: number }>(
    `SELECT ((SELECT count(*) FROM rota.jobs WHERE queue = $1) + (SELECT count(*) FROM rota.jobs_done WHERE queue = $1))::int AS n`,
    [queue],
  );
  return (res.rows[0] as { n: number }).n;
}
function contiguous(rows: Row[]): boolean {
  return rows.every((r, i) => i === 0 || r.tick_at.getTime() - (rows[i - 1] as Row).tick_at.getTime() === 1000);
}
function fieldOf(err: unknown): string {
  if (err instanceof ValidationError) return err.field;
  throw err;
}

describe('defining schedules', () => {
  it('stores a schedule; redefining it unchanged keeps its next tick, changing the cron moves it', async () => {
    const a = await rota.schedule('nightly', '30 2 * * *', 'reports', { kind: 'daily' }, { timeZone: 'Europe/Berlin', tenant: 'acme' });
    expect(a).toMatchObject({
      name: 'nightly',
      cron: '30 2 * * *',
      timeZone: 'Europe/Berlin',
      queue: 'reports',
      payload: { kind: 'daily' },
      tenant: 'acme',
      priority: 'normal',
      enabled: true,
      onMissed: 'skip',
      graceMs: 30_000,
    });
    expect(a.nextRunAt?.getTime()).toBeGreaterThan(Date.now() - 60_000);
    const again = await rota.schedule(
      'nightly',
      '30 2 * * *',
      'reports',
      { kind: 'daily', v: 2 },
      { timeZone: 'Europe/Berlin', tenant: 'acme' },
    );
    expect(again.nextRunAt).toEqual(a.nextRunAt);
    expect(again.payload).toEqual({ kind: 'daily', v: 2 });
    const hourly = await rota.schedule('nightly', '0 * * * *', 'reports', { kind: 'daily' });
    expect(hourly.nextRunAt?.getUTCMinutes()).toBe(0);
    expect(hourly.nextRunAt).not.toEqual(a.nextRunAt);
    expect((await rota.schedules()).map((s) => s.name)).toEqual(['nightly']);
    expect(await rota.unschedule('nightly')).toBe(true);
    expect(await rota.unschedule('nightly')).toBe(false);
  });

  it('rejects bad input with an error naming the field, and stores nothing', async () => {
    const cases: Array<[string, () => Promise<unknown>]> = [
      ['cron', () => rota.schedule('x', '61 * * * *', 'q', {})],
      ['cron', () => rota.schedule('x', '* * *', 'q', {})],
      ['cron', () => rota.schedule('x', '0 0 30 2 *', 'q', {})], // 30 February: never fires
      ['timeZone', () => rota.schedule('x', '* * * * *', 'q', {}, { timeZone: 'Europe/Atlantis' })],
      ['queue', () => rota.schedule('x', '* * * * *', '', {})],
      ['queue', () => rota.schedule('x', '* * * * *', 'q'.repeat(129), {})],
      ['queue', () => rota.schedule('x', '* * * * *', 'nobody-works-this', {}, { requireKnownQueue: true })],
      ['name', () => rota.schedule('', '* * * * *', 'q', {})],
      ['payload', () => rota.schedule('x', '* * * * *', 'q', undefined)],
      ['priority', () => rota.schedule('x', '* * * * *', 'q', {}, { priority: 'asap' as never })],
      ['onMissed', () => rota.schedule('x', '* * * * *', 'q', {}, { onMissed: 'catch-up' as never })],
      ['onMissed.catchUp', () => rota.schedule('x', '* * * * *', 'q', {}, { onMissed: { catchUp: 0 } })],
      ['graceMs', () => rota.schedule('x', '* * * * *', 'q', {}, { graceMs: -1 })],
      ['jitterMs', () => rota.schedule('x', '* * * * *', 'q', {}, { jitterMs: 1.5 })],
      ['tz', () => rota.schedule('x', '* * * * *', 'q', {}, { tz: 'UTC' } as never)],
    ];
    for (const [field, attempt] of cases) {
      const err = await attempt().then(
        () => new Error(`expected a ValidationError for ${field}`),
        (e: unknown) => e,
      );
      expect(fieldOf(err), String(err)).toBe(field);
    }
    expect(await rota.schedules()).toEqual([]);
  });

  it('requireKnownQueue accepts a queue a live worker serves', async () => {
    // Another process's worker, as in production.
    const other = new Rota({ connectionString: db.url });
    other.work('known-q', {}, async () => null);
    await waitFor(async () => (await rota.workers()).some((w) => w.queues.includes('known-q')), 10_000, 'worker registration');
    const s = await rota.schedule('known', '0 * * * *', 'known-q', {}, { requireKnownQueue: true });
    expect(s.queue).toBe('known-q');
    await other.close();
    await rota.unschedule('known');
  });
});

describe('missed ticks (no scheduler was running)', () => {
  it('records ticks older than the grace period as missed, catches up the most recent N, and says so', async () => {
    await rota.schedule('late', '* * * * * *', 'late-q', {}, { graceMs: 1_000, onMissed: { catchUp: 2 } });
    // As if every scheduler had been down for the last 10 ticks.
    await db.sql.query(`UPDATE rota.schedules SET next_tick_at = next_tick_at - interval '10 seconds' WHERE name = 'late'`);
    const events: ScheduleTickEvent[] = [];
    const onMissed = (e: ScheduleTickEvent) => events.push(e);
    rota.on('schedule:missed', onMissed);
    const handle = rota.startScheduler();
    const rows = await waitFor(async () => {
      const r = await cycles('late');
      return r.filter((x) => x.status === 'enqueued').length >= 2 ? r : null;
    });
    await handle.stop();
    rota.off('schedule:missed', onMissed);

    expect(contiguous(rows)).toBe(true);
    const pattern = rows.map((r) => r.status[0]).join('');
    expect(pattern).toMatch(/^m{5,}c{2}e+$/);
    expect(rows.every((r) => (r.status === 'missed') === (r.job_id === null))).toBe(true);
    expect(await jobCount('late-q')).toBe(rows.filter((r) => r.job_id !== null).length);
    const late = rows.filter((r) => r.status !== 'enqueued');
    expect(events.map((e) => e.tickAt)).toEqual(late.map((r) => r.tick_at));
    expect(handle.stats).toMatchObject({ missed: pattern.split('m').length - 1, caughtUp: 2 });

    const [status] = await rota.scheduleStatus({ name: 'late' });
    expect(status?.missedTotal).toBe(late.length);
    expect(status?.lastMissedAt).toEqual(late.at(-1)?.tick_at);
    const listed = await rota.scheduleCycles({ schedule: 'late', status: ['missed', 'caught_up'] });
    expect(listed.map((c) => c.tickAt).reverse()).toEqual(late.map((r) => r.tick_at));
  });

  it('a cursor that goes back over recorded ticks enqueues nothing for them: the tick key decides, not the lock', async () => {
    const before = await cycles('late');
    const jobsBefore = await jobCount('late-q');
    await db.sql.query(`UPDATE rota.schedules SET next_tick_at = next_tick_at - interval '5 seconds' WHERE name = 'late'`);
    const handle = rota.startScheduler();
    const after = await waitFor(async () => {
      const r = await cycles('late');
      return r.length >= before.length + 2 ? r : null;
    });
    await handle.stop();
    expect(contiguous(after)).toBe(true);
    // The old rows are untouched and every job belongs to exactly one row.
    expect(after.slice(0, before.length)).toEqual(before);
    const final = await cycles('late');
    expect(await jobCount('late-q')).toBe(final.filter((r) => r.job_id !== null).length);
    expect(await jobCount('late-q')).toBeGreaterThan(jobsBefore);
    await rota.unschedule('late');
  });
});

describe('a running scheduler', () => {
  let handle: ReturnType<typeof rota.startScheduler>;
  beforeAll(() => {
    handle = rota.startScheduler();
  });
  afterAll(() => handle.stop());

  it('enqueues one job per tick; disabling stops it within a poll, enabling resumes without missed ticks, removing stops it', async () => {
    await rota.schedule('toggle', '* * * * * *', 'toggle-q', { n: 1 });
    await waitFor(async () => (await cycles('toggle')).length >= 2);
    expect(await rota.setScheduleEnabled('toggle', false)).toBe(true);
    const disabledAt = await dbNow();
    await sleep(2_500);
    const whileDisabled = await cycles('toggle');
    expect(whileDisabled.every((r) => r.tick_at <= disabledAt)).toBe(true);
    expect((await rota.schedules()).find((s) => s.name === 'toggle')?.nextRunAt).toBeNull();

    expect(await rota.setScheduleEnabled('toggle', true)).toBe(true);
    const resumed = await waitFor(async () => {
      const r = await cycles('toggle');
      return r.length >= whileDisabled.length + 2 ? r : null;
    });
    // Ticks while disabled were never due: not recorded, not missed.
    expect(resumed.every((r) => r.status === 'enqueued' && r.job_id !== null)).toBe(true);
    expect(await jobCount('toggle-q')).toBe(resumed.length);

    expect(await rota.unschedule('toggle')).toBe(true);
    const removedAt = await jobCount('toggle-q');
    await sleep(2_000);
    expect(await jobCount('toggle-q')).toBe(removedAt);
    expect(await cycles('toggle')).toEqual([]);
    expect(await rota.setScheduleEnabled('toggle', true)).toBe(false);
  });

  it('trigger runs a schedule now, as a manual cycle, without moving its next tick', async () => {
    const yearly = await rota.schedule('yearly', '0 0 1 1 *', 'trig-q', { x: 1 }, { tenant: 't1', priority: 'high', maxAttempts: 2 });
    const run = await rota.trigger('yearly');
    const job = await rota.getJob(run.jobId);
    expect(job).toMatchObject({ queue: 'trig-q', tenant: 't1', priority: 'high', payload: { x: 1 }, maxAttempts: 2 });
    const listed = (await rota.schedules()).find((s) => s.name === 'yearly');
    expect(listed?.nextRunAt).toEqual(yearly.nextRunAt);
    const manual = await rota.scheduleCycles({ schedule: 'yearly' });
    expect(manual).toMatchObject([{ source: 'manual', status: 'enqueued', jobId: run.jobId, tickAt: run.tickAt }]);
    // Disabled schedules can still be run by hand.
    await rota.setScheduleEnabled('yearly', false);
    await rota.trigger('yearly');
    expect(await cycles('yearly', 'manual')).toHaveLength(2);
    expect(fieldOf(await rota.trigger('no-such-schedule').catch((e: unknown) => e))).toBe('name');
    await rota.unschedule('yearly');

    // A per-second schedule keeps its cadence around a trigger.
    await rota.schedule('busy', '* * * * * *', 'busy-q', {});
    await waitFor(async () => (await cycles('busy')).length >= 2);
    await rota.trigger('busy');
    const rows = await waitFor(async () => {
      const r = await cycles('busy');
      return r.length >= 4 ? r : null;
    });
    await rota.unschedule('busy');
    expect(contiguous(rows)).toBe(true);
    expect(rows.every((r) => r.status === 'enqueued')).toBe(true);
  });

  it('records each cycle’s outcome and duration: last/next run, success rate, mean and p95', async () => {
    rota.work<{ fail: boolean }>('stats-q', { concurrency: 2 }, async (job) => {
      await sleep(20);
      if (job.payload.fail) throw new PermanentError('boom');
      return 'ok';
    });
    await rota.schedule('good', '* * * * * *', 'stats-q', { fail: false });
    await rota.schedule('bad', '* * * * * *', 'stats-q', { fail: true });
    const status = await waitFor(
      async () => {
        const s = await rota.scheduleStatus();
        return s.every((x) => x.window.completed + x.window.failed >= 3) ? s : null;
      },
      20_000,
      'three finished cycles each',
    );
    const good = status.find((s) => s.name === 'good');
    const bad = status.find((s) => s.name === 'bad');
    expect(good).toMatchObject({ queue: 'stats-q', enabled: true, successRate: 1, missedTotal: 0 });
    expect(good?.window.failed).toBe(0);
    expect(good?.meanDurationMs).toBeGreaterThanOrEqual(20);
    expect(good?.p95DurationMs).toBeGreaterThanOrEqual(20);
    expect(good?.lastRun?.source).toBe('cron');
    expect(good?.nextRunAt?.getTime()).toBeGreaterThan(good?.lastRun?.tickAt.getTime() ?? Infinity);
    expect(bad).toMatchObject({ successRate: 0 });
    expect(bad?.window.completed).toBe(0);
    const finished = await rota.scheduleCycles({ status: ['enqueued'], limit: 1000 });
    const settled = finished.filter((c) => c.schedule === 'good' && c.outcome === 'completed');
    expect(settled.length).toBeGreaterThanOrEqual(3);
    for (const c of settled) {
      expect(c.durationMs).toBeGreaterThanOrEqual(20);
      expect(c.startedAt?.getTime()).toBeGreaterThanOrEqual(c.recordedAt.getTime());
    }
    await rota.unschedule('good');
    await rota.unschedule('bad');
  });
});
