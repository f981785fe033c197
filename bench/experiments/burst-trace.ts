// Timeline of one cold burst in one process (issue #9, third pass): JOBS no-op jobs
// enqueued in calls of 1,000, then a worker at concurrency 20; prints every claim
// (start, duration, jobs) and every status flush (end, duration, rows) relative to
// work(), the last handler call and when the database held every job as finished; then
// a summary of the phases (start-up, ramp, steady part, tail) with the rows unwritten at
// the last handler and the tail's time with at most one finish statement in flight.
//   JOBS=20000 npx tsx bench/experiments/burst-trace.ts
import pg from 'pg';
import { startEmbeddedPostgres } from '../../src/db/embedded.js';
import { Rota } from '../../src/index.js';

const JOBS = Number(process.env.JOBS ?? 20_000);
const silent = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };
const server = await startEmbeddedPostgres({ settings: { shared_buffers: '256MB' } });
try {
  const url = server.urlFor('postgres');
  const producer = new Rota({ connectionString: url, logger: silent });
  await producer.migrate();
  for (let i = 0; i < JOBS; i += 1_000) {
    await producer.enqueueMany(
      'q',
      Array.from({ length: Math.min(1_000, JOBS - i) }, (_, k) => ({ payload: { i: i + k } })),
    );
  }
  await producer.close();
  const probe = new pg.Client(url);
  await probe.connect();
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  pool.on('connect', () => events.push(`${(performance.now() - t0).toFixed(1)}\tpool connection opened`));
  const events: string[] = [];
  // Claims and finish statements as [start, end, rows] (ms from work()), for the summary.
  const claims: Array<[number, number, number]> = [];
  const flushes: Array<[number, number, number]> = [];
  let t0 = 0;
  const at = () => (performance.now() - t0).toFixed(1);
  // Every claim statement, timed at the pool.
  const query = pool.query.bind(pool) as (...a: unknown[]) => Promise<pg.QueryResult>;
  (pool as unknown as { query: unknown }).query = async (...args: unknown[]) => {
    const cfg = args[0] as { name?: string } | string;
    const name = typeof cfg === 'object' ? (cfg.name ?? (cfg as { text?: string }).text ?? '') : cfg;
    const start = performance.now() - t0;

    const res = await query(...args);
    const values = typeof cfg === 'object' ? (cfg as { values?: unknown[] }).values : undefined;
    const took = `+${(performance.now() - t0 - start).toFixed(1)} ms`;
    if (start < 100 && !name.startsWith('rota_claim') && !name.startsWith('rota_finish'))
      events.push(`${start.toFixed(1)}\t${took}\t${name.replace(/\s+/g, ' ').slice(0, 40)}`);
    const end = performance.now() - t0;
    if (name.startsWith('rota_claim')) {
      events.push(`${start.toFixed(1)}\t${took}\tclaim\t${res.rows.length} rows`);
      claims.push([start, end, res.rows.length]);
    }
    if (name.startsWith('rota_finish')) {
      const rows = String(values?.[0]).split(',').length;
      events.push(`${start.toFixed(1)}\t${took}\tflush\t${rows} rows`);
      flushes.push([start, end, rows]);
    }
    return res;
  };
  const worker = new Rota({ pool, logger: silent });
  let left = JOBS;
  let lastHandler = 0;
  let firstHandler = -1;
  const done = new Promise<void>((resolve) => {
    t0 = performance.now();
    worker.work('q', { concurrency: 20 }, () => {
      if (firstHandler < 0) {
        firstHandler = performance.now() - t0;
        events.push(`${firstHandler.toFixed(1)}\tfirst handler start`);
      }
      if (--left === 0) {
        lastHandler = performance.now() - t0;
        resolve();
      }
    });
  });
  await done;
  for (;;) {
    const r = await probe.query<{ n: number }>('SELECT count(*)::int AS n FROM rota.jobs');
    if (r.rows[0]?.n === 0) break;
    await new Promise((r) => setTimeout(r, 1));
  }
  const total = performance.now() - t0;
  console.log(events.sort((a, b) => Number.parseFloat(a) - Number.parseFloat(b)).join('\n'));
  console.log(`last handler at ${lastHandler.toFixed(0)} ms; all finished at ${at()} ms: ${Math.round(JOBS / (total / 1000))} jobs/s`);
  // Phases: start-up (work() → first handler), ramp (→ the first claim of ≥ 1,000 jobs
  // replied), steady part (→ last handler), tail (→ all written).
  const full = claims.find(([, , rows]) => rows >= 1_000);
  const unwritten = flushes.filter(([, end]) => end > lastHandler).reduce((n, [, , rows]) => n + rows, 0);
  let lone = 0;
  for (let t = lastHandler; t < total; t += 0.1) {
    if (flushes.filter(([s, e]) => s <= t && t < e).length <= 1) lone += 0.1;
  }
  console.log(
    `start-up ${firstHandler.toFixed(1)} ms; ramp ${full ? (full[1] - firstHandler).toFixed(1) : '-'} ms (first claim of ≥ 1,000 replied at ${full ? full[1].toFixed(1) : '-'}); ` +
      `steady ${full ? (lastHandler - full[1]).toFixed(0) : '-'} ms; tail ${(total - lastHandler).toFixed(0)} ms: ${unwritten} rows unwritten at the last handler, ` +
      `${lone.toFixed(0)} ms of it with at most one finish statement in flight`,
  );
  await worker.close();
  await pool.end();
  await probe.end();
} finally {
  await server.destroy();
}
