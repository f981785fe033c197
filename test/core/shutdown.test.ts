import { afterAll, describe, expect, it } from 'vitest';
import type { Rota, Worker } from '../../src/index.js';
import { gate, makeRota, migratedDatabase, stateCounts, waitFor, waitForState } from './helpers.js';

const db = await migratedDatabase();
const client = makeRota(db.url);

async function runningIds(queue: string): Promise<string[]> {
  const res = await db.sql.query<{ id: string }>("SELECT id::text FROM rota.jobs WHERE queue = $1 AND state = 'running'", [queue]);
  return res.rows.map((r) => r.id);
}

describe('graceful shutdown', () => {
  const ways: Array<[string, (rota: Rota, w: Worker) => Promise<void>]> = [
    ['worker.stop()', (_rota, w) => w.stop()],
    ['rota.close()', (rota) => rota.close()],
  ];

  it.each(ways)('%s returns claimed-but-unstarted jobs uncharged and waits for in-flight ones', async (name, stop) => {
    const queue = `drain-${name.replace(/\W+/g, '')}`;
    const rota = makeRota(db.url, { shutdownTimeoutMs: 60_000 });
    const hold = gate();
    const started: string[] = [];
    const w = rota.work(queue, { concurrency: 2 }, async (job) => {
      if (job.payload === 'warm-up') {
        await new Promise((r) => setTimeout(r, 5));
        return 'warm';
      }
      started.push(job.id);
      await hold.promise;
      return 'finished';
    });
    try {
      // A burst of short jobs first: the worker's completion rate sizes its prefetch.
      await client.enqueueMany(
        queue,
        Array.from({ length: 200 }, () => ({ payload: 'warm-up' })),
      );
      await waitFor(async () => (await stateCounts(db, queue)).completed === 200, 20_000, 'the warm-up jobs');
      const ids = (
        await client.enqueueMany(
          queue,
          Array.from({ length: 20 }, (_, i) => ({ payload: i })),
        )
      ).map((r) => r.id);

      // Two handlers run; the claim loop has prefetched more that have not started.
      const claimed = await waitFor(
        async () => {
          const running = await runningIds(queue);
          return started.length === 2 && running.length > 2 ? running : null;
        },
        10_000,
        'prefetched jobs beyond the running ones',
      );
      const buffered = claimed.filter((id) => !started.includes(id));
      expect(buffered.length).toBeGreaterThan(0);

      let stopped = false;
      const stopping = stop(rota, w).then(() => {
        stopped = true;
      });
      // Buffered jobs go back at once, their attempt given back ...
      await waitFor(
        async () => {
          const jobs = await Promise.all(buffered.map((id) => client.getJob(id)));
          return jobs.every((j) => j?.state === 'available' && j.attempt === 0 && j.errors.length === 0);
        },
        10_000,
        'buffered jobs to be released',
      );
      // ... while stop() still waits for the two running handlers.
      expect(stopped).toBe(false);
      hold.open();
      await stopping;

      // Everything was written before stop resolved: no polling from here on.
      for (const id of started) expect(await client.getJob(id)).toMatchObject({ state: 'completed', result: 'finished', attempt: 1 });
      expect(started).toHaveLength(2);
      expect(await stateCounts(db, queue)).toEqual({ completed: 202, available: 18 });
      for (const id of ids.filter((i) => !started.includes(i))) {
        expect(await client.getJob(id)).toMatchObject({ state: 'available', attempt: 0, errors: [], lockedBy: null });
      }
    } finally {
      hold.open();
    }
  });

  describe('after shutdownTimeoutMs', () => {
    const ignored = gate();
    afterAll(() => ignored.open());

    it('in-flight jobs are aborted and fail retryably', async () => {
      const rota = makeRota(db.url, { shutdownTimeoutMs: 200 });
      const started: string[] = [];
      const reasons: string[] = [];
      rota.work('abort', { concurrency: 2, retry: { baseMs: 10, maxMs: 50 } }, async (job, ctx) => {
        started.push(job.id);
        if (job.payload === 'cooperative') {
          await new Promise((_, reject) =>
            ctx.signal.addEventListener('abort', () => {
              reasons.push((ctx.signal.reason as Error).name);
              reject(ctx.signal.reason);
            }),
          );
        }
        await ignored.promise; // ignores its signal entirely
        return 'never stored';
      });
      const [coop, deaf] = await client.enqueueMany('abort', [{ payload: 'cooperative' }, { payload: 'ignores signal' }]);
      await waitFor(() => started.length === 2, 10_000, 'both jobs to start');
      await rota.close();

      expect(reasons).toEqual(['ShutdownAbortError']);
      for (const r of [coop, deaf]) {
        const job = await client.getJob(r?.id ?? '');
        expect(['available', 'scheduled']).toContain(job?.state);
        expect(job?.attempt).toBe(1);
        expect(job?.errors).toMatchObject([{ attempt: 1, name: 'ShutdownAbortError' }]);
      }

      // Retryable: another worker finishes them.
      const next = makeRota(db.url);
      next.work('abort', { retry: { baseMs: 10, maxMs: 50 } }, () => 'second try');
      for (const r of [coop, deaf]) {
        expect(await waitForState(client, r?.id ?? '', 'completed')).toMatchObject({ attempt: 2, result: 'second try' });
      }
      await next.close();
    });

    it('a job aborted by shutdown on its last attempt is retried, not dead', async () => {
      const rota = makeRota(db.url, { shutdownTimeoutMs: 100 });
      let started = false;
      rota.work('abort-last', { concurrency: 1 }, async (_job, ctx) => {
        started = true;
        await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
      });
      const { id } = await client.enqueue('abort-last', 'slow', { maxAttempts: 1 });
      await waitFor(() => started, 10_000, 'the job to start');
      await rota.close();
      const job = await client.getJob(id);
      expect(job?.state).toBe('available');
      expect(job?.errors).toMatchObject([{ attempt: 1, name: 'ShutdownAbortError' }]);
    });
  });

  it('in-flight jobs keep their lease while stop() waits for them (no second run elsewhere)', async () => {
    // A short lease (renewed every 200 ms) that a busy 2-core machine still renews in time.
    const opts = { leaseMs: 600, rescueIntervalMs: 50, shutdownTimeoutMs: 60_000 };
    const rota = makeRota(db.url, opts);
    const hold = gate();
    const runs: string[] = [];
    rota.work('long-drain', {}, async () => {
      runs.push('first');
      await hold.promise;
      return 'first';
    });
    const { id } = await client.enqueue('long-drain', 1);
    await waitFor(() => runs.length === 1, 10_000, 'the job to start');
    // Another live process working the same queue would pick the job up if its lease lapsed.
    const other = makeRota(db.url, opts);
    other.work('long-drain', {}, () => {
      runs.push('other');
      return 'other';
    });
    const stopping = rota.close();
    const leaseAt = async () =>
      (await db.sql.query<{ t: Date }>('SELECT lease_expires_at AS t FROM rota.jobs WHERE id = $1', [id])).rows[0]?.t.getTime() ?? 0;
    const first = await leaseAt();
    // Several lease lengths later the lease is still being renewed by the stopping process.
    let renewals = 0;
    let last = first;
    await waitFor(
      async () => {
        const t = await leaseAt();
        if (t > last) renewals++;
        last = t;
        return renewals >= 4;
      },
      10_000,
      'lease renewals during shutdown',
    );
    hold.open();
    await stopping;
    expect(await client.getJob(id)).toMatchObject({ state: 'completed', result: 'first', attempt: 1, errors: [] });
    expect(runs).toEqual(['first']);
    await other.close();
  });

  it('every status update is flushed before close resolves', async () => {
    // Updates would otherwise sit in the batcher for a minute.
    const rota = makeRota(db.url, { batchSize: 100_000, batchIntervalMs: 60_000 });
    let ran = 0;
    rota.work('flush-on-close', { concurrency: 10 }, () => {
      ran++;
      return { ran };
    });
    await client.enqueueMany(
      'flush-on-close',
      Array.from({ length: 200 }, (_, i) => ({ payload: i })),
    );
    await waitFor(() => ran === 200, 20_000, 'every handler to run');
    expect((await stateCounts(db, 'flush-on-close')).completed ?? 0).toBe(0);
    await rota.close();
    expect(await stateCounts(db, 'flush-on-close')).toEqual({ completed: 200 });
  });

  it("worker.stop() of one queue while a claim for it is in flight: the claim's jobs go back, none runs", async () => {
    // Slow the claim down inside the database: taking a 'race' job sleeps a second, so
    // the claim is still in flight when the queue is stopped.
    await db.sql.query(`
      CREATE FUNCTION public.slow_claim() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.queue = 'race' AND NEW.state = 'running' AND OLD.state <> 'running' THEN PERFORM pg_sleep(1); END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER slow_claim BEFORE UPDATE ON rota.jobs FOR EACH ROW EXECUTE FUNCTION public.slow_claim();`);
    const rota = makeRota(db.url);
    try {
      let stopped = false;
      const ranAfterStop: string[] = [];
      rota.work('race-other', {}, () => null);
      const w = rota.work('race', {}, (job) => {
        if (stopped) ranAfterStop.push(job.id);
        return null;
      });
      const ids = (await client.enqueueMany('race', [{ payload: 1 }, { payload: 2 }])).map((r) => r.id);
      await waitFor(
        async () => {
          const res = await db.sql.query<{ n: number }>(
            "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND wait_event = 'PgSleep'",
            [db.name],
          );
          return (res.rows[0]?.n ?? 0) > 0;
        },
        10_000,
        'a claim in flight',
      );
      await w.stop();
      stopped = true;
      const jobs = await waitFor(
        async () => {
          const all = await Promise.all(ids.map((id) => client.getJob(id)));
          // At least one was claimed (started_at is set) and all are back.
          const back = all.every((j) => j?.state === 'available' && j.lockedBy === null) && all.some((j) => j?.startedAt !== null);
          return back || ranAfterStop.length > 0 ? all : null;
        },
        10_000,
        'the late-claimed jobs to be given back',
      );
      expect(ranAfterStop).toEqual([]);
      // The claim that returned after stop() gave its jobs back unrun, their attempt not charged.
      for (const j of jobs) expect(j).toMatchObject({ state: 'available', attempt: 0, errors: [] });
    } finally {
      await rota.close();
      await db.sql.query('DROP TRIGGER slow_claim ON rota.jobs; DROP FUNCTION public.slow_claim()');
    }
  });

  it('close() twice, and stop() after close, are harmless', async () => {
    const rota = makeRota(db.url);
    const w = rota.work('twice', {}, () => null);
    await rota.close();
    await rota.close();
    await w.stop();
  });

  it('close() right after work() leaves no worker row behind', async () => {
    // The start-up registers the process asynchronously; close() must wait for it.
    for (let i = 0; i < 5; i++) {
      const rota = makeRota(db.url);
      rota.work(`quick-close-${i}`, {}, () => null);
      await rota.close();
      // A late registration would land after close() resolved: give it time to.
      await new Promise((r) => setTimeout(r, 200));
      const rows = await db.sql.query('SELECT id FROM rota.workers WHERE id = $1', [rota.workerId]);
      expect(rows.rowCount).toBe(0);
    }
  });
});
