/**
 * Shared set-up for the core engine tests: a migrated database per file, Rota
 * instances that are always closed, a logger that records instead of printing, and
 * small polling helpers. Not a test file itself.
 */
import { afterAll } from 'vitest';
import type { JobRecord, JobState, Rota } from '../../src/index.js';
import { type TestDb, waitFor } from '../support/db.js';

export { type LogLine, recordingLogger } from '../support/logger.js';
export { closeRota, FAST, makeRota, migratedDatabase } from '../support/rota.js';

const gates = new Set<() => void>();
// Registered after support/rota.ts's, so it runs before it (after-hooks run in reverse):
// whatever a failed test left waiting is let go first, so close() need not wait it out.
afterAll(() => {
  for (const release of gates) release();
});

/** Every job ever written in `schema`: live ones plus finished ones. */
export async function totalJobs(db: TestDb, schema = 'rota'): Promise<number> {
  const res = await db.sql.query<{ n: number }>(
    `SELECT ((SELECT count(*) FROM "${schema}".jobs) + (SELECT count(*) FROM "${schema}".jobs_done))::int AS n`,
  );
  return res.rows[0]?.n ?? 0;
}

/** Job counts by state over live and finished jobs. */
export async function stateCounts(db: TestDb, queue: string, schema = 'rota'): Promise<Record<string, number>> {
  const res = await db.sql.query<{ state: string; n: number }>(
    `SELECT state, count(*)::int AS n FROM (
       SELECT state FROM "${schema}".jobs WHERE queue = $1
       UNION ALL SELECT state FROM "${schema}".jobs_done WHERE queue = $1) s GROUP BY state`,
    [queue],
  );
  return Object.fromEntries(res.rows.map((r) => [r.state, r.n]));
}

/** Polls getJob until the job is in one of `states`. */
export function waitForState(rota: Rota, id: string, states: JobState | JobState[], timeoutMs = 20_000): Promise<JobRecord> {
  const wanted = Array.isArray(states) ? states : [states];
  return waitFor(
    async () => {
      const job = await rota.getJob(id);
      return job && wanted.includes(job.state) ? job : null;
    },
    timeoutMs,
    `job ${id} to be ${wanted.join('/')}`,
  );
}

/** A promise the test opens by hand: handlers await it to stay "in flight" (opened after the file at the latest). */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  gates.add(open);
  return { promise, open };
}

/** SIGTERM (graceful stop), then SIGKILL whatever has not exited after the grace period. */
export { stopProcs as stopChildren } from '../../harness/spawn.js';

export { waitFor };
