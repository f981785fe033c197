/**
 * Scenario 3: a downstream that fails every call for a while, then recovers, called by
 * several worker processes behind one circuit breaker (a dependency breaker declared
 * with ctx.breaker, or the queue's own breaker).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BreakerSettings } from '../src/index.js';
import { chaosDatabase, jobCounts, type NewDatabase, type Say, tempDir, until } from './common.js';
import { sleep, spawnWorker, stopWorker, type WorkerProc } from './procs.js';

export interface BreakerStormOptions {
  newDatabase: NewDatabase;
  say: Say;
  variant: 'dependency' | 'queue';
  workers: number;
  concurrency: number;
  /** Jobs enqueued per second, steadily, for the whole run. */
  ratePerSec: number;
  healthyMs: number;
  failingMs: number;
  recoveredMs: number;
  settings: Partial<BreakerSettings>;
  syncMs: number;
}

export interface BreakerStormResult {
  variant: string;
  /** Calls that reached the downstream while it was failing, by breaker state at the time. */
  callsWhileFailing: number;
  callsClosed: number;
  callsOpen: number;
  /** The latest a call while open came after the opening, ms (calls in flight or not yet told). */
  lastOpenCallAfterMs: number;
  callsHalfOpen: number;
  /** Half-open rounds during the failure, and the probes they allow (rounds × probes). */
  probeRounds: number;
  probeBudget: number;
  opens: number;
  /** From the downstream's recovery to the breaker closing (database clock). */
  recoveryToClosedMs: number;
  /** Calls the same downstream would have received without a breaker: every attempt. */
  lost: number;
  dead: number;
}

export async function breakerStorm(o: BreakerStormOptions): Promise<BreakerStormResult> {
  const db = await chaosDatabase(o.newDatabase);
  const queue = `calls-${o.variant}`;
  const dir = tempDir('breaker');
  const procs: WorkerProc[] = [];
  let failing = false;
  const calls: Array<{ at: number; failing: boolean }> = [];
  const downstream = createServer((_req, res) => {
    calls.push({ at: Date.now(), failing });
    res.statusCode = failing ? 503 : 200;
    res.end();
  });
  await new Promise<void>((r) => downstream.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(downstream.address() as AddressInfo).port}/`;
  try {
    const target = o.variant === 'dependency' ? { dependency: 'downstream' } : { queue };
    await db.rota.breakers.configure(target, o.settings);
    for (let s = 0; s < o.workers; s++) {
      procs.push(
        spawnWorker({
          url: db.url,
          id: `breaker-w${s}`,
          queue,
          runsDir: dir,
          concurrency: o.concurrency,
          env: { DOWNSTREAM: url, ...(o.variant === 'dependency' ? { BREAKER: 'downstream' } : {}) },
          rota: { breakerSyncMs: o.syncMs },
        }),
      );
    }
    await Promise.all(procs.map((p) => p.ready));
    let enqueued = 0;
    let feeding = true;
    const feeder = (async () => {
      const t0 = Date.now();
      while (feeding) {
        const due = Math.floor(((Date.now() - t0) / 1000) * o.ratePerSec) - enqueued;
        if (due > 0) {
          await db.rota.enqueueMany(
            queue,
            Array.from({ length: due }, () => ({ payload: {}, maxAttempts: 1000 })),
          );
          enqueued += due;
        }
        await sleep(50);
      }
    })();
    await sleep(o.healthyMs);
    failing = true;
    const failedAt = Date.now();
    o.say(`breaker (${o.variant}): downstream failing for ${o.failingMs / 1000} s`);
    await sleep(o.failingMs);
    failing = false;
    const recoveredAt = Date.now();
    o.say(`breaker (${o.variant}): downstream recovered`);
    await sleep(o.recoveredMs);
    feeding = false;
    await feeder;
    await until(async () => (await jobCounts(db.sql, queue)).live === 0, 120_000, 'the jobs to drain');

    const kind = o.variant === 'dependency' ? 'dependency' : 'queue';
    const name = o.variant === 'dependency' ? 'downstream' : queue;
    const h = await db.sql.query<{ to_state: string; at: Date }>(
      'SELECT to_state, at FROM rota.breaker_history WHERE kind = $1 AND name = $2 ORDER BY id',
      [kind, name],
    );
    const timeline = h.rows.map((r) => ({ state: r.to_state, at: r.at.getTime() }));
    const stateAt = (t: number) => {
      let s = { state: 'closed', at: 0 };
      for (const e of timeline) if (e.at <= t) s = e;
      return s;
    };
    const failingCalls = calls.filter((c) => c.failing);
    let closed = 0;
    let open = 0;
    let lastOpenCallAfterMs = 0;
    let half = 0;
    for (const c of failingCalls) {
      const s = stateAt(c.at);
      if (s.state === 'open') {
        open++;
        lastOpenCallAfterMs = Math.max(lastOpenCallAfterMs, c.at - s.at);
      } else if (s.state === 'half_open') half++;
      else closed++;
    }
    const during = timeline.filter((e) => e.at >= failedAt && e.at <= recoveredAt);
    const rounds = during.filter((e) => e.state === 'half_open').length;
    const closedAfter = timeline.find((e) => e.state === 'closed' && e.at >= recoveredAt);
    const c = await jobCounts(db.sql, queue);
    await Promise.all(procs.map((p) => stopWorker(p)));
    return {
      variant: o.variant,
      callsWhileFailing: failingCalls.length,
      callsClosed: closed,
      callsOpen: open,
      lastOpenCallAfterMs,
      callsHalfOpen: half,
      probeRounds: rounds,
      probeBudget: rounds * (o.settings.probes ?? 1),
      opens: during.filter((e) => e.state === 'open').length,
      recoveryToClosedMs: closedAfter ? closedAfter.at - recoveredAt : Number.NaN,
      lost: enqueued - c.completed - c.dead,
      dead: c.dead,
    };
  } finally {
    await Promise.all(procs.map((p) => stopWorker(p, 5_000)));
    downstream.close();
    await db.close();
  }
}
