/**
 * A higher tier is never delayed by lower-tier jobs a worker already holds: an urgent
 * job enqueued while normal jobs are claimed and buffered runs before them.
 */
import { describe, expect, it } from 'vitest';
import { closeRota, gate, makeRota, migratedDatabase, waitFor } from './helpers.js';

const db = await migratedDatabase();

describe('urgent work', () => {
  it('an urgent job starts before the normal jobs the worker had already claimed', async () => {
    const queue = 'urgent-ahead';
    const producer = makeRota(db.url);
    const worker = makeRota(db.url);
    const first = gate();
    const order: unknown[] = [];
    worker.work(queue, { concurrency: 1 }, async (job) => {
      order.push(job.payload);
      if (job.payload === 'n0') await first.promise;
      return null;
    });
    await producer.enqueue(queue, 'n0');
    await waitFor(() => order.length === 1, 20_000, 'the first job to start');
    await producer.enqueueMany(
      queue,
      Array.from({ length: 50 }, (_, i) => ({ payload: `n${i + 1}` })),
    );
    // The worker holds some of them claimed (buffered behind the running job).
    await waitFor(async () => {
      const r = await db.sql.query<{ n: number }>("SELECT count(*)::int AS n FROM rota.jobs WHERE queue = $1 AND state = 'running'", [
        queue,
      ]);
      return (r.rows[0]?.n ?? 0) >= 2;
    });
    await producer.enqueue(queue, 'urgent', { priority: 'urgent' });
    // Claimed at once although normal jobs are buffered.
    await waitFor(async () => {
      const r = await db.sql.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM rota.jobs WHERE queue = $1 AND state = 'running' AND priority = 0",
        [queue],
      );
      return (r.rows[0]?.n ?? 0) === 1;
    });
    first.open();
    await waitFor(() => order.length === 52, 20_000, 'every job to run');
    expect(order[1]).toBe('urgent');
    await closeRota(worker);
    await closeRota(producer);
  });

  it('urgent work arriving while a claim is in flight is claimed beside it, not after it', async () => {
    const queue = 'urgent-beside';
    const producer = makeRota(db.url);
    const worker = makeRota(db.url);
    const first = gate();
    const order: unknown[] = [];
    worker.work(queue, { concurrency: 1 }, async (job) => {
      order.push(job.payload);
      if (job.payload === 'n0') await first.promise;
      return null;
    });
    await producer.enqueue(queue, 'n0');
    await waitFor(() => order.length === 1, 20_000, 'the first job to start');
    // Hold the queue's state row (the claims' mutex): the next claim stays in flight.
    const lock = await db.sql.connect();
    const waiting = async () =>
      (
        await db.sql.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%claim_jobs%'",
        )
      ).rows[0]?.n ?? 0;
    try {
      await lock.query('BEGIN');
      await lock.query('SELECT 1 FROM rota.queue_state WHERE queue = $1 FOR UPDATE', [queue]);
      await producer.enqueueMany(
        queue,
        Array.from({ length: 50 }, (_, i) => ({ payload: `n${i + 1}` })),
      );
      await waitFor(async () => (await waiting()) === 1, 20_000, 'a claim waiting for the queue row');
      await producer.enqueue(queue, 'urgent', { priority: 'urgent' });
      // A second claim is sent at once, beside the one in flight.
      await waitFor(async () => (await waiting()) === 2, 20_000, 'an urgent claim beside the one in flight');
    } finally {
      await lock.query('COMMIT');
      lock.release();
    }
    first.open();
    await waitFor(() => order.length === 52, 20_000, 'every job to run');
    expect(order[1]).toBe('urgent');
    expect(new Set(order).size).toBe(52);
    await closeRota(worker);
    await closeRota(producer);
  });
});
