/**
 * A worker process for the chaos suite and the multi-process resilience tests.
 *
 * Environment:
 *   DATABASE_URL   database to work
 *   QUEUE          queue to work (default 'chaos')
 *   CONCURRENCY    default 10
 *   ROTA_OPTIONS   JSON merged into the Rota options (leaseMs, guard, ...)
 *   RUNS_FILE      every handler run appends "jobId attempt pid epochMs" here, synchronously,
 *                  before the handler returns: the record survives SIGKILL and database outages
 *   JOB_MS         handler sleep per job (default 0); a payload { ms } overrides it
 *   IGNORE_PAYLOAD_MS=1  ignore the payload's { ms } (a process that runs "hanging" jobs at once)
 *   BLOCK_MS       busy-wait per job, blocking the event loop (default 0)
 *   HEAVY_QUEUE    also work this queue (concurrency 1) with a handler that busy-waits
 *                  HEAVY_MS (default 300) per job: a CPU-bound job type sharing the process
 *   DOWNSTREAM     URL the handler calls (GET); a non-2xx answer fails the job
 *   BREAKER        with DOWNSTREAM: name of the dependency breaker to declare (ctx.breaker)
 *
 * Prints "ready" once working, and one JSON line per resilience event
 * ({"event":"breaker:state",...}). SIGTERM stops gracefully.
 */
import { appendFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { Rota } from '../src/index.js';

const url = process.env.DATABASE_URL as string;
const queue = process.env.QUEUE ?? 'chaos';
const jobMs = Number(process.env.JOB_MS ?? 0);
const payloadMs = process.env.IGNORE_PAYLOAD_MS !== '1';
const blockMs = Number(process.env.BLOCK_MS ?? 0);
const runsFile = process.env.RUNS_FILE;
const downstream = process.env.DOWNSTREAM;
const breaker = process.env.BREAKER;
const extra = JSON.parse(process.env.ROTA_OPTIONS ?? '{}');

const rota = new Rota({ connectionString: url, ...extra });
const say = (o: object) => process.stdout.write(`${JSON.stringify({ ...o, pid: process.pid, at: Date.now() })}\n`);
rota.on('breaker:state', (e) => say({ event: 'breaker:state', name: e.name, from: e.from, to: e.to, reason: e.reason }));
rota.on('guard:state', (s) => say({ event: 'guard:state', overloaded: s.overloaded, reasons: s.reasons, lagMs: s.sample.eventLoopLagMs }));
rota.on('pool:exhausted', (e) => say({ event: 'pool:exhausted', ...e }));

rota.work<{ ms?: number } | null>(
  queue,
  { concurrency: Number(process.env.CONCURRENCY ?? 10), retry: { baseMs: 50, maxMs: 500 } },
  async (job, ctx) => {
    if (runsFile) appendFileSync(runsFile, `${job.id} ${job.attempt} ${process.pid} ${Date.now()}\n`);
    if (blockMs > 0) {
      const until = performance.now() + blockMs;
      while (performance.now() < until) {
        // busy: this handler blocks the event loop
      }
    }
    const ms = (payloadMs ? job.payload?.ms : undefined) ?? jobMs;
    if (ms > 0) await sleep(ms, undefined, { signal: ctx.signal });
    if (downstream) {
      if (breaker) await ctx.breaker(breaker);
      const res = await fetch(downstream, { signal: ctx.signal });
      if (!res.ok) throw new Error(`downstream answered ${res.status}`);
    }
    return null;
  },
);
const heavyQueue = process.env.HEAVY_QUEUE;
if (heavyQueue) {
  const heavyMs = Number(process.env.HEAVY_MS ?? 300);
  rota.work(heavyQueue, { concurrency: 1 }, async () => {
    const until = performance.now() + heavyMs;
    while (performance.now() < until) {
      // busy: a CPU-bound job
    }
    return null;
  });
}
process.stdout.write('ready\n');
process.on('SIGTERM', () => {
  void rota.close().then(() => process.exit(0));
});
