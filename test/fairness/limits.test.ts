/**
 * Concurrency limits are invariants: with several worker processes claiming at once,
 * the number of running jobs never goes over the queue's or a tenant's limit, neither
 * in the database (claimed jobs, sampled continuously) nor in the handlers (every run's
 * start and end, rebuilt across processes). And a tenant held back by its limit does
 * not hold back anyone else.
 */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { maxOverlap } from '../../harness/stats.js';
import { waitFor } from '../support/db.js';
import { spawnWorker } from '../support/spawn.js';
import { makeRota, migratedDatabase } from './helpers.js';

const db = await migratedDatabase();
const rota = makeRota(db.url);

/** Samples running jobs per tenant (claimed, buffered or executing) until stopped. */
function sampleRunning(queue: string) {
  const client = new pg.Client(db.url);
  let running = true;
  let samples = 0;
  const max = { queue: 0, tenant: 0 };
  const done = (async () => {
    await client.connect();
    while (running) {
      const r = await client.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM rota.jobs WHERE queue = $1 AND state = 'running' GROUP BY tenant`,
        [queue],
      );
      const counts = r.rows.map((x) => x.n);
      max.queue = Math.max(
        max.queue,
        counts.reduce((a, b) => a + b, 0),
      );
      max.tenant = Math.max(max.tenant, ...counts, 0);
      samples++;
    }
    await client.end();
  })();
  return {
    async stop() {
      running = false;
      await done;
      return { ...max, samples };
    },
  };
}

describe('concurrency limits', () => {
  it('queue limit 3 and tenant limit 1 hold across 3 worker processes; every job runs once', async () => {
    const queue = 'limited';
    await rota.queue(queue).configure({ concurrency: 3, tenantConcurrency: 1 }, { create: true });
    const tenants = 6;
    const perTenant = 12;
    const sampler = sampleRunning(queue);
    const workers = Array.from({ length: 3 }, () =>
      // Two slots each and no prefetch: the queue's 3 can only be reached by several processes at once.
      spawnWorker({
        DATABASE_URL: db.url,
        QUEUE: queue,
        CONCURRENCY: '2',
        JOB_MS: '15',
        ROTA_OPTIONS: JSON.stringify({ pollIntervalMs: 50, maxPrefetch: 0 }),
      }),
    );
    await Promise.all(workers.map((w) => w.ready));
    await rota.enqueueMany(
      queue,
      Array.from({ length: tenants * perTenant }, (_, i) => ({ payload: i, tenant: `store-${i % tenants}` })),
    );
    await waitFor(
      async () => {
        const r = await db.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM rota.jobs_done WHERE queue = $1`, [queue]);
        return r.rows[0]?.n === tenants * perTenant;
      },
      60_000,
      'every job to complete',
    );
    const seen = await sampler.stop();
    for (const w of workers) w.child.kill('SIGTERM');
    await Promise.all(workers.map((w) => w.exited));

    expect(seen.samples).toBeGreaterThan(10);
    expect(seen.queue).toBeLessThanOrEqual(3);
    expect(seen.tenant).toBeLessThanOrEqual(1);
    // The limit was reached, so it was the limit that stopped more from running.
    expect(seen.queue).toBe(3);

    const runs = (
      await db.sql.query<{ job_id: string; tenant: string; pid: number; started: number; ended: number }>(
        'SELECT job_id, tenant, pid, started, ended FROM public.runs',
      )
    ).rows;
    expect(new Set(runs.map((r) => r.job_id)).size).toBe(tenants * perTenant);
    expect(runs.length).toBe(tenants * perTenant);
    // The work was spread over the processes, and the handlers kept to the limits too.
    expect(new Set(runs.map((r) => r.pid)).size).toBeGreaterThan(1);
    expect(maxOverlap(runs.map((r) => [r.started, r.ended]))).toBeLessThanOrEqual(3);
    for (let t = 0; t < tenants; t++) {
      const mine = runs.filter((r) => r.tenant === `store-${t}`);
      expect(maxOverlap(mine.map((r) => [r.started, r.ended]))).toBe(1);
    }
  });

  it('a tenant held back by its limit does not hold back the others', async () => {
    const queue = 'blocking';
    await rota.queue(queue).configure({}, { create: true });
    await rota.tenant(queue, 'slow').configure({ concurrency: 1 });
    await rota.enqueueMany(queue, [
      ...Array.from({ length: 10 }, (_, i) => ({ payload: i, tenant: 'slow' })),
      ...Array.from({ length: 30 }, (_, i) => ({ payload: i, tenant: `fast-${i % 3}` })),
    ]);
    let slowRunning = 0;
    let slowMax = 0;
    let slowDone = 0;
    let fastDone = 0;
    const worker = makeRota(db.url);
    worker.work(queue, { concurrency: 5 }, async (job) => {
      if (job.tenant !== 'slow') {
        fastDone++;
        return;
      }
      slowMax = Math.max(slowMax, ++slowRunning);
      await new Promise((r) => setTimeout(r, 100));
      slowRunning--;
      slowDone++;
    });
    await waitFor(() => fastDone === 30, 30_000, 'the other tenants to finish');
    // The others did not wait for the limited tenant's backlog (10 jobs, one at a time).
    expect(slowDone).toBeLessThan(5);
    await waitFor(() => slowDone === 10, 30_000, 'the limited tenant to finish');
    expect(slowMax).toBe(1);
  });
});
