import { describe, expect, it } from 'vitest';
import { makeRota, migratedDatabase, waitForState } from './helpers.js';

const DAY = 86_400_000;
const db = await migratedDatabase();
const rota = makeRota(db.url, { retentionMs: 2 * DAY });
const now = Date.now();

const dayOf = (t: number) => Math.floor(t / DAY) * DAY;
const partitionFor = (t: number) => `jobs_done_p${new Date(dayOf(t)).toISOString().slice(0, 10).replaceAll('-', '')}`;
/** Partitions for the days from `from` to `to` (inclusive), in order. */
const days = (from: number, to: number) => {
  const out: string[] = [];
  for (let t = dayOf(from); t <= dayOf(to); t += DAY) out.push(partitionFor(t));
  return out;
};

async function partitions(): Promise<string[]> {
  const res = await db.sql.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      WHERE i.inhparent = 'rota.jobs_done'::regclass ORDER BY 1`,
  );
  return res.rows.map((r) => r.name);
}

/** A finished job written straight into jobs_done with the given finish time. */
async function insertFinished(id: number, finishedAt: number): Promise<void> {
  await db.sql.query(
    `INSERT INTO rota.jobs_done (id, queue, tenant, priority, state, payload, result, errors, attempt, max_attempts, run_at, created_at, started_at, finished_at)
     VALUES ($1, 'ret', 'default', 2, 'completed', '{}', '"r"', '[]', 1, 5, $2, $2, $2, $2)`,
    [id, new Date(finishedAt)],
  );
}

async function partitionOf(id: number): Promise<string | undefined> {
  const res = await db.sql.query<{ p: string }>('SELECT tableoid::regclass::text AS p FROM rota.jobs_done WHERE id = $1', [id]);
  return res.rows[0]?.p.replace(/^rota\./, '');
}

describe('retention: daily partitions of finished jobs', () => {
  it('migrate() created partitions from yesterday to three days ahead, plus the default one', async () => {
    expect(await partitions()).toEqual([...days(now - DAY, now + 3 * DAY), 'jobs_done_default'].sort());
  });

  it('a finished job lands in its day’s partition; maintain() drops partitions past retention with their jobs', async () => {
    rota.work('ret', {}, () => 'kept for a while');
    const { id } = await rota.enqueue('ret', 1);
    await waitForState(rota, id, 'completed');
    const row = await db.sql.query<{ p: string }>('SELECT tableoid::regclass::text AS p FROM rota.jobs_done WHERE id = $1', [id]);
    expect(row.rows[0]?.p).toMatch(/^rota\.jobs_done_p\d{8}$/);

    const later = now + 10 * DAY;
    const result = await rota.maintain(later);
    expect(result.created).toEqual(days(later - DAY, later + 3 * DAY));
    expect([...result.dropped].sort()).toEqual(days(now - DAY, now + 3 * DAY));
    expect(result.purgedDefaultRows).toBe(0);
    expect(await partitions()).toEqual([...days(later - DAY, later + 3 * DAY), 'jobs_done_default'].sort());
    expect(await rota.getJob(id)).toBeNull();

    // Running it again changes nothing.
    expect(await rota.maintain(later)).toEqual({ created: [], dropped: [], purgedDefaultRows: 0 });
  });

  it('a row that landed in the default partition moves into its partition when that is created', async () => {
    const base = now + 10 * DAY; // partitions exist for base-1 .. base+3 days
    const finishedAt = base + 10 * DAY + 3_600_000;
    await insertFinished(900_000_001, finishedAt);
    expect(await partitionOf(900_000_001)).toBe('jobs_done_default');

    const later = base + 9 * DAY;
    const result = await rota.maintain(later);
    expect(result.created).toContain(partitionFor(finishedAt));
    expect(await partitionOf(900_000_001)).toBe(partitionFor(finishedAt));
    expect(await rota.getJob('900000001')).toMatchObject({ state: 'completed', result: 'r', queue: 'ret' });
    const left = await db.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM rota.jobs_done_default');
    expect(left.rows[0]?.n).toBe(0);
  });

  it('rows in the default partition older than retention are purged', async () => {
    await insertFinished(900_000_002, Date.UTC(2020, 0, 1));
    expect(await partitionOf(900_000_002)).toBe('jobs_done_default');
    const result = await rota.maintain(now + 19 * DAY);
    expect(result.purgedDefaultRows).toBe(1);
    expect(await rota.getJob('900000002')).toBeNull();
    // The recent row moved earlier is still kept.
    expect(await rota.getJob('900000001')).not.toBeNull();
  });
});
