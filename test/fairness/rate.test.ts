/**
 * Rate limits (token buckets) hold: over any window, no more jobs are claimed than
 * the burst plus the rate allows, per tenant and per queue. And a handler's 429 holds
 * its tenant (or its queue) for the given time, with its job retried afterwards without
 * being charged an attempt.
 */
import { describe, expect, it } from 'vitest';
import { loadQuery } from '../../src/db/sql.js';
import { RateLimitedError } from '../../src/index.js';
import { finishParams } from '../../src/worker/batcher.js';
import { waitFor } from '../support/db.js';
import { claimer, makeRota, migratedDatabase } from './helpers.js';

const db = await migratedDatabase();
const rota = makeRota(db.url);

/** Claim times (ms, database clock) of a queue's finished jobs, optionally of one tenant. */
async function claimTimes(queue: string, tenant?: string): Promise<number[]> {
  const res = await db.sql.query<{ t: number }>(
    `SELECT extract(epoch FROM started_at) * 1000 AS t FROM rota.jobs_done
      WHERE queue = $1 AND ($2::text IS NULL OR tenant = $2) ORDER BY started_at`,
    [queue, tenant ?? null],
  );
  return res.rows.map((r) => Number(r.t));
}

/** The largest excess over burst + rate × window, over every window between two claims. */
function worstExcess(times: number[], perMs: number, burst: number): number {
  let worst = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < times.length; i++) {
    for (let j = i; j < times.length; j++) {
      const allowed = burst + perMs * ((times[j] as number) - (times[i] as number));
      worst = Math.max(worst, j - i + 1 - allowed);
    }
  }
  return worst;
}

describe('rate limits', () => {
  it("a tenant's rate holds over every window; other tenants are not slowed down", async () => {
    const queue = 'tenant-rate';
    await rota.queue(queue).configure({}, { create: true });
    await rota.tenant(queue, 'metered').configure({ rate: { limit: 20, periodMs: 1000, burst: 2 } });
    await rota.enqueueMany(queue, [
      ...Array.from({ length: 24 }, (_, i) => ({ payload: i, tenant: 'metered' })),
      ...Array.from({ length: 24 }, (_, i) => ({ payload: i, tenant: 'free' })),
    ]);
    let metered = 0;
    let free = 0;
    let meteredWhenFreeDone = -1;
    rota.work(queue, { concurrency: 4 }, (job) => {
      if (job.tenant === 'metered') metered++;
      else if (++free === 24) meteredWhenFreeDone = metered;
    });
    await waitFor(() => metered === 24, 30_000, 'the metered tenant to finish');
    expect(meteredWhenFreeDone).toBeLessThan(12);
    // One job of slack: token arithmetic and the stored claim time are a few µs apart.
    expect(worstExcess(await claimTimes(queue, 'metered'), 20 / 1000, 2)).toBeLessThanOrEqual(1);
  });

  it("a queue's rate holds across all its tenants", async () => {
    const queue = 'queue-rate';
    await rota.queue(queue).configure({ rate: { limit: 50, periodMs: 1000, burst: 5 } }, { create: true });
    await rota.enqueueMany(
      queue,
      Array.from({ length: 40 }, (_, i) => ({ payload: i, tenant: `t${i % 4}` })),
    );
    let done = 0;
    const worker = makeRota(db.url);
    worker.work(queue, { concurrency: 8 }, () => {
      done++;
    });
    await waitFor(() => done === 40, 30_000, 'the queue to drain');
    expect(worstExcess(await claimTimes(queue), 50 / 1000, 5)).toBeLessThanOrEqual(1);
  });
});

describe('ctx.rateLimit(ms)', () => {
  it('holds the tenant for ms, retries the job after it, and charges no attempt', async () => {
    const queue = 'told-429';
    await rota.enqueueMany(queue, [
      ...Array.from({ length: 6 }, (_, i) => ({ payload: i, tenant: 'a', maxAttempts: 1 })),
      ...Array.from({ length: 6 }, (_, i) => ({ payload: i, tenant: 'b' })),
    ]);
    const starts: Array<{ tenant: string; at: number }> = [];
    let heldAt = 0;
    let limitedId = '';
    const worker = makeRota(db.url);
    worker.work(queue, { concurrency: 2 }, async (job, ctx) => {
      starts.push({ tenant: job.tenant, at: Date.now() });
      if (job.tenant === 'a' && heldAt === 0) {
        heldAt = Date.now();
        limitedId = job.id;
        ctx.rateLimit(300);
      }
      await new Promise((r) => setTimeout(r, 40));
    });
    await waitFor(() => starts.length === 13, 30_000, 'every job to run');
    const during = starts.filter((s) => s.at > heldAt && s.at < heldAt + 280);
    expect(during.length).toBeGreaterThan(0);
    expect(during.every((s) => s.tenant === 'b')).toBe(true);
    const job = await waitFor(async () => {
      const j = await worker.getJob(limitedId);
      return j?.state === 'completed' ? j : null;
    });
    // maxAttempts 1 and it ran twice: the rate-limited run was not charged.
    expect(job.attempt).toBe(1);
    expect(job.errors).toEqual([]);
  });

  it('the hold applies in the claim at once, also to a tenant whose lanes it had found plain', async () => {
    // The claim skips the tenant row of tenants with default settings; a hold makes a
    // tenant not plain, and the claim must read its row again from the next claim on.
    const queue = 'hold-plain';
    await rota.enqueueMany(queue, [
      ...Array.from({ length: 6 }, (_, i) => ({ payload: i, tenant: 'held' })),
      ...Array.from({ length: 6 }, (_, i) => ({ payload: i, tenant: 'free' })),
      ...Array.from({ length: 3 }, (_, i) => ({ payload: i, tenant: 'held', priority: 'high' as const })),
    ]);
    const claim = claimer(db.url);
    const first = await claim(queue, 4); // both tenants' lanes served: found plain
    expect(first.filter((r) => r.tenant === 'held').length).toBeGreaterThan(0);
    const job = first.find((r) => r.tenant === 'held' && r.priority === 1) ?? first.find((r) => r.tenant === 'held');
    await db.sql.query(
      loadQuery('finish_batch', 'rota'),
      finishParams([
        { id: String(job?.id), attempt: job?.attempt as number, kind: 'rate-limit', result: null, error: null, delayMs: 60_000 },
      ]),
    );
    const next = await claim(queue, 20);
    expect(next.filter((r) => r.tenant === 'held')).toEqual([]);
    expect(next.filter((r) => r.tenant === 'free').length).toBeGreaterThan(0);
  });

  it("RateLimitedError with scope 'queue' holds every tenant of the queue", async () => {
    const queue = 'queue-429';
    await rota.enqueueMany(
      queue,
      Array.from({ length: 12 }, (_, i) => ({ payload: i, tenant: `t${i % 3}` })),
    );
    const starts: number[] = [];
    let heldAt = 0;
    const worker = makeRota(db.url);
    worker.work(queue, { concurrency: 3 }, async () => {
      starts.push(Date.now());
      if (heldAt === 0) {
        heldAt = Date.now();
        throw new RateLimitedError(300, { scope: 'queue' });
      }
      await new Promise((r) => setTimeout(r, 20));
    });
    await waitFor(() => starts.length === 13, 30_000, 'every job to run');
    // The first claim's three handlers start together, before the first one's 429 is
    // known (on a loaded machine a millisecond or so after heldAt); every later start
    // must wait for the hold.
    expect(starts.slice(3).filter((at) => at > heldAt && at < heldAt + 280)).toEqual([]);
  });
});
