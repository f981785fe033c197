/**
 * The claim's timestamptz parser (src/worker/timestamps.ts) reads PostgreSQL's own
 * output by position: for every value and session time zone it must give what pg's
 * parser gives, including the forms it hands back to pg (BC, far years, infinity).
 */
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { parseTimestamptz } from '../../src/worker/timestamps.js';
import { freshDatabase } from '../support/db.js';

const db = await freshDatabase();
const client = new pg.Client(db.url);
await client.connect();
afterAll(() => client.end());

const VALUES = [
  '2026-11-30 02:03:57.123456+00',
  '2026-11-30 02:03:57+00',
  '2026-11-30 02:03:57.1+00',
  '2026-11-30 02:03:57.12+00',
  '2026-11-30 02:03:57.999999+00',
  '2024-02-29 23:59:59.9995+00',
  '1999-12-31 23:59:59.000001+00',
  '1850-06-01 12:00:00+00', // local mean time offsets with seconds in some zones
  '1000-01-01 00:00:00+00',
  '0999-12-31 23:59:59+00',
  '0042-03-04 05:06:07.5+00',
  '0044-03-15 12:00:00+00 BC',
  '12345-06-07 08:09:10+00',
  'infinity',
  '-infinity',
];
const ZONES = ['UTC', 'Asia/Kolkata', 'America/St_Johns', 'Europe/Amsterdam', 'Pacific/Chatham', 'America/Los_Angeles', 'Asia/Kathmandu'];

describe('parseTimestamptz', () => {
  it('gives what pg gives for every value PostgreSQL prints, in every session time zone', async () => {
    const pgParse = pg.types.getTypeParser(1184, 'text');
    let compared = 0;
    for (const zone of ZONES) {
      await client.query(`SET TimeZone = '${zone}'`);
      const r = await client.query<{ t: string }>({
        text: 'SELECT v::timestamptz::text AS t FROM unnest($1::text[]) AS v',
        values: [VALUES],
      });
      for (const { t } of r.rows) {
        const ours = parseTimestamptz(t);
        const theirs = pgParse(t) as Date | number;
        if (theirs instanceof Date) {
          expect(ours, `${zone}: ${t}`).toBeInstanceOf(Date);
          expect(ours.getTime(), `${zone}: ${t}`).toBe(theirs.getTime());
        } else {
          expect(ours, `${zone}: ${t}`).toBe(theirs);
        }
        compared++;
      }
    }
    expect(compared).toBe(VALUES.length * ZONES.length);
  });

  it('reads every millisecond of a second and offsets of hours, minutes and seconds', () => {
    for (let ms = 0; ms < 1000; ms += 7) {
      const frac = String(ms).padStart(3, '0');
      for (const [offset, shift] of [
        ['+00', 0],
        ['-08', 8 * 3_600_000],
        ['+05:30', -(5.5 * 3_600_000)],
        ['-03:30', 3.5 * 3_600_000],
        ['+00:19:32', -(19 * 60_000 + 32_000)],
      ] as const) {
        const t = `2026-01-02 03:04:05.${frac}456${offset}`;
        expect(parseTimestamptz(t).getTime(), t).toBe(Date.UTC(2026, 0, 2, 3, 4, 5, ms) + shift);
      }
    }
  });
});
