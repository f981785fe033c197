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
    // Not hurried: 10 go out (batchSize), 95 queue behind (under ten batches): one at a time.
    for (let i = 1; i <= 105; i++) batcher.push(update(i));
    expect(await batcher.flush()).toBe(0);
    expect(most).toBe(1);

    // Hurried (the claims found no more work, ten batches unwritten): the 95 go out beside the first 10.
    most = 0;
    for (let i = 106; i <= 210; i++) batcher.push(update(i));
    batcher.hurry();
    expect(await batcher.flush()).toBe(0);
    expect(most).toBe(2);

    // Everything written ends the hurry: the next steady flow is one statement at a time again.
    most = 0;
    for (let i = 211; i <= 315; i++) batcher.push(update(i));
    expect(await batcher.flush()).toBe(0);
    expect(most).toBe(1);
    expect((await db.sql.query('SELECT count(*)::int AS n, count(DISTINCT id)::int AS ids FROM ramp_written')).rows[0]).toEqual({
      n: 315,
      ids: 315,
    });
  });

  it('a hurry with less than ten batches unwritten (a steady flow) is no hurry: one statement at a time', async () => {
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
    for (let i = 1; i <= 99; i++) batcher.push(update(i));
    batcher.hurry();
    expect(await batcher.flush()).toBe(0);
    expect(most).toBe(1);
  });

  it("a burst's last status writes go out on both connections once the claims find no more work", async () => {
    // Every finish statement sleeps 0.6 s once (its first row's trigger) and records its
    // backend and its start. 100 updates go out first (batchSize, no timer); the other 950
    // queue behind that statement: under ten batches, so without a hurry they wait for it.
    await db.sql.query(`
      CREATE TABLE ramp_finishes (pid int, started timestamptz, ended timestamptz);
      CREATE FUNCTION ramp_slow() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF current_setting('ramp.slept', true) IS DISTINCT FROM txid_current()::text THEN
          PERFORM pg_sleep(0.6), set_config('ramp.slept', txid_current()::text, true);
          INSERT INTO ramp_finishes VALUES (pg_backend_pid(), statement_timestamp(), clock_timestamp());
        END IF;
        RETURN NULL;
      END $$;
      CREATE TRIGGER ramp_slow AFTER INSERT ON rota.jobs_done FOR EACH ROW
        WHEN (NEW.queue = 'ramp-tail') EXECUTE FUNCTION ramp_slow();`);
    try {
      const rota = makeRota(db.url, { batchSize: 100, batchIntervalMs: 60_000 });
      await client.enqueueMany(
        'ramp-tail',
        Array.from({ length: 1_050 }, (_, i) => ({ payload: i })),
      );
      rota.work('ramp-tail', { concurrency: 200 }, () => null);
      await waitFor(async () => (await stateCounts(db, 'ramp-tail')).completed === 1_050, 30_000, 'all 1,050 jobs completed');
      await rota.close();
      const r = await db.sql.query<{ statements: number; overlapping: number }>(`
        SELECT (SELECT count(*)::int FROM ramp_finishes) AS statements,
               (SELECT count(*)::int FROM ramp_finishes a JOIN ramp_finishes b
                  ON a.pid < b.pid AND a.started < b.ended AND b.started < a.ended) AS overlapping`);
      expect(r.rows[0]?.statements).toBeGreaterThan(1);
      expect(r.rows[0]?.overlapping).toBeGreaterThan(0);
    } finally {
      await db.sql.query('DROP TRIGGER ramp_slow ON rota.jobs_done; DROP FUNCTION ramp_slow()');
    }
  });
});
