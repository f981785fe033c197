/**
 * A database restart in the middle of a run. This file starts its own PostgreSQL
 * server (the shared one serves the other files, which must not see the outage).
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedServer, startEmbeddedPostgres } from '../../src/db/embedded.js';
import { DatabaseUnavailableError, type FlushStats } from '../../src/index.js';
import { closeRota, makeRota, recordingLogger, waitFor } from './helpers.js';

let server: EmbeddedServer;
let sql: pg.Pool;

beforeAll(async () => {
  server = await startEmbeddedPostgres({ settings: { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' } });
  sql = new pg.Pool({ connectionString: server.url, max: 2 });
  // The restart kills idle connections; that must not crash the test process.
  sql.on('error', () => {});
}, 120_000);

afterAll(async () => {
  await sql?.end().catch(() => {});
  await server?.destroy();
}, 60_000);

async function counts(): Promise<{ live: number; completed: number; other: number }> {
  const res = await sql.query<{ live: number; completed: number; other: number }>(
    `SELECT (SELECT count(*) FROM rota.jobs)::int AS live,
            (SELECT count(*) FROM rota.jobs_done WHERE state = 'completed')::int AS completed,
            (SELECT count(*) FROM rota.jobs_done WHERE state <> 'completed')::int AS other`,
  );
  return res.rows[0] as { live: number; completed: number; other: number };
}

describe('database restart mid-run', () => {
  it('status updates wait in memory and every job still ends completed', async () => {
    const log = recordingLogger();
    // A lease longer than the outage: jobs held through it are finished, not rescued.
    const rota = makeRota(server.url, { logger: log, leaseMs: 20_000, batchIntervalMs: 5 });
    await rota.migrate();
    const flushes: FlushStats[] = [];
    rota.on('flush', (s) => flushes.push(s));
    const total = 600;
    let ran = 0;
    rota.work('outage', { concurrency: 5 }, async () => {
      await new Promise((r) => setTimeout(r, 10));
      ran++;
      return { ok: true };
    });
    await rota.enqueueMany(
      'outage',
      Array.from({ length: total }, (_, i) => ({ payload: i })),
    );
    await waitFor(async () => (await counts()).completed >= 100, 30_000, 'the run to be under way');

    const ranBeforeOutage = ran;
    await server.stop();
    // The worker keeps going on what it holds (claims are sized to a few ms of work, so
    // that may be only the jobs in flight); their writes fail and are kept for later.
    await waitFor(() => flushes.some((f) => f.mode === 'retry'), 30_000, 'a status write to fail over to retry');
    await waitFor(() => ran > ranBeforeOutage, 30_000, 'handlers to keep running during the outage');
    // While the database is away, enqueue says so with a typed, retryable error.
    await expect(rota.enqueue('outage', 'x')).rejects.toBeInstanceOf(DatabaseUnavailableError);
    await server.start();

    await waitFor(async () => (await counts().catch(() => null))?.completed === total, 60_000, 'every job completed');
    expect(await counts()).toEqual({ live: 0, completed: total, other: 0 });
    expect(log.lines.some((l) => /database unreachable; status updates kept in memory/.test(l.msg))).toBe(true);
    // After the outage the worker is healthy: a new job goes through.
    const { id } = await rota.enqueue('outage', 'after');
    await waitFor(async () => (await rota.getJob(id))?.state === 'completed', 20_000, 'a job after the outage');
    await closeRota(rota);
  });
});
