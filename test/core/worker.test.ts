import { describe, expect, it } from 'vitest';
import type { Job, JobContext } from '../../src/index.js';
import { gate, makeRota, migratedDatabase, waitFor, waitForState } from './helpers.js';

const db = await migratedDatabase();
const client = makeRota(db.url);
const worker = makeRota(db.url);

describe('worker', () => {
  it('runs the handler with the job and stores its result', async () => {
    const seen: Array<{ job: Job; ctx: JobContext }> = [];
    worker.work('basic', { concurrency: 2 }, (job, ctx) => {
      seen.push({ job, ctx });
      return { ok: true, echo: job.payload };
    });
    const { id } = await client.enqueue('basic', { n: 1 }, { tenant: 'store-1', priority: 'high', maxAttempts: 3, timeoutMs: 5_000 });
    const done = await waitForState(client, id, 'completed');
    // A finished job reports the timeout it had while live.
    expect(done).toMatchObject({ result: { ok: true, echo: { n: 1 } }, attempt: 1, errors: [], lockedBy: null, timeoutMs: 5_000 });
    expect(done.startedAt).toBeInstanceOf(Date);
    expect(done.finishedAt).toBeInstanceOf(Date);
    expect(seen).toHaveLength(1);
    const { job, ctx } = seen[0] as { job: Job; ctx: JobContext };
    expect(job).toMatchObject({
      id,
      queue: 'basic',
      tenant: 'store-1',
      payload: { n: 1 },
      attempt: 1,
      maxAttempts: 3,
      priority: 'high',
      timeoutMs: 5_000,
    });
    expect(job.createdAt).toBeInstanceOf(Date);
    expect(job.runAt).toBeInstanceOf(Date);
    expect(ctx.signal).toBeInstanceOf(AbortSignal);
    expect(ctx.signal.aborted).toBe(false);
    expect(typeof ctx.log.info).toBe('function');
  });

  it('results of every shape; undefined and unserialisable results are stored as null', async () => {
    const results: Record<string, unknown> = {
      str: 'text',
      num: 42,
      arr: [1, { a: 2 }],
      obj: { nested: { deep: true } },
      undef: undefined,
      big: 10n,
      // Quotes, backslashes, braces, commas and newlines: the batcher sends results as
      // elements of a PostgreSQL array literal (finishParams).
      tricky: { s: 'a"b\\c{d},e\n"NULL" \\"', u: 'ünï € 😀', NULL: null },
    };
    worker.work('results', { concurrency: 3 }, (job) => results[job.payload as string]);
    const ids = await client.enqueueMany(
      'results',
      Object.keys(results).map((k) => ({ payload: k })),
    );
    const stored = await Promise.all(ids.map((r) => waitForState(client, r.id, 'completed')));
    expect(stored.map((j) => j.result)).toEqual([
      'text',
      42,
      [1, { a: 2 }],
      { nested: { deep: true } },
      null,
      null,
      { s: 'a"b\\c{d},e\n"NULL" \\"', u: 'ünï € 😀', NULL: null },
    ]);
  });

  it('an error message with quotes, backslashes, braces and newlines is stored as thrown', async () => {
    const message = 'quote " backslash \\ brace {x} comma , newline \n end \\';
    worker.work('tricky-error', { concurrency: 1 }, () => {
      throw new Error(message);
    });
    const { id } = await client.enqueue('tricky-error', {}, { maxAttempts: 1 });
    const dead = await waitForState(client, id, 'dead');
    expect(dead.errors[0]?.message).toBe(message);
  });

  it('a job enqueued while the worker idles is picked up (notification)', async () => {
    worker.work('idle', {}, () => 'woke');
    await waitFor(async () => (await worker.workers()).some((w) => w.queues.includes('idle')), 10_000, 'worker registration');
    const { id } = await client.enqueue('idle', 1);
    expect((await waitForState(client, id, 'completed')).result).toBe('woke');
  });

  it('delayed jobs do not start before their runAt', async () => {
    worker.work('delayed', {}, () => 'late');
    const { id } = await client.enqueue('delayed', 1, { delayMs: 300 });
    expect((await client.getJob(id))?.state).toBe('scheduled');
    const done = await waitForState(client, id, 'completed');
    // Both times come from the database clock.
    expect(done.startedAt?.getTime()).toBeGreaterThanOrEqual(done.runAt.getTime());
  });

  it('priority tiers run in order: urgent, high, normal, low', async () => {
    const order: string[] = [];
    const priorities = ['low', 'normal', 'urgent', 'high', 'low', 'urgent'] as const;
    await client.enqueueMany(
      'prio',
      priorities.map((priority, i) => ({ payload: `${priority}-${i}`, priority })),
    );
    worker.work('prio', { concurrency: 1 }, (job) => {
      order.push(job.payload as string);
    });
    await waitFor(() => order.length === priorities.length, 10_000, 'all prio jobs');
    expect(order.map((o) => o.split('-')[0])).toEqual(['urgent', 'urgent', 'high', 'normal', 'low', 'low']);
  });

  it('concurrency bounds handlers running at once in the process', async () => {
    let running = 0;
    let peak = 0;
    worker.work('conc', { concurrency: 4 }, async () => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 10));
      running--;
    });
    const ids = await client.enqueueMany(
      'conc',
      Array.from({ length: 40 }, (_, i) => ({ payload: i })),
    );
    await Promise.all(ids.map((r) => waitForState(client, r.id, 'completed')));
    expect(peak).toBeLessThanOrEqual(4);
    expect(peak).toBeGreaterThan(1);
  });

  it('cancel: an available or scheduled job is cancelled and never runs; a running one is not', async () => {
    const ran: unknown[] = [];
    const hold = gate();
    const { id: avail } = await client.enqueue('cancel', 'avail');
    const { id: sched } = await client.enqueue('cancel', 'sched', { delayMs: 60_000 });
    expect(await client.cancel(avail)).toBe(true);
    expect(await client.cancel(sched)).toBe(true);
    expect(await client.getJob(avail)).toMatchObject({ state: 'cancelled', attempt: 0, result: null });
    expect((await client.getJob(sched))?.state).toBe('cancelled');
    expect((await client.getJob(avail))?.finishedAt).toBeInstanceOf(Date);
    // Cancelling twice, or an unknown id, reports false.
    expect(await client.cancel(avail)).toBe(false);
    expect(await client.cancel('9007199254740991')).toBe(false);

    worker.work('cancel', {}, async (job) => {
      ran.push(job.payload);
      await hold.promise;
      return 'finished';
    });
    const { id: running } = await client.enqueue('cancel', 'running');
    await waitFor(() => ran.includes('running'), 10_000, 'the job to start');
    expect(await client.cancel(running)).toBe(false);
    hold.open();
    expect((await waitForState(client, running, 'completed')).result).toBe('finished');
    expect(ran).toEqual(['running']);
    // Finished jobs cannot be cancelled either.
    expect(await client.cancel(running)).toBe(false);
  });

  it('errors carry `at` in one ISO format, whoever wrote them', async () => {
    let first = true;
    worker.work('iso-at', { retry: { baseMs: 0, maxMs: 0 } }, () => {
      if (first) {
        first = false;
        throw new Error('once');
      }
      return null;
    });
    const { id } = await client.enqueue('iso-at', null, { maxAttempts: 3 });
    const done = await waitForState(client, id, 'completed');
    const iso = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
    expect(done.errors.map((e) => e.at)).toEqual([expect.stringMatching(iso)]);
    // Errors written by SQL (rescue) in PostgreSQL's own format read back the same way.
    await db.sql.query(
      `UPDATE rota.jobs_done SET errors = jsonb_build_array(jsonb_build_object(
      'attempt', 1, 'at', '2026-11-29T21:38:38.123456+00:00', 'name', 'LeaseExpired', 'message', 'm')) WHERE id = $1`,
      [id],
    );
    expect((await client.getJob(id))?.errors[0]?.at).toBe('2026-11-29T21:38:38.123Z');
  });

  it('getJob of an unknown id is null', async () => {
    expect(await client.getJob('123456789')).toBeNull();
  });

  it('emits job:completed and counts it in stats()', async () => {
    const events: Array<{ id: string; result: unknown }> = [];
    worker.on('job:completed', (e) => {
      if (e.job.queue === 'events') events.push({ id: e.job.id, result: e.result });
    });
    worker.work('events', {}, () => 7);
    const { id } = await client.enqueue('events', 1);
    await waitForState(client, id, 'completed');
    expect(events).toEqual([{ id, result: 7 }]);
    expect(worker.stats().completed).toBeGreaterThan(0);
    expect(worker.stats().flushes).toBeGreaterThan(0);
  });

  it('worker.stop() stops one queue; the others keep working', async () => {
    const w1 = worker.work('stop-a', {}, () => 'a');
    worker.work('stop-b', {}, () => 'b');
    await w1.stop();
    const { id: a } = await client.enqueue('stop-a', 1);
    const { id: b } = await client.enqueue('stop-b', 1);
    await waitForState(client, b, 'completed');
    expect((await client.getJob(a))?.state).toBe('available');
  });
});

describe('restarting work after the last worker stopped', () => {
  it('a later work() call gets a fresh runtime and processes jobs', async () => {
    const r = makeRota(db.url);
    try {
      const first = r.work('again', { concurrency: 1 }, async () => 'first');
      await first.stop();
      const { id } = await r.enqueue('again', { n: 1 });
      r.work('again', { concurrency: 1 }, async () => 'second');
      const job = await waitFor(async () => {
        const j = await r.getJob(id);
        return j?.state === 'completed' ? j : null;
      });
      expect(job.result).toBe('second');
    } finally {
      await r.close();
    }
  });
});
