/**
 * Dead-worker detection by session (src/worker/sessions.ts): a SIGKILLed worker's jobs
 * are rescued as soon as its database sessions are gone, long before their lease ends;
 * a live, connected worker keeps its jobs however long it stops responding.
 */
import { describe, expect, it } from 'vitest';
import { spawnWorker } from '../support/spawn.js';
import { closeRota, makeRota, migratedDatabase, stopChildren, waitFor } from './helpers.js';

const db = await migratedDatabase();

interface Done {
  id: string;
  state: string;
  attempt: number;
  errors: Array<{ name: string; at: string; attempt: number }>;
}

async function finished(queue: string): Promise<Done[]> {
  const res = await db.sql.query<Done>('SELECT id::text, state, attempt, errors FROM rota.jobs_done WHERE queue = $1 ORDER BY id', [queue]);
  return res.rows;
}

describe('dead workers are found by their sessions', () => {
  it('SIGKILL: the jobs the dead worker held run again before their (default 30 s) lease expires', async () => {
    const queue = 'sessions-kill';
    // Its handlers never finish: whatever it holds is held when it dies.
    const victim = spawnWorker({ DATABASE_URL: db.url, QUEUE: queue, CONCURRENCY: '2', JOB_MS: '600000' });
    try {
      await victim.ready;
      const producer = makeRota(db.url);
      await producer.enqueueMany(
        queue,
        Array.from({ length: 2 }, (_, i) => ({ payload: i })),
      );
      const pid = victim.child.pid as number;
      const held = await waitFor(
        async () => {
          const res = await db.sql.query<{ id: string; lease: Date }>(
            "SELECT id::text, lease_expires_at AS lease FROM rota.jobs WHERE state = 'running' AND locked_by LIKE $1",
            [`%:${pid}:%`],
          );
          return res.rows.length === 2 ? res.rows : null;
        },
        30_000,
        'the victim to hold both jobs',
      );
      // Registered (which a worker does once its LISTEN session is up).
      await waitFor(async () => {
        const r = await db.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM rota.workers WHERE pid = $1', [pid]);
        return r.rows[0]?.n === 1;
      });
      // A survivor with default settings (lease 30 s, rescue every 5 s).
      const survivor = makeRota(db.url, { pollIntervalMs: 1_000 });
      survivor.work(queue, { concurrency: 2 }, () => 'rerun');
      victim.child.kill('SIGKILL');
      expect(await victim.exited).toBe('SIGKILL');

      const done = await waitFor(async () => {
        const rows = await finished(queue);
        return rows.length === 2 ? rows : null;
      }, 60_000);
      for (const job of done) {
        const lease = held.find((h) => h.id === job.id)?.lease as Date;
        expect(job).toMatchObject({ state: 'completed', attempt: 2, errors: [{ name: 'WorkerLost', attempt: 1 }] });
        // Rescued because the sessions ended, not because the lease ran out.
        expect(new Date(job.errors[0]?.at as string).getTime()).toBeLessThan(lease.getTime());
      }
      // The dead worker is forgotten; the survivor is still registered.
      const workers = await db.sql.query<{ id: string }>('SELECT id FROM rota.workers');
      expect(workers.rows.map((w) => w.id)).toEqual([survivor.workerId]);
      await closeRota(survivor);
      await closeRota(producer);
    } finally {
      await stopChildren([victim]);
    }
  });

  it('rota.workers() stops listing a killed worker at once, even with no other worker to rescue its jobs', async () => {
    const lone = spawnWorker({ DATABASE_URL: db.url, QUEUE: 'sessions-lone', CONCURRENCY: '1' });
    const observer = makeRota(db.url);
    try {
      await lone.ready;
      const pid = lone.child.pid as number;
      await waitFor(async () => (await observer.workers()).some((w) => w.pid === pid), 20_000, 'the worker to register');
      lone.child.kill('SIGKILL');
      await lone.exited;
      // Its heartbeat is still fresh (up to a minute old counts as live); its session is not.
      await waitFor(async () => !(await observer.workers()).some((w) => w.pid === pid), 10_000, 'the dead worker to drop out');
      const row = await db.sql.query('SELECT 1 FROM rota.workers WHERE pid = $1', [pid]);
      expect(row.rowCount).toBe(1);
      // Forget it, or the next test's observer counts it as a worker it lost.
      await db.sql.query('DELETE FROM rota.workers WHERE pid = $1', [pid]);
    } finally {
      await closeRota(observer);
      await stopChildren([lone]);
    }
  });

  it('a live worker whose event loop is stalled (no heartbeats, no replies) keeps its jobs: each runs once', async () => {
    const queue = 'sessions-stall';
    // An observer process, itself checking every worker's sessions several times a second
    // (a short lease of its own so it reports its counters every second).
    const observer = spawnWorker({ DATABASE_URL: db.url, QUEUE: 'sessions-observer', ROTA_OPTIONS: JSON.stringify({ leaseMs: 3_000 }) });
    try {
      await observer.ready;
      const stalled = makeRota(db.url);
      const producer = makeRota(db.url);
      const runs: string[] = [];
      stalled.work(queue, { concurrency: 1 }, (job) => {
        runs.push(job.id);
        // Blocks this process's event loop for 1.5 s: nothing is sent or answered.
        const until = Date.now() + 1_500;
        while (Date.now() < until) {}
        return null;
      });
      await producer.enqueueMany(
        queue,
        Array.from({ length: 4 }, (_, i) => ({ payload: i })),
      );
      const done = await waitFor(async () => {
        const rows = await finished(queue);
        return rows.length === 4 ? rows : null;
      }, 60_000);
      expect(done.map((j) => ({ state: j.state, attempt: j.attempt, errors: j.errors }))).toEqual(
        Array.from({ length: 4 }, () => ({ state: 'completed', attempt: 1, errors: [] })),
      );
      expect(new Set(runs).size).toBe(runs.length);
      // The observer did look meanwhile (and found nobody gone).
      const seen = await db.sql.query<{ checks: number; lost: number }>(
        `SELECT (stats -> 'sessions' ->> 'checks')::int AS checks, (stats -> 'sessions' ->> 'workersLost')::int AS lost
           FROM rota.workers WHERE pid = $1`,
        [observer.child.pid],
      );
      expect(seen.rows[0]?.checks).toBeGreaterThan(5);
      expect(seen.rows[0]?.lost).toBe(0);
      await closeRota(stalled);
      await closeRota(producer);
    } finally {
      await stopChildren([observer]);
    }
  });
});
