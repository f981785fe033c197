/**
 * A worker stops ordinary claims while the status writes of the jobs it finished are
 * backed up (src/worker/claim-loop.ts, BACKLOG_PAUSE), and resumes as they land: during a
 * burst the finishes keep pace with the claims instead of piling up behind them. Urgent
 * work is still claimed meanwhile.
 */
import { describe, expect, it } from 'vitest';
import { closeRota, makeRota, migratedDatabase, waitFor } from './helpers.js';

const db = await migratedDatabase();
const JOBS = 10_000;

async function counts(): Promise<{ running: number; done: number }> {
  const r = await db.sql.query<{ running: number; done: number }>(
    `SELECT (SELECT count(*) FROM rota.jobs WHERE state = 'running')::int AS running,
            (SELECT count(*) FROM rota.jobs_done)::int AS done`,
  );
  return r.rows[0] ?? { running: 0, done: 0 };
}

describe('backpressure from status writes', () => {
  it('claims wait while finishes lag; urgent work still runs; every job completes once', async () => {
    // Finishes made slow (0.5 ms per archived row, ~0.5 s per statement); claims never touch jobs_done.
    await db.sql.query(`CREATE FUNCTION public.slow_archive() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN PERFORM pg_sleep(0.0005); RETURN NEW; END $$`);
    await db.sql.query('CREATE TRIGGER slow_archive BEFORE INSERT ON rota.jobs_done FOR EACH ROW EXECUTE FUNCTION public.slow_archive()');
    const producer = makeRota(db.url);
    for (let i = 0; i < JOBS; i += 1_000) {
      await producer.enqueueMany(
        'bp',
        Array.from({ length: 1_000 }, (_, k) => ({ payload: i + k })),
      );
    }
    const worker = makeRota(db.url, { maxPrefetch: 500 });
    const ran = new Set<unknown>();
    let runs = 0;
    let urgentRanWithDone = -1;
    worker.work('bp', { concurrency: 20 }, async (job) => {
      runs++;
      ran.add(job.payload);
      if (job.payload === 'urgent') urgentRanWithDone = (await counts()).done;
    });
    // Claimed and not yet written (running in the database), sampled through the burst.
    let peak = 0;
    await waitFor(
      async () => {
        const c = await counts();
        peak = Math.max(peak, c.running);
        return c.running >= 2_000;
      },
      20_000,
      'a backlog of status writes',
    );
    await producer.enqueue('bp', 'urgent', { priority: 'urgent' });
    await waitFor(
      async () => {
        const c = await counts();
        peak = Math.max(peak, c.running);
        return c.done === JOBS + 1;
      },
      60_000,
      'every job to be finished',
    );
    // Without the pause every job is claimed within a second or two, long before the
    // ~5 s of finishes land. With it: at most one statement in flight and another beside
    // it (1,000 rows each), 2,000 queued and the claim in flight when the mark was
    // crossed (the concurrency plus maxPrefetch).
    expect(peak).toBeGreaterThanOrEqual(2_000);
    expect(peak).toBeLessThan(6_000);
    // The urgent job ran while most of the backlog was still unwritten.
    expect(urgentRanWithDone).toBeGreaterThanOrEqual(0);
    expect(urgentRanWithDone).toBeLessThan(JOBS / 2);
    expect(runs).toBe(JOBS + 1);
    expect(ran.size).toBe(JOBS + 1);
    const done = await db.sql.query<{ completed: number }>(
      `SELECT count(*) FILTER (WHERE state = 'completed')::int AS completed FROM rota.jobs_done WHERE queue = 'bp'`,
    );
    expect(done.rows[0]?.completed).toBe(JOBS + 1);
    await closeRota(worker);
    await closeRota(producer);
  }, 120_000);
});
