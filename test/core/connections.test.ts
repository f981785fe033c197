import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { Rota } from '../../src/index.js';
import { closeRota, makeRota, migratedDatabase, recordingLogger, stateCounts, waitFor } from './helpers.js';

const db = await migratedDatabase();
// The enqueuing side gets its own application_name so it is not counted as the worker's.
const clientUrl = `${db.url}?application_name=rota-test-client`;
const client = makeRota(clientUrl);

/** Connections to this test's database by application_name (each worker's listener is named after it: counted as one name). */
async function connectionsByApp(): Promise<Record<string, number>> {
  const res = await db.sql.query<{ app: string; n: number }>(
    `SELECT regexp_replace(application_name, '^rota-listener:.*', 'rota-listener') AS app, count(*)::int AS n
       FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid() GROUP BY 1`,
    [db.name],
  );
  return Object.fromEntries(res.rows.map((r) => [r.app, r.n]));
}

describe('connection budget', () => {
  it.each([
    [1, 100, 5],
    [50, 1_000, 20],
    [500, 5_000, 50],
  ])('concurrency %i: the worker never holds more than 3 connections (pool of 2 + listener)', async (concurrency, jobs, sleepMs) => {
    const queue = `budget-${concurrency}`;
    const rota = makeRota(db.url); // poolSize defaults to 2
    rota.work(queue, { concurrency }, async () => {
      await new Promise((r) => setTimeout(r, sleepMs));
      return null;
    });
    await client.enqueueMany(
      queue,
      Array.from({ length: jobs }, (_, i) => ({ payload: i })),
    );

    // Sample pg_stat_activity continuously while the jobs run.
    let peak = 0;
    let peakPool = 0;
    let samples = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const apps = await connectionsByApp();
        peak = Math.max(peak, (apps.rota ?? 0) + (apps['rota-listener'] ?? 0));
        peakPool = Math.max(peakPool, rota.poolStats().total);
        samples++;
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    try {
      await waitFor(async () => (await stateCounts(db, queue)).completed === jobs, 60_000, `${jobs} jobs at concurrency ${concurrency}`);
    } finally {
      sampling = false;
      await sampler;
    }
    console.log(`concurrency ${concurrency}: peak ${peak} worker connections over ${samples} samples (pool peak ${peakPool})`);
    expect(peak).toBeLessThanOrEqual(3);
    expect(peak).toBeGreaterThanOrEqual(2); // the sampling did see the worker
    expect(peakPool).toBeLessThanOrEqual(2);
    await closeRota(rota);
    await waitFor(
      async () => {
        const apps = await connectionsByApp();
        return (apps.rota ?? 0) + (apps['rota-listener'] ?? 0) === 0;
      },
      10_000,
      'the worker connections to close',
    );
  });

  it("new Rota({ pool }) uses the application's pool and leaves it open on close", async () => {
    const appPool = new pg.Pool({ connectionString: db.url, max: 3, application_name: 'the-app' });
    try {
      const rota = new Rota({ pool: appPool, logger: recordingLogger(), pollIntervalMs: 50 });
      try {
        expect(rota.pool).toBe(appPool);
        rota.work('app-pool', { concurrency: 20 }, () => 'via app pool');
        const { id } = await rota.enqueue('app-pool', 1);
        await client.enqueueMany(
          'app-pool',
          Array.from({ length: 200 }, (_, i) => ({ payload: i })),
        );
        await waitFor(async () => (await rota.getJob(id))?.state === 'completed', 20_000, 'a job through the app pool');
        await waitFor(async () => (await stateCounts(db, 'app-pool')).completed === 201, 20_000, 'all app-pool jobs');
        const apps = await connectionsByApp();
        // rota opened no pool of its own: only the app's connections and one LISTEN connection.
        expect(apps.rota ?? 0).toBe(0);
        expect(apps['rota-listener']).toBe(1);
        expect(apps['the-app']).toBeGreaterThanOrEqual(1);
        expect(apps['the-app']).toBeLessThanOrEqual(3);
      } finally {
        await rota.close();
      }
      // The application's pool is still the application's.
      expect((await appPool.query<{ one: number }>('SELECT 1 AS one')).rows[0]?.one).toBe(1);
      await waitFor(async () => ((await connectionsByApp())['rota-listener'] ?? 0) === 0, 10_000, 'the listener to close');
    } finally {
      await appPool.end();
    }
  });
});
