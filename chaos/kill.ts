/**
 * Scenario 1 (kill storm): workers are SIGKILLed at random and restarted while they
 * burn down a backlog. Scenario 5 (recovery time): a worker is SIGKILLed while holding
 * claimed jobs, running and buffered; how long until each runs again elsewhere.
 */
import { chaosDatabase, enqueueBulk, jobCounts, maxOf, type NewDatabase, type Say, tempDir, until } from './common.js';
import { readRuns, sleep, spawnWorker, stopWorker, type WorkerProc } from './procs.js';

export interface KillStormOptions {
  newDatabase: NewDatabase;
  say: Say;
  jobs: number;
  workers: number;
  /** A random worker is killed every killEveryMs[0]..killEveryMs[1] ms. */
  killEveryMs: [number, number];
  concurrency: number;
  jobMs: number;
  leaseMs: number;
  rescueIntervalMs: number;
}

export interface KillStormResult {
  jobs: number;
  workers: number;
  kills: number;
  seconds: number;
  jobsPerSec: number;
  /** Enqueued jobs that did not end completed or dead. */
  lost: number;
  dead: number;
  /** Jobs whose handler ran more than once, and the extra runs. */
  ranMoreThanOnce: number;
  extraRuns: number;
  /** Jobs held by a killed worker (running or buffered), rescued after its lease. */
  rescued: number;
  /** Longest time from a kill to the next run of a job the killed worker held. */
  longestWaitMs: number;
  /** Longest time from a kill to the job being given back (requeued by a rescuer). */
  longestRescueMs: number;
  /** Completed jobs with no recorded run (must be 0: the record precedes completion). */
  completedUnrun: number;
}

/** Jobs rescued from each worker: the rescuer's error (LeaseExpired, or WorkerLost when its sessions were seen gone) names the worker. */
async function rescuedFrom(sql: import('pg').Pool, queue: string): Promise<Array<{ id: string; worker: string; at: number }>> {
  const res = await sql.query<{ id: string; worker: string; at: number }>(
    `SELECT j.id, substring(e->>'message' FROM 'worker (\\S+) (?:stopped|lost)') AS worker,
            (extract(epoch FROM (e->>'at')::timestamptz) * 1000)::float8 AS at
       FROM (SELECT id, errors FROM rota.jobs_done WHERE queue = $1 UNION ALL SELECT id, errors FROM rota.jobs WHERE queue = $1) j,
            jsonb_array_elements(j.errors) e
      WHERE e->>'name' IN ('LeaseExpired', 'WorkerLost')`,
    [queue],
  );
  return res.rows;
}

export async function killStorm(o: KillStormOptions): Promise<KillStormResult> {
  const db = await chaosDatabase(o.newDatabase);
  const queue = 'storm';
  const dir = tempDir('kill');
  const procs: WorkerProc[] = [];
  try {
    o.say(`kill storm: enqueueing ${o.jobs} jobs`);
    await enqueueBulk(db.rota, queue, o.jobs, (i) => ({ payload: { i }, maxAttempts: 50 }));
    let gen = 0;
    const start = (slot: number) =>
      spawnWorker({
        url: db.url,
        id: `storm-w${slot}-g${gen++}`,
        queue,
        runsDir: dir,
        concurrency: o.concurrency,
        env: { JOB_MS: String(o.jobMs) },
        rota: { leaseMs: o.leaseMs, rescueIntervalMs: o.rescueIntervalMs },
      });
    const all: WorkerProc[] = [];
    for (let s = 0; s < o.workers; s++) procs.push(start(s));
    all.push(...procs);
    await Promise.all(procs.map((p) => p.ready));
    const t0 = Date.now();
    const kills = new Map<string, number>();
    let done = false;
    const killer = (async () => {
      while (!done) {
        const [lo, hi] = o.killEveryMs;
        await sleep(lo + Math.random() * (hi - lo));
        if (done) break;
        const slot = Math.floor(Math.random() * o.workers);
        const victim = procs[slot] as WorkerProc;
        victim.kill('SIGKILL');
        kills.set(victim.id, Date.now());
        await victim.exited;
        const next = start(slot);
        procs[slot] = next;
        all.push(next);
        o.say(`  killed ${victim.id}; started ${next.id}`);
        await next.ready.catch(() => {});
      }
    })();
    let last = 0;
    await until(
      async () => {
        const c = await jobCounts(db.sql, queue);
        if (c.completed - last >= o.jobs / 10) {
          last = c.completed;
          o.say(`  ${c.completed} / ${o.jobs} completed`);
        }
        return c.live === 0;
      },
      30 * 60_000,
      'the backlog to burn down',
      200,
    );
    const seconds = (Date.now() - t0) / 1000;
    done = true;
    await killer;
    await Promise.all(procs.map((p) => stopWorker(p)));

    const c = await jobCounts(db.sql, queue);
    const runs = readRuns(dir);
    const perJob = new Map<string, number[]>();
    for (const r of runs) {
      const list = perJob.get(r.job);
      if (list) list.push(r.at);
      else perJob.set(r.job, [r.at]);
    }
    let ranMoreThanOnce = 0;
    let extraRuns = 0;
    for (const times of perJob.values()) {
      if (times.length > 1) {
        ranMoreThanOnce++;
        extraRuns += times.length - 1;
      }
    }
    const rescued = await rescuedFrom(db.sql, queue);
    const waits: number[] = [];
    const rescues: number[] = [];
    for (const { id, worker, at } of rescued) {
      const killedAt = kills.get(worker);
      if (killedAt === undefined) continue; // a lease lost some other way (not in this scenario)
      rescues.push(at - killedAt);
      const next = perJob.get(id)?.find((t) => t > killedAt);
      if (next !== undefined) waits.push(next - killedAt);
    }
    const done2 = await db.sql.query<{ id: string }>(`SELECT id FROM rota.jobs_done WHERE queue = $1 AND state = 'completed'`, [queue]);
    const completedUnrun = done2.rows.filter((r) => !perJob.has(r.id)).length;
    return {
      jobs: o.jobs,
      workers: o.workers,
      kills: kills.size,
      seconds,
      jobsPerSec: o.jobs / seconds,
      lost: o.jobs - c.completed - c.dead,
      dead: c.dead,
      ranMoreThanOnce,
      extraRuns,
      rescued: waits.length,
      longestWaitMs: maxOf(waits),
      longestRescueMs: maxOf(rescues),
      completedUnrun,
    };
  } finally {
    await Promise.all(procs.map((p) => stopWorker(p, 5_000)));
    await db.close();
  }
}

export interface RecoveryOptions {
  newDatabase: NewDatabase;
  say: Say;
  leaseMs: number;
  rescueIntervalMs: number;
  concurrency: number;
  /** Jobs that hang in the victim (it holds them running or buffered when killed). */
  held: number;
}

export interface RecoveryResult {
  leaseMs: number;
  rescueIntervalMs: number;
  /** Jobs the victim held when killed: running (handler started) and buffered. */
  running: number;
  buffered: number;
  /** Every held job ran again (in the other process). */
  allRanAgain: boolean;
  /** Time from the kill to the rerun, over all held jobs. */
  firstRerunMs: number;
  lastRerunMs: number;
}

/** Scenario 5: one victim holding jobs is SIGKILLed; a second process reruns them. */
export async function recovery(o: RecoveryOptions): Promise<RecoveryResult> {
  const db = await chaosDatabase(o.newDatabase);
  const queue = 'recovery';
  const dir = tempDir('recovery');
  const rota = { leaseMs: o.leaseMs, rescueIntervalMs: o.rescueIntervalMs };
  const procs: WorkerProc[] = [];
  try {
    const victim = spawnWorker({ url: db.url, id: 'victim', queue, runsDir: dir, concurrency: o.concurrency, rota });
    procs.push(victim);
    await victim.ready;
    // Fast jobs first (normal priority), then the hanging ones (low): the victim reaches
    // them while its measured completion rate is high, so it prefetches a buffer of them.
    await enqueueBulk(db.rota, queue, 2_000, () => ({ payload: { ms: 0 } }));
    const hanging = new Set(
      (
        await db.rota.enqueueMany(
          queue,
          Array.from({ length: o.held }, () => ({ payload: { ms: 3_600_000 }, priority: 'low' as const })),
        )
      ).map((r) => r.id),
    );
    const heldIds = async () =>
      (await db.sql.query<{ id: string }>(`SELECT id FROM rota.jobs WHERE queue = $1 AND locked_by = 'victim'`, [queue])).rows.map(
        (r) => r.id,
      );
    const victimStarted = () => readRuns(dir).filter((r) => r.worker === 'victim' && hanging.has(r.job)).length;
    let previous = -1;
    await until(
      async () => {
        const n = (await heldIds()).length;
        const stable = n === previous && victimStarted() >= Math.min(o.concurrency, o.held);
        previous = n;
        return stable;
      },
      120_000,
      'the victim to hold hanging jobs',
      500,
    );
    const held = await heldIds();
    const startedByVictim = new Set(
      readRuns(dir)
        .filter((r) => r.worker === 'victim')
        .map((r) => r.job),
    );
    const rescuer = spawnWorker({
      url: db.url,
      id: 'rescuer',
      queue,
      runsDir: dir,
      concurrency: Math.max(10, o.held),
      env: { IGNORE_PAYLOAD_MS: '1' },
      rota,
    });
    procs.push(rescuer);
    await rescuer.ready;
    const killedAt = Date.now();
    victim.kill('SIGKILL');
    o.say(`recovery: killed the victim holding ${held.length} jobs`);
    await until(async () => (await jobCounts(db.sql, queue)).live === 0, o.leaseMs + o.rescueIntervalMs + 60_000, 'the held jobs to rerun');
    const reruns = readRuns(dir).filter((r) => r.worker === 'rescuer' && held.includes(r.job));
    const waits = held.map((id) => (reruns.find((r) => r.job === id)?.at ?? Number.NaN) - killedAt);
    return {
      leaseMs: o.leaseMs,
      rescueIntervalMs: o.rescueIntervalMs,
      running: held.filter((id) => startedByVictim.has(id)).length,
      buffered: held.filter((id) => !startedByVictim.has(id)).length,
      allRanAgain: waits.every((w) => Number.isFinite(w)),
      firstRerunMs: Math.min(...waits),
      lastRerunMs: maxOf(waits),
    };
  } finally {
    await Promise.all(procs.map((p) => stopWorker(p, 5_000)));
    await db.close();
  }
}
