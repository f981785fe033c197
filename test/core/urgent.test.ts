/**
 * A higher tier is never delayed by lower-tier jobs a worker already holds: an urgent
 * job enqueued while normal jobs are claimed and buffered runs before them. Nor is a
 * tenant that arrives while the buffer is full of another tenant's backlog.
 */
import { describe, expect, it } from 'vitest';
import type { RotaOptions } from '../../src/index.js';
import { useRuntimeHooks } from '../../src/worker-host.js';
import { closeRota, gate, makeRota, migratedDatabase, waitFor } from './helpers.js';

const db = await migratedDatabase();

/** Jobs of `queue` claimed (buffered or running), optionally only of one tenant or of the urgent tier. */
async function held(queue: string, only: { tenant?: string; urgent?: boolean } = {}): Promise<number> {
  const r = await db.sql.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM rota.jobs
      WHERE queue = $1 AND state = 'running' AND ($2::text IS NULL OR tenant = $2) AND (NOT $3 OR priority = 0)`,
    [queue, only.tenant ?? null, only.urgent ?? false],
  );
  return r.rows[0]?.n ?? 0;
}

/**
 * A producer and a worker at concurrency 1 whose first job (`firstPayload`, enqueued
 * here) runs until `first.open()`: whatever is claimed meanwhile waits in the buffer.
 * `settled()`: no claim of the worker is in flight, so every job the database shows
 * claimed has reached its buffer (a claim commits before its reply is read).
 */
async function blockedWorker(queue: string, firstPayload: string, opts: { tenant?: string; worker?: Partial<RotaOptions> } = {}) {
  const producer = makeRota(db.url);
  const worker = makeRota(db.url, opts.worker);
  let claiming = 0;
  useRuntimeHooks(worker, {
    claimTurn: async (claim) => {
      claiming++;
      try {
        return await claim();
      } finally {
        claiming--;
      }
    },
  });
  const settled = () => claiming === 0;
  const first = gate();
  const order: unknown[] = [];
  worker.work(queue, { concurrency: 1 }, async (job) => {
    order.push(job.payload);
    if (job.payload === firstPayload) await first.promise;
    return null;
  });
  await producer.enqueue(queue, firstPayload, opts.tenant === undefined ? {} : { tenant: opts.tenant });
  await waitFor(() => order.length === 1, 20_000, 'the first job to start');
  return { producer, worker, first, order, settled };
}

describe('urgent work', () => {
  it('an urgent job starts before the normal jobs the worker had already claimed', async () => {
    const queue = 'urgent-ahead';
    const { producer, worker, first, order, settled } = await blockedWorker(queue, 'n0');
    await producer.enqueueMany(
      queue,
      Array.from({ length: 50 }, (_, i) => ({ payload: `n${i + 1}` })),
    );
    // The worker holds some of them claimed (buffered behind the running job).
    await waitFor(async () => (await held(queue)) >= 2);
    await producer.enqueue(queue, 'urgent', { priority: 'urgent' });
    // Claimed at once although normal jobs are buffered.
    await waitFor(async () => (await held(queue, { urgent: true })) === 1);
    await waitFor(settled, 20_000, 'the claims in flight to come back');
    first.open();
    await waitFor(() => order.length === 52, 20_000, 'every job to run');
    expect(order[1]).toBe('urgent');
    await closeRota(worker);
    await closeRota(producer);
  });

  it('urgent work arriving while a claim is in flight is claimed beside it, not after it, and runs before the jobs that claim took', async () => {
    const queue = 'urgent-beside';
    const { producer, worker, first, order, settled } = await blockedWorker(queue, 'n0');
    // Hold the queue's state row (the claims' mutex): the next claim stays in flight.
    const lock = await db.sql.connect();
    let claimsBefore = 0;
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
      claimsBefore = worker.stats().claims;
      await producer.enqueue(queue, 'urgent', { priority: 'urgent' });
      // A second claim is sent at once, beside the one in flight (it waits for the row too).
      await waitFor(async () => (await waiting()) === 2, 20_000, 'an urgent claim beside the one in flight');
    } finally {
      await lock.query('COMMIT');
      lock.release();
    }
    // Both claims run once the row is free and come back before the running job ends:
    // the buffer's tier order decides what starts next.
    await waitFor(() => worker.stats().claims >= claimsBefore + 2, 20_000, 'both claims to come back');
    await waitFor(async () => (await held(queue, { urgent: true })) === 1);
    await waitFor(settled, 20_000, 'the claims in flight to come back');
    first.open();
    await waitFor(() => order.length === 52, 20_000, 'every job to run');
    expect(order[1]).toBe('urgent');
    expect(new Set(order).size).toBe(52);
    await closeRota(worker);
    await closeRota(producer);
  });

  it("a tenant arriving while the buffer is full of another tenant's jobs is claimed at once, not after the buffer drains", async () => {
    const queue = 'newcomer-ahead';
    // A small prefetch so the buffer's cap (twice the target) is reached with few jobs.
    const { producer, worker, first, order, settled } = await blockedWorker(queue, 'a0', { tenant: 'a', worker: { maxPrefetch: 8 } });
    // Tenant a's backlog arrives in many statements; each notification tops the buffer
    // up until the worker holds the cap (twice the target) and claims no more.
    let n = 1;
    for (let call = 0; call < 20; call++) {
      await producer.enqueueMany(
        queue,
        Array.from({ length: 10 }, () => ({ payload: `a${n++}`, tenant: 'a' })),
      );
    }
    let last = -1;
    await waitFor(
      async () => {
        const now = await held(queue, { tenant: 'a' });
        const stable = now === last;
        last = now;
        if (!stable) await new Promise((r) => setTimeout(r, 200));
        return stable;
      },
      20_000,
      "the worker's holding to settle",
    );
    expect(last).toBeLessThan(n); // a's backlog is not all claimed: the cap holds
    await producer.enqueue(queue, 'b0', { tenant: 'b' });
    // Claimed while a0 still runs and a's claimed jobs wait in the buffer.
    await waitFor(async () => (await held(queue, { tenant: 'b' })) === 1, 20_000, "b's job to be claimed");
    await waitFor(settled, 20_000, 'the claims in flight to come back');
    first.open();
    await waitFor(() => order.length === n + 1, 20_000, 'every job to run');
    // The buffer starts tenants round robin: b's job is the second or third to run.
    expect(order.indexOf('b0')).toBeLessThanOrEqual(2);
    await closeRota(worker);
    await closeRota(producer);
  });
});
