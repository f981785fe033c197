import { describe, expect, it } from 'vitest';
import { spawnWorker } from '../support/spawn.js';
import { makeRota, migratedDatabase, stopChildren, waitFor } from './helpers.js';

const db = await migratedDatabase();
const client = makeRota(db.url);

async function runsByPid(): Promise<Map<number, number>> {
  const res = await db.sql
    .query<{ pid: number; n: number }>('SELECT pid, count(*)::int AS n FROM public.runs GROUP BY pid')
    .catch(() => ({ rows: [] as Array<{ pid: number; n: number }> }));
  return new Map(res.rows.map((r) => [r.pid, r.n]));
}

describe('a worker process killed mid-run', () => {
  it('SIGKILL: with another worker alive, every job still ends completed', async () => {
    const total = 3_000;
    // A short lease so the dead process's jobs are rescued within the test.
    const env = {
      DATABASE_URL: db.url,
      QUEUE: 'crash',
      CONCURRENCY: '10',
      JOB_MS: '5',
      ROTA_OPTIONS: JSON.stringify({ leaseMs: 1_000, rescueIntervalMs: 200, pollIntervalMs: 50 }),
    };
    const victim = spawnWorker(env);
    const survivor = spawnWorker(env);
    try {
      await Promise.all([victim.ready, survivor.ready]);
      const ids = (
        await client.enqueueMany(
          'crash',
          Array.from({ length: total }, (_, i) => ({ payload: i })),
        )
      ).map((r) => r.id);

      // Kill the victim while it is busy: it has run jobs and holds more.
      const victimPid = victim.child.pid as number;
      await waitFor(async () => ((await runsByPid()).get(victimPid) ?? 0) >= 300, 30_000, 'the victim to be busy');
      const held = await db.sql.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM rota.jobs WHERE state = 'running' AND locked_by LIKE $1",
        [`%:${victimPid}:%`],
      );
      victim.child.kill('SIGKILL');
      expect(await victim.exited).toBe('SIGKILL');

      await waitFor(
        async () => {
          const res = await db.sql.query<{ n: number }>("SELECT count(*)::int AS n FROM rota.jobs_done WHERE queue = 'crash'");
          return res.rows[0]?.n === total;
        },
        60_000,
        'every job finished after the crash',
      );
      const live = await db.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM rota.jobs');
      expect(live.rows[0]?.n).toBe(0);
      const states = await db.sql.query<{ state: string; n: number }>(
        "SELECT state, count(*)::int AS n FROM rota.jobs_done WHERE queue = 'crash' GROUP BY state",
      );
      expect(states.rows).toEqual([{ state: 'completed', n: total }]);
      // Nothing lost: every enqueued job ran at least once ...
      const neverRan = await db.sql.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM unnest($1::bigint[]) AS e(id) WHERE NOT EXISTS (SELECT 1 FROM public.runs r WHERE r.job_id = e.id)',
        [ids],
      );
      expect(neverRan.rows[0]?.n).toBe(0);
      // ... and only jobs the victim held can have run twice (at-least-once delivery).
      const twice = await db.sql.query<{ n: number; victim: number }>(
        `SELECT count(*)::int AS n, count(*) FILTER (WHERE victim_ran)::int AS victim FROM (
           SELECT job_id, bool_or(pid = $1) AS victim_ran FROM public.runs GROUP BY job_id HAVING count(*) > 1) x`,
        [victimPid],
      );
      const rescued = await db.sql.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM rota.jobs_done
          WHERE queue = 'crash' AND (errors @> '[{"name": "LeaseExpired"}]' OR errors @> '[{"name": "WorkerLost"}]')`,
      );
      const ranTwice = twice.rows[0]?.n ?? 0;
      console.log(
        `SIGKILL test: ${total} jobs, victim held ${held.rows[0]?.n} running jobs when killed; ` +
          `${rescued.rows[0]?.n} rescued (sessions gone or lease expired); ${ranTwice} ran twice; 0 lost`,
      );
      expect(twice.rows[0]?.victim).toBe(ranTwice);
      expect(ranTwice).toBeLessThanOrEqual(rescued.rows[0]?.n ?? 0);
    } finally {
      await stopChildren([victim, survivor]);
    }
  });
});
