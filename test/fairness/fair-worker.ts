/**
 * A worker process for the fairness tests (spawned with tsx by test/support/spawn.ts).
 *
 * Environment:
 *   DATABASE_URL   database to work
 *   QUEUE          queue to work
 *   CONCURRENCY    handlers at once in this process (default 10)
 *   SLEEP_MS       handler sleep per job (default 5)
 *   MAX_PREFETCH   jobs buffered beyond CONCURRENCY (default rota's)
 *
 * Every handler run records (job, tenant, pid, start, end) in public.fair_runs (which the
 * test creates), start and end in epoch ms with sub-ms precision (performance.timeOrigin
 * + now(), comparable across processes on one machine), so tests can rebuild how many
 * ran at once. Prints "ready" once working; SIGTERM stops gracefully.
 */
import pg from 'pg';
import { Rota } from '../../src/index.js';

const url = process.env.DATABASE_URL as string;
const queue = process.env.QUEUE as string;
const sleepMs = Number(process.env.SLEEP_MS ?? 5);

// public.fair_runs is created by the test before the processes start.
const runs = new pg.Pool({ connectionString: url, max: 1 });
const pending: Array<[string, string, number, number]> = [];
let writing: Promise<void> | null = null;
async function write(): Promise<void> {
  while (pending.length > 0) {
    const batch = pending.splice(0, 500);
    await runs.query(
      'INSERT INTO public.fair_runs SELECT j, t, $3, s, e FROM unnest($1::bigint[], $2::text[], $4::float8[], $5::float8[]) AS x(j, t, s, e)',
      [batch.map((b) => b[0]), batch.map((b) => b[1]), process.pid, batch.map((b) => b[2]), batch.map((b) => b[3])],
    );
  }
}
const clock = () => performance.timeOrigin + performance.now();

const rota = new Rota({
  connectionString: url,
  pollIntervalMs: 50,
  ...(process.env.MAX_PREFETCH ? { maxPrefetch: Number(process.env.MAX_PREFETCH) } : {}),
});
rota.work(queue, { concurrency: Number(process.env.CONCURRENCY ?? 10) }, async (job) => {
  const started = clock();
  await new Promise((r) => setTimeout(r, sleepMs));
  pending.push([job.id, job.tenant, started, clock()]);
  // Recorded before the handler returns, so a run is on record before its job completes.
  writing ??= write().finally(() => {
    writing = null;
  });
  await writing;
  return null;
});
process.stdout.write('ready\n');
process.on('SIGTERM', () => {
  void rota.close().then(async () => {
    await runs.end();
    process.exit(0);
  });
});
