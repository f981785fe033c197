/**
 * Scenario 4: one of three worker processes also runs a CPU-bound job type that blocks
 * its event loop (300 ms per job). Light jobs arrive steadily and any process may take
 * them; a light job taken by the blocked process waits for its loop. With the resource
 * guard, that process stops claiming while its loop lags and the others take the
 * light jobs. Run with and without the guard to compare.
 */
import { chaosDatabase, jobCounts, type NewDatabase, percentile, type Say, tempDir, until } from './common.js';
import { readRuns, sleep, spawnWorker, stopWorker, type WorkerProc } from './procs.js';

export interface BlockedLoopOptions {
  newDatabase: NewDatabase;
  say: Say;
  guard: boolean;
  /** Light jobs per second, for `seconds`. */
  ratePerSec: number;
  seconds: number;
  healthyWorkers: number;
  concurrency: number;
  jobMs: number;
  heavyMs: number;
}

export interface BlockedLoopResult {
  guard: boolean;
  lightJobs: number;
  /** Share of the light jobs the blocked process ran. */
  blockerShare: number;
  guardTrips: number;
  /** Guard trips of the healthy processes (their loops lag too on a loaded machine). */
  healthyTrips: number;
  /** Light jobs' enqueue-to-finish time, p50 / p99 / max, ms. */
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  lost: number;
}

export async function blockedLoop(o: BlockedLoopOptions): Promise<BlockedLoopResult> {
  const db = await chaosDatabase(o.newDatabase);
  const queue = 'light';
  const dir = tempDir('guard');
  const procs: WorkerProc[] = [];
  const rota = o.guard ? { guard: { maxEventLoopLagMs: 100 } } : {};
  try {
    // Enough CPU-bound work to keep the blocked process busy for the whole run.
    await db.rota.enqueueMany(
      'heavy',
      Array.from({ length: Math.ceil((o.seconds * 1000) / o.heavyMs) + 10 }, () => ({ payload: {} })),
    );
    const blocker = spawnWorker({
      url: db.url,
      id: 'blocker',
      queue,
      runsDir: dir,
      concurrency: o.concurrency,
      env: { JOB_MS: String(o.jobMs), HEAVY_QUEUE: 'heavy', HEAVY_MS: String(o.heavyMs) },
      rota,
    });
    procs.push(blocker);
    for (let s = 0; s < o.healthyWorkers; s++) {
      procs.push(
        spawnWorker({
          url: db.url,
          id: `healthy-${s}`,
          queue,
          runsDir: dir,
          concurrency: o.concurrency,
          env: { JOB_MS: String(o.jobMs) },
          rota,
        }),
      );
    }
    await Promise.all(procs.map((p) => p.ready));
    let enqueued = 0;
    const t0 = Date.now();
    while (Date.now() - t0 < o.seconds * 1000) {
      const due = Math.floor(((Date.now() - t0) / 1000) * o.ratePerSec) - enqueued;
      if (due > 0) {
        await db.rota.enqueueMany(
          queue,
          Array.from({ length: due }, () => ({ payload: {} })),
        );
        enqueued += due;
      }
      await sleep(20);
    }
    await until(async () => (await jobCounts(db.sql, queue)).live === 0, 5 * 60_000, 'the light jobs', 100);
    const latency = await db.sql.query<{ ms: number }>(
      `SELECT (extract(epoch FROM finished_at - created_at) * 1000)::float8 AS ms FROM rota.jobs_done WHERE queue = $1`,
      [queue],
    );
    const ms = latency.rows.map((r) => r.ms);
    const runs = readRuns(dir);
    const tripsOf = (p: WorkerProc) =>
      p.lines().filter((l) => l.includes('"event":"guard:state"') && l.includes('"overloaded":true')).length;
    const c = await jobCounts(db.sql, queue);
    return {
      guard: o.guard,
      lightJobs: enqueued,
      blockerShare: runs.filter((r) => r.worker === 'blocker').length / runs.length,
      guardTrips: tripsOf(blocker),
      healthyTrips: procs.slice(1).reduce((n, p) => n + tripsOf(p), 0),
      p50Ms: percentile(ms, 50),
      p99Ms: percentile(ms, 99),
      maxMs: Math.max(...ms),
      lost: enqueued - c.completed - c.dead,
    };
  } finally {
    await Promise.all(procs.map((p) => stopWorker(p, 5_000)));
    await db.close();
  }
}
