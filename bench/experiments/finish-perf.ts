// Where a finish's PostgreSQL CPU goes (issue #9, finish session): JOBS jobs claimed in
// claims of SIZE on one session, then finished in the same SIZE through finish_batch.sql
// (the batcher's parameters) on a second session, with `perf record` (cpu-clock) on that
// backend only. Prints the backend's CPU per job and perf's flat profile (self time by
// symbol).
//   JOBS=20000 SIZE=1000 PERF=/tmp/finish.data npx tsx bench/experiments/finish-perf.ts
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { startEmbeddedPostgres } from '../../src/db/embedded.js';
import { loadQuery } from '../../src/db/sql.js';
import { finishParams } from '../../src/worker/batcher.js';
import { seedTenantJobs } from './seed.js';

const JOBS = Number(process.env.JOBS ?? 20_000);
const SIZE = Number(process.env.SIZE ?? 1_000);
const PERF = process.env.PERF;
const cpuUs = (pid: number) => Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]) / 1000;

const server = await startEmbeddedPostgres({ settings: { shared_buffers: '256MB' } });
try {
  const url = server.urlFor('postgres');
  await seedTenantJobs(url, JOBS, 1);
  const claimer = new pg.Client(url);
  await claimer.connect();
  await claimer.query('VACUUM ANALYZE');
  const batches: Array<Array<{ id: string; attempt: number }>> = [];
  for (;;) {
    const got = await claimer.query<{ id: string; attempt: number }>(
      `SELECT id, attempt FROM rota.claim_jobs(ARRAY['q'], ARRAY[${SIZE}], 'w', 600000) WHERE id IS NOT NULL`,
    );
    if (got.rows.length === 0) break;
    batches.push(got.rows);
  }
  await claimer.end();
  const c = new pg.Client(url);
  await c.connect();
  const pid = (await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid as number;
  const perf = PERF
    ? spawn('perf', ['record', '-e', 'cpu-clock', '-F', '2000', '--call-graph', 'dwarf,16384', '-p', String(pid), '-o', PERF], {
        stdio: 'ignore',
      })
    : undefined;
  if (perf) await new Promise((r) => setTimeout(r, 500));
  const finishBatch = loadQuery('finish_batch', 'rota');
  const cpu0 = cpuUs(pid);
  let n = 0;
  for (const rows of batches) {
    const params = finishParams(
      rows.map((x) => ({ id: x.id, attempt: x.attempt, kind: 'complete', result: null, error: null, delayMs: null })),
    );
    await c.query(finishBatch, params);
    n += rows.length;
  }
  console.log(`finished ${n} jobs in ${batches.length} statements: backend CPU ${((cpuUs(pid) - cpu0) / n).toFixed(1)} µs per job`);
  if (perf && PERF) {
    perf.kill('SIGINT');
    await new Promise((r) => perf.on('exit', r));
    console.log(
      execFileSync('perf', ['report', '-i', PERF, '--no-children', '--stdio', '-g', 'none', '--percent-limit', '0.7'], {
        encoding: 'utf8',
        maxBuffer: 1 << 28,
      }),
    );
  }
  await c.end();
} finally {
  await server.destroy();
}
