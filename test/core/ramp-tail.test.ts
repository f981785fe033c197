import { describe, expect, it } from 'vitest';
import { type FinishUpdate, StatusBatcher } from '../../src/worker/batcher.js';
import { makeRota, migratedDatabase, recordingLogger, stateCounts, waitFor } from './helpers.js';

const db = await migratedDatabase();
const client = makeRota(db.url);

const update = (i: number): FinishUpdate => ({ id: String(i), attempt: 1, kind: 'complete', result: null, error: null, delayMs: null });

describe('the burst tail (ramp)', () => {
  it('once hurried, a queue under the backlog mark goes out beside the statement in flight; after the tail, a steady flow does not', async () => {
    await db.sql.query('CREATE TABLE ramp_written (id bigint, pid int)');
    const inFlight = new Set<number>();
    let most = 0;
    const batcher = new StatusBatcher({
      log: recordingLogger(),
      batchSize: 10,
      intervalMs: 5_000,
      spare: () => true,
      write: async (params) => {
        const token = Math.random();
        inFlight.add(token);
        most = Math.max(most, inFlight.size);
        try {
          await db.sql.query('INSERT INTO ramp_written SELECT i, pg_backend_pid() FROM unnest($1::bigint[]) i, pg_sleep(0.05)', [
            params[0],
          ]);
        } finally {
          inFlight.delete(token);
        }
      },
    });
    // Not hurried: 10 go out (batchSize), 40 queue behind (under ten batches): one at a time.
    for (let i = 1; i <= 50; i++) batcher.push(update(i));
    expect(await batcher.flush()).toBe(0);
    expect(most).toBe(1);

    // Hurried (the claims found no more work): the same 40 go out beside the first 10.
    most = 0;
    for (let i = 51; i <= 100; i++) batcher.push(update(i));
    batcher.hurry();
    expect(await batcher.flush()).toBe(0);
    expect(most).toBe(2);

    // Everything written ends the hurry: the next steady flow is one statement at a time again.
    most = 0;
    for (let i = 101; i <= 150; i++) batcher.push(update(i));
    expect(await batcher.flush()).toBe(0);
    expect(most).toBe(1);
    expect((await db.sql.query('SELECT count(*)::int AS n, count(DISTINCT id)::int AS ids FROM ramp_written')).rows[0]).toEqual({
      n: 150,
      ids: 150,
    });
  });

  it('a hurry with nothing unwritten is no hurry: the next flow is one statement at a time', async () => {
    const inFlight = new Set<number>();
    let most = 0;
    const batcher = new StatusBatcher({
      log: recordingLogger(),
      batchSize: 10,
      intervalMs: 5_000,
      spare: () => true,
      write: async () => {
        const token = Math.random();
        inFlight.add(token);
        most = Math.max(most, inFlight.size);
        try {
          await db.sql.query('SELECT pg_sleep(0.05)');
        } finally {
          inFlight.delete(token);
        }
      },
    });
    batcher.hurry();
    for (let i = 1; i <= 50; i++) batcher.push(update(i));
    expect(await batcher.flush()).toBe(0);
    expect(most).toBe(1);
  });

  it("a burst's last status writes go out on both connections once the claims find no more work", async () => {
    // Every finish statement records its backend and its start; each row takes 2 ms, so
    // the tail's statements are long enough to overlap when they are sent together.
    await db.sql.query(`
      CREATE TABLE ramp_finishes (pid int, started timestamptz, ended timestamptz);
      CREATE FUNCTION ramp_slow() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_sleep(0.002);
        INSERT INTO ramp_finishes VALUES (pg_backend_pid(), statement_timestamp(), clock_timestamp());
        RETURN NULL;
      END $$;
      CREATE TRIGGER ramp_slow AFTER INSERT ON rota.jobs_done FOR EACH ROW
        WHEN (NEW.queue = 'ramp-tail') EXECUTE FUNCTION ramp_slow();`);
    try {
      const rota = makeRota(db.url, { batchSize: 20, batchIntervalMs: 5 });
      await client.enqueueMany(
        'ramp-tail',
        Array.from({ length: 300 }, (_, i) => ({ payload: i })),
      );
      rota.work('ramp-tail', { concurrency: 100 }, () => null);
      await waitFor(async () => (await stateCounts(db, 'ramp-tail')).completed === 300, 30_000, 'all 300 jobs completed');
      await rota.close();
      // Statements (one backend, one start) and whether two of them ran at the same time.
      const r = await db.sql.query<{ statements: number; overlapping: number }>(`
        WITH s AS (SELECT pid, started, max(ended) AS ended FROM ramp_finishes GROUP BY pid, started)
        SELECT (SELECT count(*)::int FROM s) AS statements,
               (SELECT count(*)::int FROM s a JOIN s b ON a.pid < b.pid AND a.started < b.ended AND b.started < a.ended) AS overlapping`);
      expect(r.rows[0]?.statements).toBeGreaterThan(1);
      expect(r.rows[0]?.overlapping).toBeGreaterThan(0);
    } finally {
      await db.sql.query('DROP TRIGGER ramp_slow ON rota.jobs_done; DROP FUNCTION ramp_slow()');
    }
  });
});
