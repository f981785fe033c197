import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/index.js';
import { CronSchedule, validateTimeZone } from '../../src/scheduler/cron.js';
import { planTicks } from '../../src/scheduler/plan.js';

const iso = (d: Date | null) => d?.toISOString() ?? null;
const nextN = (c: CronSchedule, n: number, from: string) => {
  const out: string[] = [];
  let t: Date | null = new Date(from);
  for (let i = 0; i < n && t; i++) {
    t = c.next(t);
    if (t) out.push(t.toISOString());
  }
  return out;
};
function fieldOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof ValidationError) return err.field;
    throw err;
  }
  throw new Error('did not throw');
}

describe('cron expressions', () => {
  it('accepts 5 and 6 fields and nicknames; rejects others naming the field', () => {
    expect(nextN(CronSchedule.parse('*/15 * * * *'), 2, '2025-01-01T00:07:00Z')).toEqual([
      '2025-01-01T00:15:00.000Z',
      '2025-01-01T00:30:00.000Z',
    ]);
    expect(nextN(CronSchedule.parse('*/20 * * * * *'), 3, '2025-01-01T00:00:00Z')).toEqual([
      '2025-01-01T00:00:20.000Z',
      '2025-01-01T00:00:40.000Z',
      '2025-01-01T00:01:00.000Z',
    ]);
    expect(iso(CronSchedule.parse('@hourly').next(new Date('2025-01-01T00:00:00Z')))).toBe('2025-01-01T01:00:00.000Z');
    for (const bad of ['* * *', '61 * * * *', '* * * * * * *', 'every minute', '', 42]) {
      expect(fieldOf(() => CronSchedule.parse(bad))).toBe('cron');
    }
    expect(() => CronSchedule.parse('61 * * * *')).toThrow(/^cron: "61 \* \* \* \*" is not a valid cron expression .*minute/);
  });

  it('rejects unknown time zones naming timeZone, and canonicalises known ones', () => {
    expect(fieldOf(() => CronSchedule.parse('* * * * *', 'Mars/Olympus_Mons'))).toBe('timeZone');
    expect(fieldOf(() => CronSchedule.parse('* * * * *', ''))).toBe('timeZone');
    expect(validateTimeZone('europe/berlin')).toBe('Europe/Berlin');
    expect(validateTimeZone('UTC')).toBe('UTC');
  });

  it('is strictly after the reference, at whole seconds', () => {
    const c = CronSchedule.parse('* * * * * *');
    expect(iso(c.next(new Date('2025-01-01T00:00:00.000Z')))).toBe('2025-01-01T00:00:01.000Z');
    expect(iso(c.next(new Date('2025-01-01T00:00:00.999Z')))).toBe('2025-01-01T00:00:01.000Z');
    expect(c.previous(2, new Date('2025-01-01T00:00:01.500Z')).map(iso)).toEqual(['2025-01-01T00:00:01.000Z', '2025-01-01T00:00:00.000Z']);
  });
});

describe('next tick across DST transitions', () => {
  // America/New_York: 2025-03-09 02:00 EST → 03:00 EDT; 2025-11-02 02:00 EDT → 01:00 EST.
  it('a fixed-time job in the spring gap runs once, right after the gap', () => {
    const c = CronSchedule.parse('30 2 * * *', 'America/New_York');
    expect(nextN(c, 3, '2025-03-08T12:00:00Z')).toEqual([
      '2025-03-09T07:00:00.000Z', // 03:00 EDT: 02:30 does not exist that day
      '2025-03-10T06:30:00.000Z', // 02:30 EDT
      '2025-03-11T06:30:00.000Z',
    ]);
  });

  it('a fixed-time job at a repeated local time runs once in the autumn', () => {
    const c = CronSchedule.parse('30 1 * * *', 'America/New_York');
    expect(nextN(c, 3, '2025-11-01T12:00:00Z')).toEqual([
      '2025-11-02T05:30:00.000Z', // 01:30 EDT, the first occurrence only
      '2025-11-03T06:30:00.000Z', // 01:30 EST
      '2025-11-04T06:30:00.000Z',
    ]);
  });

  it('an interval job skips the spring gap and runs at both autumn occurrences', () => {
    const c = CronSchedule.parse('*/30 * * * *', 'America/New_York');
    expect(nextN(c, 3, '2025-03-09T06:00:00Z')).toEqual([
      '2025-03-09T06:30:00.000Z', // 01:30 EST
      '2025-03-09T07:00:00.000Z', // 03:00 EDT (02:00 and 02:30 do not exist)
      '2025-03-09T07:30:00.000Z',
    ]);
    expect(nextN(c, 5, '2025-11-02T04:45:00Z')).toEqual([
      '2025-11-02T05:00:00.000Z', // 01:00 EDT
      '2025-11-02T05:30:00.000Z', // 01:30 EDT
      '2025-11-02T06:00:00.000Z', // 01:00 EST
      '2025-11-02T06:30:00.000Z', // 01:30 EST
      '2025-11-02T07:00:00.000Z', // 02:00 EST
    ]);
  });

  it('computes in the schedule time zone, not the process one (Europe/Berlin, Australia/Sydney)', () => {
    // Berlin springs forward on 2025-03-30 at 02:00 CET → 03:00 CEST.
    const berlin = CronSchedule.parse('0 9 * * *', 'Europe/Berlin');
    expect(nextN(berlin, 2, '2025-03-29T12:00:00Z')).toEqual(['2025-03-30T07:00:00.000Z', '2025-03-31T07:00:00.000Z']);
    // Sydney falls back on 2025-04-06 at 03:00 AEDT → 02:00 AEST.
    const sydney = CronSchedule.parse('0 9 * * *', 'Australia/Sydney');
    expect(nextN(sydney, 2, '2025-04-04T00:00:00Z')).toEqual([
      '2025-04-04T22:00:00.000Z', // 09:00 AEDT (UTC+11)
      '2025-04-05T23:00:00.000Z', // 09:00 AEST (UTC+10)
    ]);
  });

  it('agrees forwards and backwards (previous is used after long outages)', () => {
    const c = CronSchedule.parse('*/30 * * * *', 'America/New_York');
    const forwards = nextN(c, 6, '2025-11-02T04:15:00Z');
    const backwards = c
      .previous(6, new Date(forwards[5] as string))
      .map(iso)
      .reverse();
    expect(backwards).toEqual(forwards);
  });
});

describe('planTicks', () => {
  const everySecond = CronSchedule.parse('* * * * * *');
  const at = (s: number) => new Date(Date.UTC(2025, 0, 1, 0, 0, s));
  const summary = (p: ReturnType<typeof planTicks>) => p.ticks.map((t) => `${t.at.getUTCSeconds()}:${t.status}`);

  it('one due tick on time: enqueue it, cursor to the next tick', () => {
    const p = planTicks(everySecond, at(10), new Date(at(10).getTime() + 30), { graceMs: 2_000, catchUp: 0 });
    expect(summary(p)).toEqual(['10:enqueued']);
    expect(p).toMatchObject({ missed: 0, truncated: false, next: at(11) });
  });

  it('ticks within the grace period are enqueued late, older ones follow the policy', () => {
    const now = new Date(at(20).getTime() + 500);
    const skip = planTicks(everySecond, at(10), now, { graceMs: 3_000, catchUp: 0 });
    expect(summary(skip)).toEqual([
      '10:missed',
      '11:missed',
      '12:missed',
      '13:missed',
      '14:missed',
      '15:missed',
      '16:missed',
      '17:missed',
      '18:enqueued',
      '19:enqueued',
      '20:enqueued',
    ]);
    expect(skip.missed).toBe(8);
    expect(skip.next).toEqual(at(21));
    const catchUp = planTicks(everySecond, at(10), now, { graceMs: 3_000, catchUp: 2 });
    expect(summary(catchUp).slice(5, 8)).toEqual(['15:missed', '16:caught_up', '17:caught_up']);
    expect(catchUp.missed).toBe(8);
  });

  it('keeps rows for the most recent missed ticks only, but counts them all', () => {
    const now = at(59);
    const p = planTicks(everySecond, at(0), now, { graceMs: 1_000, catchUp: 1, keepMissed: 3 });
    expect(summary(p)).toEqual(['54:missed', '55:missed', '56:missed', '57:caught_up', '58:enqueued', '59:enqueued']);
    expect(p.missed).toBe(58);
  });

  it('a long outage is walked backwards from now: recent ticks exact, the middle uncounted', () => {
    const now = new Date(Date.UTC(2025, 0, 2)); // a day of per-second ticks
    const p = planTicks(everySecond, at(0), now, { graceMs: 2_000, catchUp: 2, keepMissed: 2, maxEnumerate: 50 });
    expect(p.truncated).toBe(true);
    expect(p.ticks.map((t) => `${t.at.toISOString().slice(11, 19)} ${t.status}`)).toEqual([
      '23:59:54 missed',
      '23:59:55 missed',
      '23:59:56 caught_up',
      '23:59:57 caught_up',
      '23:59:58 enqueued',
      '23:59:59 enqueued',
      '00:00:00 enqueued',
    ]);
    expect(p.missed).toBeGreaterThanOrEqual(50);
    expect(p.next).toEqual(new Date(Date.UTC(2025, 0, 2, 0, 0, 1)));
  });

  it('the same cursor and now give the same plan, whatever process computes it', () => {
    const a = planTicks(everySecond, at(0), at(30), { graceMs: 5_000, catchUp: 3 });
    const b = planTicks(CronSchedule.parse('* * * * * *'), at(0), at(30), { graceMs: 5_000, catchUp: 3 });
    expect(b).toEqual(a);
  });
});

describe('planTicks properties', () => {
  const crons = [
    CronSchedule.parse('* * * * * *'),
    CronSchedule.parse('*/7 * * * * *'),
    CronSchedule.parse('* * * * *'),
    CronSchedule.parse('*/30 * * * *', 'America/New_York'),
    CronSchedule.parse('30 1 * * *', 'America/New_York'),
  ];
  const enumerate = (c: CronSchedule, from: Date, to: number) => {
    const out: Date[] = [];
    for (let t: Date | null = from; t && t.getTime() <= to; t = c.next(t)) out.push(t);
    return out;
  };

  it('every due tick is enqueued on time, caught up, recorded missed or counted; the cursor lands on the first tick after now', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...crons.keys()),
        // Around the 2025 autumn DST change in New York, to cross it often.
        fc.integer({ min: Date.UTC(2025, 10, 1), max: Date.UTC(2025, 10, 3) }),
        fc.integer({ min: 0, max: 3 * 3_600_000 }),
        fc.integer({ min: 100, max: 120_000 }),
        fc.integer({ min: 0, max: 5 }),
        fc.integer({ min: 0, max: 10 }),
        fc.integer({ min: 5, max: 300 }),
        (ci, base, offset, graceMs, catchUp, keepMissed, maxEnumerate) => {
          const cron = crons[ci] as CronSchedule;
          const cursor = cron.next(new Date(base)) as Date;
          const now = new Date(cursor.getTime() + offset);
          const p = planTicks(cron, cursor, now, { graceMs, catchUp, keepMissed, maxEnumerate });
          const times = p.ticks.map((t) => t.at.getTime());
          expect(times).toEqual([...new Set(times)].sort((a, b) => a - b));
          expect(times.every((t) => t >= cursor.getTime() && t <= now.getTime())).toBe(true);
          expect(p.ticks.map((t) => t.status[0]).join('')).toMatch(/^m*c*e*$/);
          for (const t of p.ticks) expect(t.status === 'enqueued').toBe(now.getTime() - t.at.getTime() <= graceMs);
          const caught = p.ticks.filter((t) => t.status === 'caught_up').length;
          const missedRows = p.ticks.filter((t) => t.status === 'missed').length;
          expect(caught).toBeLessThanOrEqual(catchUp);
          if (caught < catchUp) expect(missedRows).toBe(0);
          expect(missedRows).toBeLessThanOrEqual(keepMissed);
          expect(p.next?.getTime()).toBe(cron.next(now)?.getTime());
          if (!p.truncated) {
            const due = enumerate(cron, cursor, now.getTime());
            const late = due.filter((d) => now.getTime() - d.getTime() > graceMs);
            expect(p.missed).toBe(late.length);
            expect(p.ticks.filter((t) => t.status === 'enqueued').length + p.missed).toBe(due.length);
          } else {
            // A lower bound: at least every late tick it recorded, and more than it walked.
            expect(p.missed).toBeGreaterThanOrEqual(p.ticks.filter((t) => t.status !== 'enqueued').length);
            expect(p.missed + p.ticks.filter((t) => t.status === 'enqueued').length).toBeGreaterThan(maxEnumerate);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
