import { describe, expect, it } from 'vitest';
import { spawnWorker } from '../support/spawn.js';
import { makeRota, migratedDatabase, stopChildren, waitFor } from './helpers.js';

const db = await migratedDatabase();
const client = makeRota(db.url);

describe('several worker processes', () => {
  it('10,000 jobs worked by 3 processes at once: each completed exactly once, none left behind', async () => {
    const total = 10_000;
    const env = { DATABASE_URL: db.url, QUEUE: 'mp', CONCURRENCY: '10', ROTA_OPTIONS: JSON.stringify({ pollIntervalMs: 50 }) };
    const workers = [spawnWorker(env), spawnWorker(env), spawnWorker(env)];
    try {
      await Promise.all(workers.map((w) => w.ready));
      const results = await client.enqueueMany(
        'mp',
        Array.from({ length: total }, (_, i) => ({ payload: { i }, tenant: `t${i % 5}` })),
      );
      expect(new Set(results.map((r) => r.id)).size).toBe(total);

      await waitFor(
        async () => {
          const res = await db.sql.query<{ n: number }>("SELECT count(*)::int AS n FROM rota.jobs_done WHERE queue = 'mp'");
          return res.rows[0]?.n === total;
        },
        60_000,
        'every job finished',
      );

      const live = await db.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM rota.jobs');
      expect(live.rows[0]?.n).toBe(0);
      const done = await db.sql.query<{ state: string; attempt: number; n: number }>(
        "SELECT state, attempt, count(*)::int AS n FROM rota.jobs_done WHERE queue = 'mp' GROUP BY 1, 2",
      );
      expect(done.rows).toEqual([{ state: 'completed', attempt: 1, n: total }]);
      const runs = await db.sql.query<{ runs: number; jobs: number; max: number; pids: number }>(
        `SELECT count(*)::int AS runs, count(DISTINCT job_id)::int AS jobs, count(DISTINCT pid)::int AS pids,
                (SELECT max(c) FROM (SELECT count(*) AS c FROM public.runs GROUP BY job_id) x)::int AS max
           FROM public.runs`,
      );
      expect(runs.rows[0]).toEqual({ runs: total, jobs: total, pids: 3, max: 1 });
      // The runs are exactly the enqueued jobs.
      const missing = await db.sql.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM unnest($1::bigint[]) AS e(id) WHERE NOT EXISTS (SELECT 1 FROM public.runs r WHERE r.job_id = e.id)',
        [results.map((r) => r.id)],
      );
      expect(missing.rows[0]?.n).toBe(0);
    } finally {
      await stopChildren(workers);
    }
  });
});
