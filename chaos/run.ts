/**
 * `npm run chaos`: rota under failure, with real worker processes on a dedicated
 * embedded PostgreSQL (scenario 2 stops it). Prints what it measured; asserts nothing.
 *
 *   npm run chaos                   all five scenarios at full size (several minutes)
 *   npm run chaos -- --quick        smaller sizes (about a minute and a half)
 *   npm run chaos -- --only 1,5     some scenarios
 *
 * DATABASE_URL is ignored on purpose: the outage scenario stops the server.
 */
import { cpus, totalmem } from 'node:os';
import pg from 'pg';
import { startEmbeddedPostgres } from '../src/db/embedded.js';
import { breakerStorm } from './breaker.js';
import type { NewDatabase } from './common.js';
import { blockedLoop } from './guard.js';
import { killStorm, recovery } from './kill.js';
import { outage } from './outage.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const onlyArg = args[args.indexOf('--only') + 1];
const only = args.includes('--only') && onlyArg ? new Set(onlyArg.split(',').map(Number)) : null;
const run = (n: number) => only === null || only.has(n);

type Row = Record<string, string | number | boolean>;

function table(title: string, rows: Row[]): void {
  if (rows.length === 0) return;
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const fmt = (v: Row[string] | undefined) =>
    v === undefined
      ? ''
      : typeof v === 'number'
        ? Number.isNaN(v)
          ? 'n/a'
          : Number.isInteger(v)
            ? String(v)
            : v.toFixed(v < 10 ? 2 : 0)
        : String(v);
  console.log(`\n### ${title}\n`);
  console.log(`| ${cols.join(' | ')} |`);
  console.log(`| ${cols.map(() => '---').join(' | ')} |`);
  for (const r of rows) console.log(`| ${cols.map((c) => fmt(r[c])).join(' | ')} |`);
}

const secs = (ms: number) => (Number.isNaN(ms) ? 'n/a' : `${(ms / 1000).toFixed(1)} s`);
const say = (line: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);

const server = await startEmbeddedPostgres({ settings: { max_connections: 300 } });
let counter = 0;
const newDatabase: NewDatabase = async () => {
  const name = `chaos_${process.pid}_${++counter}`;
  const c = new pg.Client(server.url);
  await c.connect();
  await c.query(`CREATE DATABASE ${name}`);
  await c.end();
  return server.urlFor(name);
};
const summary: Row[] = [];
const onSignal = () => {
  void server.destroy().finally(() => process.exit(130));
};
process.once('SIGINT', onSignal);
process.once('SIGTERM', onSignal);

try {
  console.log(
    `rota chaos suite${quick ? ' (quick)' : ''}: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`,
  );

  if (run(1)) {
    const r = await killStorm({
      newDatabase,
      say,
      jobs: quick ? 10_000 : 50_000,
      workers: 4,
      killEveryMs: quick ? [1_000, 2_000] : [2_000, 4_000],
      concurrency: 10,
      jobMs: 20,
      leaseMs: 5_000,
      rescueIntervalMs: 1_000,
    });
    table('1. SIGKILL storm', [{ ...r, longestWaitMs: r.longestWaitMs }]);
    summary.push(
      { scenario: `1. ${r.jobs} jobs, ${r.workers} workers, ${r.kills} SIGKILLs (lease 5 s)`, measure: 'jobs lost', result: r.lost },
      { scenario: '', measure: 'jobs run more than once (extra runs)', result: `${r.ranMoreThanOnce} (${r.extraRuns})` },
      {
        scenario: '',
        measure: "longest wait of a killed worker's job: until requeued / until it ran again",
        result: `${secs(r.longestRescueMs)} / ${secs(r.longestWaitMs)}`,
      },
      { scenario: '', measure: 'throughput while being killed', result: `${Math.round(r.jobsPerSec)} jobs/s` },
    );
  }

  if (run(2)) {
    const r = await outage({
      server,
      newDatabase,
      say,
      jobs: quick ? 10_000 : 50_000,
      workers: 4,
      concurrency: 10,
      jobMs: 20,
      outageMs: quick ? 5_000 : 10_000,
      leaseMs: 5_000,
      rescueIntervalMs: 1_000,
    });
    table('2. PostgreSQL stopped mid-run', [r as unknown as Row]);
    summary.push(
      {
        scenario: `2. ${r.jobs} jobs, server stopped ${r.outageMs / 1000} s (lease ${r.leaseMs / 1000} s)`,
        measure: 'jobs lost',
        result: r.lost,
      },
      { scenario: '', measure: 'status updates lost', result: r.statusUpdatesLost },
      { scenario: '', measure: 'worker processes crashed', result: r.crashedProcesses },
      { scenario: '', measure: 'time to full throughput after the restart', result: secs(r.timeToFullThroughputMs) },
      {
        scenario: '',
        measure: 'enqueue during the outage',
        result: `${r.enqueueError} (retryable: ${r.enqueueRetryable}); with enqueueTimeoutMs: done ${secs(r.waitedEnqueueAfterRestartMs)} after restart`,
      },
    );
  }

  if (run(3)) {
    const rows: Row[] = [];
    for (const variant of ['dependency', 'queue'] as const) {
      const r = await breakerStorm({
        newDatabase,
        say,
        variant,
        workers: 4,
        concurrency: 10,
        ratePerSec: 100,
        healthyMs: 5_000,
        failingMs: quick ? 10_000 : 20_000,
        recoveredMs: quick ? 5_000 : 10_000,
        settings: { failureRatio: 0.5, minCalls: 20, windowMs: 2_000, cooldownMs: 1_000, maxCooldownMs: 4_000, probes: 2 },
        syncMs: 500,
      });
      rows.push(r as unknown as Row);
      summary.push(
        {
          scenario: `3${variant === 'dependency' ? 'a' : 'b'}. downstream fails 100% for ${quick ? 10 : 20} s, 4 workers (${variant === 'dependency' ? 'ctx.breaker' : 'queue breaker'})`,
          measure: 'calls while open (the last one, after the opening)',
          result: `${r.callsOpen} (${r.lastOpenCallAfterMs} ms)`,
        },
        { scenario: '', measure: 'calls while half-open (probe budget: rounds × probes)', result: `${r.callsHalfOpen} (${r.probeBudget})` },
        { scenario: '', measure: 'calls while closed, before it opened', result: r.callsClosed },
        { scenario: '', measure: 'recovery to closed', result: secs(r.recoveryToClosedMs) },
      );
    }
    table('3. Failing downstream behind a circuit breaker', rows);
  }

  if (run(4)) {
    const rows: Row[] = [];
    for (const guard of [false, true]) {
      const r = await blockedLoop({
        newDatabase,
        say,
        guard,
        ratePerSec: 200,
        seconds: quick ? 8 : 20,
        healthyWorkers: 2,
        concurrency: 10,
        jobMs: 10,
        heavyMs: 300,
      });
      rows.push(r as unknown as Row);
      summary.push({
        scenario: guard ? '' : '4. one of 3 workers also runs CPU-bound jobs (300 ms loop blocks); light jobs at 200/s',
        measure: `${guard ? 'with' : 'without'} guard: light jobs taken by the blocked process; p50 / p99 / max enqueue-to-finish`,
        result: `${(r.blockerShare * 100).toFixed(1)}%; ${Math.round(r.p50Ms)} / ${Math.round(r.p99Ms)} / ${Math.round(r.maxMs)} ms (lost ${r.lost}, guard trips ${r.guardTrips})`,
      });
    }
    table('4. Event-loop-blocking handler, resource guard off / on', rows);
  }

  if (run(5)) {
    const rows: Row[] = [];
    for (let i = 0; i < (quick ? 1 : 3); i++) {
      rows.push(
        (await recovery({ newDatabase, say, leaseMs: 5_000, rescueIntervalMs: 2_000, concurrency: 5, held: 40 })) as unknown as Row,
      );
    }
    table('5. Recovery of jobs held by a SIGKILLed worker (lease 5 s, check every 2 s)', rows);
    const last = Math.max(...rows.map((r) => r.lastRerunMs as number));
    const held = rows.map((r) => `${r.running}+${r.buffered}`).join(', ');
    summary.push({
      scenario: '5. worker SIGKILLed holding running + buffered jobs (lease 5 s, check 2 s)',
      measure: `all held jobs ran again within (${rows.length} runs; held ${held})`,
      result: `${secs(last)} (bound: 7 s)`,
    });
  }

  table('Summary', summary);
} finally {
  await server.destroy();
}
