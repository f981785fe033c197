/**
 * Two claims of one queue in flight at once (the loop's, and one sent beside it for
 * urgent work): their replies can be handled in another order than they committed in.
 * A claim's reply is held back here after it committed (as a descheduled backend or
 * the event loop's read order can do), through the runtime's claimTurn hook; the
 * claims themselves run on the real database.
 */
import { describe, expect, it } from 'vitest';
import { useRuntimeHooks } from '../../src/worker-host.js';
import { closeRota, gate, makeRota, migratedDatabase, waitFor } from './helpers.js';

const db = await migratedDatabase();

/** Jobs of `queue` claimed (state running: buffered, started, or in a claim's reply). */
async function claimed(queue: string): Promise<string[]> {
  const r = await db.sql.query<{ p: string }>(
    `SELECT payload #>> '{}' AS p FROM rota.jobs WHERE queue = $1 AND state = 'running' ORDER BY id`,
    [queue],
  );
  return r.rows.map((x) => x.p);
}

/**
 * A worker at concurrency 1 whose claim that brings back the job `arm(payload)` names
 * has its reply held (committed, not delivered) until `reply.open()`. `back` lists the
 * payloads of every claim reply handed on, in that order.
 */
function heldReplyWorker(queue: string) {
  const producer = makeRota(db.url);
  // No poll claims: the claims are the ones start-up and the enqueues below wake.
  const worker = makeRota(db.url, { pollIntervalMs: 60_000 });
  const reply = gate();
  let armed: string | null = null;
  let holding = false;
  const back: string[] = [];
  useRuntimeHooks(worker, {
    claimTurn: async (claim) => {
      const batch = await claim();
      const payloads = ((batch as { rows?: Array<{ payload: unknown }> }).rows ?? []).map((r) => String(r.payload));
      if (armed !== null && payloads.includes(armed)) {
        armed = null;
        holding = true;
        await reply.promise;
        holding = false;
      }
      back.push(...payloads);
      return batch;
    },
  });
  const order: string[] = [];
  worker.work(queue, { concurrency: 1 }, (job) => {
    order.push(job.payload as string);
    return null;
  });
  return {
    producer,
    worker,
    reply,
    order,
    back,
    arm: (payload: string) => {
      armed = payload;
    },
    holding: () => holding,
  };
}

describe('claims in flight together', () => {
  it('a lower tier claimed second never starts before a higher tier claimed first and delivered late', async () => {
    const queue = 'order-tiers';
    const { producer, worker, reply, order, back, arm, holding } = heldReplyWorker(queue);
    await waitFor(async () => (await worker.workers()).some((w) => w.queues.includes(queue)), 20_000, 'worker registration');
    arm('urgent-1');
    // The loop claims for the urgent arrival (a claim of its concurrency, 1: urgent-1), and
    // its reply is held after the claim committed. (A claim of low-2 beside it, when the
    // notification found a start-up claim in flight, is held back too.)
    await producer.enqueueMany(queue, [
      { payload: 'urgent-1', priority: 'urgent' },
      { payload: 'low-2', priority: 'low' },
    ]);
    await waitFor(holding, 20_000, 'the claim of urgent-1 held after its commit');
    // A high job arrives while that claim is in flight: a claim beside it takes high-3
    // and comes back first.
    await producer.enqueue(queue, 'high-3', { priority: 'high' });
    await waitFor(() => back.includes('high-3'), 20_000, 'the claim of high-3 to come back');
    // high-3 is in this worker's hands with a free slot, but urgent-1 was claimed first.
    expect(order).toEqual([]);
    expect(await claimed(queue)).toEqual(expect.arrayContaining(['urgent-1', 'high-3']));
    reply.open();
    await waitFor(() => order.length === 3, 20_000, 'every job to run');
    expect(order).toEqual(['urgent-1', 'high-3', 'low-2']);
    await closeRota(worker);
    await closeRota(producer);
  });

  it('urgent work arriving while a claim is in flight starts before that claim comes back', async () => {
    const queue = 'order-urgent';
    const { producer, worker, reply, order, arm, holding } = heldReplyWorker(queue);
    await waitFor(async () => (await worker.workers()).some((w) => w.queues.includes(queue)), 20_000, 'worker registration');
    arm('normal-1');
    await producer.enqueueMany(
      queue,
      Array.from({ length: 5 }, (_, i) => ({ payload: `normal-${i + 1}` })),
    );
    await waitFor(holding, 20_000, 'a claim of normal jobs held after its commit');
    await producer.enqueue(queue, 'urgent', { priority: 'urgent' });
    // Claimed beside the held claim and started at once: nothing claimed can go before it.
    await waitFor(() => order.length === 1, 20_000, 'the urgent job to start');
    expect(order).toEqual(['urgent']);
    expect(holding()).toBe(true);
    reply.open();
    await waitFor(() => order.length === 6, 20_000, 'every job to run');
    expect(order.slice(1).every((p) => p.startsWith('normal-'))).toBe(true);
    await closeRota(worker);
    await closeRota(producer);
  });
});
