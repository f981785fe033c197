import { afterAll, describe, expect, it } from 'vitest';
import { PermanentError, RateLimitedError, SnoozeError } from '../../src/index.js';
import { gate, makeRota, migratedDatabase, waitFor, waitForState } from './helpers.js';

const db = await migratedDatabase();
const client = makeRota(db.url);
const worker = makeRota(db.url);
const fast = { retry: { baseMs: 10, maxMs: 50 } };

describe('retries', () => {
  it('a failing job is retried with its attempt charged, then completes', async () => {
    const attempts: number[] = [];
    worker.work('flaky', fast, (job) => {
      attempts.push(job.attempt);
      if (job.attempt < 3) throw new Error(`flaky ${job.attempt}`);
      return 'third time lucky';
    });
    const { id } = await client.enqueue('flaky', 1, { maxAttempts: 5 });
    const done = await waitForState(client, id, 'completed');
    expect(attempts).toEqual([1, 2, 3]);
    expect(done.attempt).toBe(3);
    expect(done.result).toBe('third time lucky');
    expect(done.errors.map((e) => [e.attempt, e.name, e.message])).toEqual([
      [1, 'Error', 'flaky 1'],
      [2, 'Error', 'flaky 2'],
    ]);
    expect(done.errors[0]?.stack).toContain('flaky 1');
    expect(Number.isNaN(Date.parse(done.errors[0]?.at ?? ''))).toBe(false);
  });

  it('a failed attempt waits out its backoff as a scheduled job', async () => {
    let runs = 0;
    worker.work('backoff', { retry: { baseMs: 1_500, maxMs: 1_500, jitter: 0 } }, () => {
      runs++;
      if (runs === 1) throw new Error('first attempt fails');
      return 'ok';
    });
    const { id } = await client.enqueue('backoff', 1);
    const waiting = await waitForState(client, id, 'scheduled');
    expect(waiting.attempt).toBe(1);
    expect(waiting.errors).toHaveLength(1);
    // Both from the database clock: the retry is due after the failed attempt started.
    expect(waiting.runAt.getTime()).toBeGreaterThan(waiting.startedAt?.getTime() ?? 0);
    expect(runs).toBe(1);
    const done = await waitForState(client, id, 'completed');
    expect(done.attempt).toBe(2);
    expect(done.startedAt?.getTime()).toBeGreaterThanOrEqual(waiting.runAt.getTime());
  });

  it('after the last attempt the job is dead with every attempt’s error', async () => {
    const failures: Array<{ attempt: number; willRetry: boolean }> = [];
    worker.on('job:failed', (e) => {
      if (e.job.queue === 'doomed') failures.push({ attempt: e.job.attempt, willRetry: e.willRetry });
    });
    worker.work('doomed', fast, (job) => {
      throw new TypeError(`attempt ${job.attempt} failed`);
    });
    const { id } = await client.enqueue('doomed', 1, { maxAttempts: 3 });
    const dead = await waitForState(client, id, 'dead');
    expect(dead.attempt).toBe(3);
    expect(dead.result).toBeNull();
    expect(dead.finishedAt).toBeInstanceOf(Date);
    expect(dead.errors.map((e) => [e.attempt, e.name, e.message])).toEqual([
      [1, 'TypeError', 'attempt 1 failed'],
      [2, 'TypeError', 'attempt 2 failed'],
      [3, 'TypeError', 'attempt 3 failed'],
    ]);
    expect(failures).toEqual([
      { attempt: 1, willRetry: true },
      { attempt: 2, willRetry: true },
      { attempt: 3, willRetry: false },
    ]);
  });

  it('PermanentError: dead at once, attempts left unused', async () => {
    let runs = 0;
    worker.work('permanent', fast, () => {
      runs++;
      throw new PermanentError('bad input, do not retry');
    });
    const { id } = await client.enqueue('permanent', 1, { maxAttempts: 5 });
    const dead = await waitForState(client, id, 'dead');
    expect(runs).toBe(1);
    expect(dead.attempt).toBe(1);
    expect(dead.errors).toMatchObject([{ attempt: 1, name: 'PermanentError', message: 'bad input, do not retry' }]);
  });

  it('thrown non-Errors (string, object, undefined, null, number, cycle) are recorded', async () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const thrown: Record<string, unknown> = {
      str: 'plain string',
      obj: { code: 42 },
      undef: undefined,
      nul: null,
      num: 7,
      cyclic,
    };
    worker.work('weird-throws', fast, (job) => {
      throw thrown[job.payload as string];
    });
    const ids = await client.enqueueMany(
      'weird-throws',
      Object.keys(thrown).map((k) => ({ payload: k, maxAttempts: 1 })),
    );
    const dead = await Promise.all(ids.map((r) => waitForState(client, r.id, 'dead')));
    const messages = dead.map((j) => {
      expect(j.errors).toHaveLength(1);
      expect(j.errors[0]?.name).toBe('Error');
      return j.errors[0]?.message;
    });
    expect(messages).toEqual([
      'non-Error thrown: plain string',
      'non-Error thrown: {"code":42}',
      'non-Error thrown: undefined',
      'non-Error thrown: null',
      'non-Error thrown: 7',
      'non-Error thrown: [object Object]',
    ]);
  });

  it('a thrown non-Error is retried like any failure', async () => {
    worker.work('string-retry', fast, (job) => {
      if (job.attempt === 1) throw 'try again';
      return 'done';
    });
    const { id } = await client.enqueue('string-retry', 1);
    const done = await waitForState(client, id, 'completed');
    expect(done.attempt).toBe(2);
    expect(done.errors[0]?.message).toBe('non-Error thrown: try again');
  });
});

describe('timeouts', () => {
  const hung = gate();
  afterAll(() => hung.open());

  it('timeoutMs aborts ctx.signal and fails the attempt', async () => {
    const reasons: string[] = [];
    worker.work('timeout', fast, async (_job, ctx) => {
      await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
      reasons.push((ctx.signal.reason as Error).name);
      return 'too late';
    });
    const { id } = await client.enqueue('timeout', 1, { timeoutMs: 100, maxAttempts: 1 });
    const dead = await waitForState(client, id, 'dead');
    expect(reasons).toEqual(['TimeoutError']);
    expect(dead.result).toBeNull();
    expect(dead.errors).toMatchObject([{ attempt: 1, name: 'TimeoutError', message: 'job timed out after 100 ms' }]);
  });

  it('a handler that ignores its signal still fails the attempt and frees its slot', async () => {
    const started: number[] = [];
    worker.work('timeout-ignored', { concurrency: 1, ...fast }, async (job) => {
      started.push(job.payload as number);
      if (job.payload === 1) await hung.promise; // never settles during the test
      return 'fine';
    });
    const { id: stuck } = await client.enqueue('timeout-ignored', 1, { timeoutMs: 100, maxAttempts: 1 });
    const dead = await waitForState(client, stuck, 'dead');
    expect(dead.errors[0]?.name).toBe('TimeoutError');
    // Concurrency 1: the next job runs although the first handler never returned.
    const { id: next } = await client.enqueue('timeout-ignored', 2);
    expect((await waitForState(client, next, 'completed')).result).toBe('fine');
    expect(started).toEqual([1, 2]);
  });

  it('a timed-out attempt is retried', async () => {
    worker.work('timeout-retry', fast, async (job, ctx) => {
      if (job.attempt === 1) await new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason)));
      return job.attempt;
    });
    const { id } = await client.enqueue('timeout-retry', 1, { timeoutMs: 100 });
    const done = await waitForState(client, id, 'completed');
    expect(done.result).toBe(2);
    expect(done.errors.map((e) => e.name)).toEqual(['TimeoutError']);
  });

  it("the worker's timeoutMs applies to jobs without their own; a job's own wins", async () => {
    worker.work('timeout-default', { timeoutMs: 100, ...fast }, async (job, ctx) => {
      const ms = job.payload as number;
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(resolve, ms);
        ctx.signal.addEventListener('abort', () => {
          clearTimeout(t);
          reject(ctx.signal.reason);
        });
      });
      return { timeoutMs: job.timeoutMs };
    });
    const { id: defaulted } = await client.enqueue('timeout-default', 10_000, { maxAttempts: 1 });
    const { id: own } = await client.enqueue('timeout-default', 300, { timeoutMs: 10_000, maxAttempts: 1 });
    expect((await waitForState(client, defaulted, 'dead')).errors[0]?.name).toBe('TimeoutError');
    expect((await waitForState(client, own, 'completed')).result).toEqual({ timeoutMs: 10_000 });
  });
});

describe('snooze and rate limits do not charge an attempt', () => {
  const cases: Array<[string, (ctx: { snooze(ms: number): never; rateLimit(ms: number): never }) => never]> = [
    ['ctx.snooze', (ctx) => ctx.snooze(20)],
    ['ctx.rateLimit', (ctx) => ctx.rateLimit(20)],
    [
      'throw RateLimitedError',
      () => {
        throw new RateLimitedError(20);
      },
    ],
    [
      'throw SnoozeError',
      () => {
        throw new SnoozeError(20);
      },
    ],
  ];
  it.each(cases)('%s', async (name, giveUp) => {
    const queue = `snooze-${name.replace(/\W+/g, '-')}`;
    const attempts: number[] = [];
    worker.work(queue, fast, (job, ctx) => {
      attempts.push(job.attempt);
      if (attempts.length <= 2) giveUp(ctx);
      return 'ran';
    });
    const { id } = await client.enqueue(queue, 1, { maxAttempts: 1 });
    const done = await waitForState(client, id, 'completed');
    // maxAttempts 1, yet it ran three times: the first two gave their attempt back.
    expect(attempts).toEqual([1, 1, 1]);
    expect(done).toMatchObject({ attempt: 1, errors: [], result: 'ran' });
    expect(worker.stats().snoozed).toBeGreaterThanOrEqual(2);
  });

  it('a snoozed job waits as scheduled with no attempt charged', async () => {
    let runs = 0;
    worker.work('snooze-long', fast, (_job, ctx) => {
      runs++;
      ctx.snooze(60_000);
    });
    const { id } = await client.enqueue('snooze-long', 1);
    const job = await waitFor(
      async () => {
        const j = await client.getJob(id);
        return j?.state === 'scheduled' && runs === 1 ? j : null;
      },
      10_000,
      'the snoozed job',
    );
    expect(job.attempt).toBe(0);
    expect(job.errors).toEqual([]);
    expect(job.runAt.getTime()).toBeGreaterThan(job.startedAt?.getTime() ?? 0);
    expect(await client.cancel(id)).toBe(true);
  });
});
