// Where a many-tenant burn-down's PostgreSQL time goes (issue #9): JOBS no-op jobs over
// TENANTS tenants burned down by the tenants benchmark's child (a cold worker,
// concurrency 20) against a PostgreSQL with pg_stat_statements (track = all, so the
// statements inside claim_jobs() and move_jobs() are listed); prints statements by
// total time. SETUP_SQL runs before the burn-down.
//   TENANTS=1000 JOBS=20000 npx tsx bench/experiments/profile-tenants.ts
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { startEmbeddedPostgres } from '../../src/db/embedded.js';
import { engineChild } from '../engine-lib.js';
import { printTable } from '../lib.js';

const JOBS = Number(process.env.JOBS ?? 20_000);
const TENANTS = Number(process.env.TENANTS ?? 1_000);
const server = await startEmbeddedPostgres({
  settings: {
    shared_preload_libraries: 'pg_stat_statements',
    'pg_stat_statements.track': 'all',
    // Planning too: a nested statement planned anew on every call shows here, not in its execution time.
    'pg_stat_statements.track_planning': 'on',
    shared_buffers: '256MB',
  },
});
try {
  const url = server.urlFor('postgres');
  // ORDER=blocked: each tenant's jobs enqueued together (the benchmark interleaves them).
  await engineChild({
    ENGINE_DB_URL: url,
    ENGINE_MODE: 'setup',
    ENGINE_JOBS: JOBS,
    ENGINE_TENANTS: TENANTS,
    ENGINE_ORDER: process.env.ORDER ?? 'interleaved',
  });
  const sql = new pg.Client(url);
  await sql.connect();
  await sql.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
  // A table setting to try (e.g. a fillfactor), applied before the burn-down.
  for (const stmt of (process.env.SETUP_SQL ?? '').split(';').filter((x) => x.trim())) await sql.query(stmt);
  // Exited backends' CPU, from the postmaster's cutime + cstime (10 ms ticks), as tenants-cpu.ts does.
  const pid = (await sql.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid;
  const postmaster = Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ')[1]);
  const childrenCpu = () => {
    const f = readFileSync(`/proc/${postmaster}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(f[13]) + Number(f[14])) / 100;
  };
  await sql.query('SELECT pg_stat_statements_reset()');
  const cpu0 = childrenCpu();
  const res = await engineChild<{ ms: number; claims: number; nodeCpuUs?: number }>({
    ENGINE_DB_URL: url,
    ENGINE_MODE: 'burndown',
    ENGINE_JOBS: JOBS,
  });
  // The burn-down's sessions end with its process; wait for their exit to be counted.
  for (let i = 0; i < 200; i++) {
    const n = await sql.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND datname = current_database()',
    );
    if ((n.rows[0]?.n ?? 0) === 0) break;
    await new Promise((r) => setTimeout(r, 10));
  }
  const pgCpu = childrenCpu() - cpu0;
  console.log(
    `burn-down: ${JOBS} jobs over ${TENANTS} tenants (${process.env.ORDER ?? 'interleaved'}) in ${res.ms.toFixed(0)} ms, ${res.claims} claims`,
  );
  console.log(
    `CPU per job: PostgreSQL backends ${Math.round((pgCpu * 1e6) / JOBS)} µs, worker (Node) ${
      res.nodeCpuUs === undefined ? '?' : Math.round(res.nodeCpuUs / JOBS)
    } µs`,
  );
  const st = await sql.query<{
    query: string;
    calls: string;
    total: number;
    plan: number;
    mean: number;
    rows: string;
    wal: string;
    hit: string;
  }>(
    `SELECT left(regexp_replace(query, '\\s+', ' ', 'g'), 90) AS query, calls, total_exec_time AS total, total_plan_time AS plan, mean_exec_time AS mean, rows,
            wal_bytes AS wal, shared_blks_hit + shared_blks_read AS hit
       FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
      ORDER BY total_exec_time DESC LIMIT 16`,
  );
  printTable(
    'PostgreSQL: statements by total time (pg_stat_statements, track = all)',
    st.rows.map((r) => ({
      statement: r.query.replaceAll('|', '¦'),
      calls: Number(r.calls),
      'total ms': Math.round(r.total),
      'mean ms': r.mean.toFixed(2),
      'µs per job': Math.round((r.total * 1000) / JOBS),
      'planning µs per job': Math.round((r.plan * 1000) / JOBS),
      // Load-independent: WAL written and buffer pages touched per job.
      'WAL bytes per job': Math.round(Number(r.wal) / JOBS),
      'buffers per job': (Number(r.hit) / JOBS).toFixed(1),
    })),
  );
  await sql.end();
} finally {
  await server.destroy();
}
