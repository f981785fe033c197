// Where enqueue-to-start latency goes on an idle worker (issue #9, third pass): the core
// benchmark's latency case (one process, a producer and a worker at concurrency 20, JOBS
// single enqueues at RATE/s) with every step timed: the enqueue call, the NOTIFY's
// arrival, the claim that took the job, the handler start. Prints percentiles of each
// step and the slowest samples' breakdown.
//   JOBS=500 RATE=100 npx tsx bench/experiments/latency-trace.ts
import pg from 'pg';
import { startEmbeddedPostgres } from '../../src/db/embedded.js';
import { Rota } from '../../src/index.js';
import { percentile, printTable } from '../lib.js';

const JOBS = Number(process.env.JOBS ?? 500);
const RATE = Number(process.env.RATE ?? 100);
const silent = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const server = await startEmbeddedPostgres({ settings: { shared_buffers: '256MB' } });
try {
  const url = server.urlFor('postgres');
  const producer = new Rota({ connectionString: url, logger: silent });
  await producer.migrate();
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  interface Sample {
    t0: number;
    notify?: number;
    enq?: number;
    claimSent?: number;
    claimBack?: number;
    start?: number;
  }
  const samples: Sample[] = [];
  const claims: Array<{ sent: number; back: number; poolWait: number }> = [];
  const other: Array<{ sent: number; back: number; what: string }> = [];
  // When each claim reached a connection (pg.Client#query), i.e. after any wait for the pool.
  let lastClaimOnClient = 0;
  const clientQuery = pg.Client.prototype.query as (...a: unknown[]) => unknown;
  (pg.Client.prototype as unknown as { query: unknown }).query = function (this: pg.Client, ...args: unknown[]) {
    const cfg = args[0] as { name?: string } | string;
    if (typeof cfg === 'object' && cfg?.name?.startsWith('rota_claim')) lastClaimOnClient = performance.now();
    return clientQuery.apply(this, args);
  };
  const query = pool.query.bind(pool) as (...a: unknown[]) => Promise<pg.QueryResult>;
  (pool as unknown as { query: unknown }).query = async (...args: unknown[]) => {
    const cfg = args[0] as { name?: string; text?: string } | string;
    const name = typeof cfg === 'object' ? (cfg.name ?? cfg.text ?? '') : cfg;
    const sent = performance.now();
    const res = await query(...args);
    const back = performance.now();
    if (name.startsWith('rota_claim')) claims.push({ sent, back, poolWait: lastClaimOnClient - sent });
    else other.push({ sent, back, what: name.replace(/\s+/g, ' ').slice(0, 40) });
    return res;
  };
  // A LISTEN session of our own: when PostgreSQL delivers each job's notification.
  const listen = new pg.Client(url);
  await listen.connect();
  const notified: number[] = [];
  listen.on('notification', () => notified.push(performance.now()));
  await listen.query('LISTEN "rota.jobs"');
  const worker = new Rota({ pool, logger: silent });
  let done = 0;
  worker.work<{ i: number }>('q', { concurrency: 20 }, (job) => {
    const s = samples[job.payload.i];
    if (s) s.start = performance.now();
    done++;
  });
  await sleep(1_000);
  const start = performance.now();
  for (let i = 0; i < JOBS; i++) {
    const wait = start + (i * 1000) / RATE - performance.now();
    if (wait > 0) await sleep(wait);
    const s: Sample = { t0: performance.now() };
    samples[i] = s;
    await producer.enqueue('q', { i });
    s.enq = performance.now();
  }
  while (done < JOBS) await sleep(5);
  // The claim that brought each job: the last reply before its handler started.
  for (const s of samples) {
    s.notify = notified.find((n) => n >= s.t0);
    const c = claims.filter((c) => c.back <= (s.start ?? 0)).at(-1);
    if (c) {
      s.claimSent = c.sent;
      s.claimBack = c.back;
    }
  }
  const lat = samples.map((s) => (s.start ?? 0) - s.t0);
  const step = (f: (s: Sample) => number | undefined) => samples.map(f).filter((x): x is number => x !== undefined);
  printTable(`latency steps over ${JOBS} jobs at ${RATE}/s (ms)`, [
    { step: 'enqueue call', ...pct(step((s) => (s.enq ?? 0) - s.t0)) },
    {
      step: 'enqueue called → NOTIFY delivered (our own LISTEN session)',
      ...pct(step((s) => (s.notify !== undefined ? s.notify - s.t0 : undefined))),
    },
    {
      step: 'NOTIFY delivered → claim sent',
      ...pct(step((s) => (s.notify !== undefined && s.claimSent !== undefined ? s.claimSent - s.notify : undefined))),
    },
    {
      step: 'enqueue returned → claim sent (negative: before the reply reached the producer)',
      ...pct(step((s) => (s.claimSent !== undefined ? s.claimSent - (s.enq ?? 0) : undefined))),
    },
    { step: 'claim round trip', ...pct(step((s) => (s.claimBack !== undefined ? s.claimBack - (s.claimSent ?? 0) : undefined))) },
    { step: 'claim back → handler', ...pct(step((s) => (s.claimBack !== undefined ? (s.start ?? 0) - s.claimBack : undefined))) },
    { step: 'enqueue → start', ...pct(lat) },
  ]);
  printTable('claims: waiting for a pool connection, and the whole round trip (ms)', [
    { what: 'pool wait', ...pct(claims.map((c) => c.poolWait)) },
    { what: 'round trip', ...pct(claims.map((c) => c.back - c.sent)) },
  ]);
  const slow = samples
    .map((s, i) => ({ s, i, l: lat[i] as number }))
    .sort((a, b) => b.l - a.l)
    .slice(0, 8);
  for (const { s, i, l } of slow) {
    const near = other
      .filter((o) => o.back >= s.t0 - 20 && o.sent <= (s.start ?? 0))
      .map((o) => `${o.what} ${(o.back - o.sent).toFixed(1)}ms`);
    console.log(
      `#${i} ${l.toFixed(1)} ms: enqueue ${((s.enq ?? 0) - s.t0).toFixed(1)}, notify at ${((s.notify ?? NaN) - s.t0).toFixed(1)}, to claim ${((s.claimSent ?? NaN) - (s.enq ?? 0)).toFixed(1)}, claim ${((s.claimBack ?? NaN) - (s.claimSent ?? NaN)).toFixed(1)}, to handler ${((s.start ?? 0) - (s.claimBack ?? NaN)).toFixed(1)}; other statements meanwhile: ${near.join('; ') || '-'}`,
    );
  }
  await worker.close();
  await producer.close();
  await pool.end();
  await listen.end();
} finally {
  await server.destroy();
}

function pct(v: number[]): Record<string, number> {
  return { p50: percentile(v, 50), p90: percentile(v, 90), p99: percentile(v, 99), max: Math.max(...v), n: v.length };
}
