import { beforeAll, describe, expect, it } from 'vitest';
import { type Rota, ValidationError } from '../../src/index.js';
import { waitFor } from '../support/db.js';
import { makeRota, migratedDatabase } from '../support/rota.js';

/**
 * A queue's retry policy as a stored setting (src/resilience/retry-settings.ts):
 * maxAttempts is applied at enqueue (the job's own > the queue's > defaultMaxAttempts),
 * the backoff at each failure (the queue's stored parts > work()'s option > default),
 * and a worker in another process picks a change up without a restart.
 */

let url: string;
let admin: Rota;

beforeAll(async () => {
  url = (await migratedDatabase()).url;
  admin = makeRota(url);
});

const failing = async (): Promise<never> => {
  throw new Error('downstream said no');
};

describe('stored maxAttempts', () => {
  it('applies to jobs enqueued afterwards without their own; an explicit one wins; null gives the default back', async () => {
    const before = await admin.enqueue('attempts', { n: 0 });
    const info = await admin.queue('attempts').configure({ retry: { maxAttempts: 2 } });
    expect(info.retry).toEqual({ maxAttempts: 2, baseMs: null, maxMs: null, jitter: null });
    const after = await admin.enqueue('attempts', { n: 1 });
    const own = await admin.enqueue('attempts', { n: 2 }, { maxAttempts: 4 });
    const many = await admin.enqueueMany('attempts', [{ payload: 3 }, { payload: 4, maxAttempts: 7 }]);
    const max = async (id: string) => (await admin.getJob(id))?.maxAttempts;
    expect(await max(before.id)).toBe(5);
    expect(await max(after.id)).toBe(2);
    expect(await max(own.id)).toBe(4);
    expect([await max(many[0]?.id as string), await max(many[1]?.id as string)]).toEqual([2, 7]);
    await admin.queue('attempts').configure({ retry: { maxAttempts: null } });
    expect(await max((await admin.enqueue('attempts', { n: 5 })).id)).toBe(5);
  });

  it('a job failing under a stored maxAttempts of 2 dies after its second attempt', async () => {
    await admin.queue('dies').configure({ retry: { maxAttempts: 2, baseMs: 10, maxMs: 10, jitter: 0 } }, { create: true });
    const worker = makeRota(url);
    let attempts = 0;
    worker.work('dies', { concurrency: 1 }, async () => {
      attempts++;
      return failing();
    });
    const { id } = await admin.enqueue('dies', { n: 1 });
    const job = await waitFor(async () => {
      const j = await admin.getJob(id);
      return j?.state === 'dead' ? j : null;
    });
    expect(job.maxAttempts).toBe(2);
    expect(job.attempt).toBe(2);
    expect(job.errors.map((e) => e.attempt)).toEqual([1, 2]);
    expect(attempts).toBe(2);
    await worker.close();
  });

  it('bad settings name the part and write nothing', async () => {
    await admin.queue('strict').configure({ concurrency: 3 }, { create: true });
    const bad = [
      [{ retry: { maxAttempts: 0 } }, 'retry.maxAttempts'],
      [{ retry: { maxAttempts: 1001 } }, 'retry.maxAttempts'],
      [{ retry: { baseMs: -1 } }, 'retry.baseMs'],
      [{ retry: { maxMs: 1.5 } }, 'retry.maxMs'],
      [{ retry: { jitter: 2 } }, 'retry.jitter'],
      [{ retry: { attempts: 3 } }, 'retry.attempts'],
      [{ retry: 3 }, 'retry'],
      [{ concurrency: 5, retry: { maxAttempts: 2, jitter: -1 } }, 'retry.jitter'],
    ] as const;
    for (const [settings, field] of bad) {
      const err = await admin
        .queue('strict')
        .configure(settings as never)
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).field).toBe(field);
    }
    const info = await admin.queue('strict').info();
    expect(info.concurrency).toBe(3);
    expect(info.retry).toEqual({ maxAttempts: null, baseMs: null, maxMs: null, jitter: null });
  });
});

describe('stored backoff', () => {
  it("wins over work()'s option, reaches a running worker of another process, and unsetting it gives work()'s back", async () => {
    await admin.queue('backoff').configure({}, { create: true });
    // Another process, already working the queue with its own (fast) backoff; its
    // heartbeat is every leaseMs / 3.
    const worker = makeRota(url, { leaseMs: 900 });
    worker.work('backoff', { concurrency: 1, retry: { baseMs: 20, maxMs: 20, jitter: 0 } }, failing);
    expect(worker.stats().retry.backoff).toEqual({ baseMs: 20, maxMs: 20, jitter: 0 });

    // A fixed minute, set by an operator while the worker runs.
    await admin.queue('backoff').configure({ retry: { maxAttempts: 3, baseMs: 60_000, maxMs: 60_000 } });
    await waitFor(() => worker.stats().retry.backoff?.baseMs === 60_000, 20_000, 'the worker to read the stored backoff');
    // jitter is not stored: work()'s 0 still applies.
    expect(worker.stats().retry.backoff).toEqual({ baseMs: 60_000, maxMs: 60_000, jitter: 0 });

    const slow = await admin.enqueue('backoff', { n: 1 });
    const retried = await waitFor(async () => {
      const j = await admin.getJob(slow.id);
      return j?.state === 'scheduled' || (j?.state === 'available' && j.attempt === 1 && j.errors.length === 1) ? j : null;
    });
    const failedAt = Date.parse(retried.errors[0]?.at as string);
    const delay = retried.runAt.getTime() - failedAt;
    // The stored minute (without jitter), not work()'s 20 ms.
    expect(delay).toBeGreaterThanOrEqual(59_000);
    expect(delay).toBeLessThan(70_000);

    // Unset the backoff (maxAttempts stays): work()'s 20 ms applies again.
    await admin.queue('backoff').configure({ retry: { baseMs: null, maxMs: null } });
    await waitFor(() => worker.stats().retry.backoff?.baseMs === 20, 20_000, 'the worker to drop the stored backoff');
    const fast = await admin.enqueue('backoff', { n: 2 });
    const dead = await waitFor(async () => {
      const j = await admin.getJob(fast.id);
      return j?.state === 'dead' ? j : null;
    });
    expect(dead.maxAttempts).toBe(3);
    expect(dead.errors).toHaveLength(3);
    await worker.close();
  });
});
