/**
 * Scenario 2: the PostgreSQL server is stopped mid-run and started again. Needs its
 * own server (never the shared test server).
 */
import type { EmbeddedServer } from '../src/db/embedded.js';
import { DatabaseUnavailableError, Rota } from '../src/index.js';
import { chaosDatabase, enqueueBulk, jobCounts, maxOf, type NewDatabase, type Say, silentLogger, tempDir, until } from './common.js';
import { readRuns, sleep, spawnWorker, stopWorker, type WorkerProc, warningsOf } from './procs.js';

export interface OutageOptions {
  server: EmbeddedServer;
  newDatabase: NewDatabase;
  say: Say;
  jobs: number;
  workers: number;
  concurrency: number;
  jobMs: number;
  outageMs: number;
  leaseMs: number;
  rescueIntervalMs: number;
}

export interface OutageResult {
  jobs: number;
  outageMs: number;
  leaseMs: number;
  lost: number;
  dead: number;
  /**
   * Status updates lost: jobs that ran more than once although no process died (a
   * completion that never landed lets the job be rescued and run again).
   */
  statusUpdatesLost: number;
  /** Handler runs during the outage: their status updates waited in memory. */
  runsDuringOutage: number;
  crashedProcesses: number;
  /** Most warnings one worker logged for one message (1 = "logged once"). */
  maxSameWarning: number;
  /** enqueue() during the outage: the error, and whether it says retryable. */
  enqueueError: string;
  enqueueRetryable: boolean;
  /** enqueue() with enqueueTimeoutMs: resolved this long after the restart. */
  waitedEnqueueAfterRestartMs: number;
  /** Jobs/s over the 5 s before the stop. */
  baselinePerSec: number;
  /** From the restart to the start of the first 1 s window at >= 90% of the baseline. */
  timeToFullThroughputMs: number;
}

export async function outage(o: OutageOptions): Promise<OutageResult> {
  const db = await chaosDatabase(o.newDatabase);
  const queue = 'outage';
  const dir = tempDir('outage');
  const procs: WorkerProc[] = [];
  const patient = new Rota({ connectionString: db.url, logger: silentLogger, enqueueTimeoutMs: o.outageMs + 60_000 });
  try {
    await enqueueBulk(db.rota, queue, o.jobs, (i) => ({ payload: { i }, maxAttempts: 50 }));
    for (let s = 0; s < o.workers; s++) {
      procs.push(
        spawnWorker({
          url: db.url,
          id: `outage-w${s}`,
          queue,
          runsDir: dir,
          concurrency: o.concurrency,
          env: { JOB_MS: String(o.jobMs) },
          rota: { leaseMs: o.leaseMs, rescueIntervalMs: o.rescueIntervalMs },
        }),
      );
    }
    await Promise.all(procs.map((p) => p.ready));
    await until(async () => (await jobCounts(db.sql, queue)).completed >= o.jobs * 0.3, 30 * 60_000, '30% of the jobs', 200);

    o.say(`outage: stopping PostgreSQL for ${o.outageMs / 1000} s`);
    const stoppedAt = Date.now();
    await o.server.stop();
    const refused = await db.rota.enqueue(queue, { during: 'outage' }).catch((e: unknown) => e);
    const waited = patient.enqueue(queue, { during: 'outage, waiting' }).then(() => Date.now());
    await sleep(Math.max(0, o.outageMs - (Date.now() - stoppedAt)));
    await o.server.start();
    const restartedAt = Date.now();
    o.say('outage: PostgreSQL started again');
    const waitedUntil = await waited;
    const total = o.jobs + 1;
    await until(
      async () => {
        const c = await jobCounts(db.sql, queue);
        return c.live === 0 && c.completed + c.dead === total;
      },
      30 * 60_000,
      'the backlog to burn down',
      200,
    );
    const crashedProcesses = procs.filter((p) => p.crashed).length;
    await Promise.all(procs.map((p) => stopWorker(p)));

    const c = await jobCounts(db.sql, queue);
    const runs = readRuns(dir);
    const perJob = new Map<string, number>();
    for (const r of runs) perJob.set(r.job, (perJob.get(r.job) ?? 0) + 1);
    const twice = [...perJob.values()].filter((n) => n > 1).length;
    const times = runs.map((r) => r.at);
    const countIn = (a: number, b: number) => times.filter((t) => t >= a && t < b).length;
    const baseline = countIn(stoppedAt - 5_000, stoppedAt) / 5;
    let full = Number.NaN;
    for (let t = restartedAt; t < restartedAt + 120_000; t += 100) {
      if (countIn(t, t + 1_000) >= 0.9 * baseline) {
        full = t - restartedAt;
        break;
      }
    }
    const maxSameWarning = maxOf(procs.flatMap((p) => [...warningsOf(dir, p.id).values()]));
    return {
      jobs: o.jobs,
      outageMs: o.outageMs,
      leaseMs: o.leaseMs,
      lost: total - c.completed - c.dead,
      dead: c.dead,
      statusUpdatesLost: twice,
      runsDuringOutage: countIn(stoppedAt, restartedAt),
      crashedProcesses,
      maxSameWarning,
      enqueueError: refused instanceof Error ? refused.name : String(refused),
      enqueueRetryable: refused instanceof DatabaseUnavailableError && refused.retryable,
      waitedEnqueueAfterRestartMs: waitedUntil - restartedAt,
      baselinePerSec: baseline,
      timeToFullThroughputMs: full,
    };
  } finally {
    await o.server.start();
    await Promise.all(procs.map((p) => stopWorker(p, 5_000)));
    await patient.close();
    await db.close();
  }
}
