// Where a many-tenant burn-down's PostgreSQL time goes (issue #9): JOBS no-op jobs over
// TENANTS tenants burned down by the tenants benchmark's child (a cold worker,
// concurrency 20) against a PostgreSQL with pg_stat_statements (track = all, so the
// statements inside claim_jobs() and move_jobs() are listed); prints statements by
// total time. SETUP_SQL runs before the burn-down.
//   TENANTS=1000 JOBS=20000 npx tsx bench/experiments/profile-tenants.ts
import pg from 'pg';
import { startEmbeddedPostgres } from '../../src/db/embedded.js';
import { engineChild } from '../engine-lib.js';
import { printTable } from '../lib.js';

const JOBS = Number(process.env.JOBS ?? 20_000);
const TENANTS = Number(process.env.TENANTS ?? 1_000);
const server = await startEmbeddedPostgres({
  settings: { shared_preload_libraries: 'pg_stat_statements', 'pg_stat_statements.track': 'all', shared_buffers: '256MB' },
});
try {
  const url = server.urlFor('postgres');
  await engineChild({ ENGINE_DB_URL: url, ENGINE_MODE: 'setup', ENGINE_JOBS: JOBS, ENGINE_TENANTS: TENANTS });
  const sql = new pg.Client(url);
  await sql.connect();
  await sql.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
  // A table setting to try (e.g. a fillfactor), applied before the burn-down.
  for (const stmt of (process.env.SETUP_SQL ?? '').split(';').filter((x) => x.trim())) await sql.query(stmt);
  await sql.query('SELECT pg_stat_statements_reset()');
  const res = await engineChild<{ ms: number; claims: number }>({ ENGINE_DB_URL: url, ENGINE_MODE: 'burndown', ENGINE_JOBS: JOBS });
  console.log(`burn-down: ${JOBS} jobs over ${TENANTS} tenants in ${res.ms.toFixed(0)} ms, ${res.claims} claims`);
  const st = await sql.query<{ query: string; calls: string; total: number; mean: number; rows: string; wal: string; hit: string }>(
    `SELECT left(regexp_replace(query, '\\s+', ' ', 'g'), 90) AS query, calls, total_exec_time AS total, mean_exec_time AS mean, rows,
            wal_bytes AS wal, shared_blks_hit + shared_blks_read AS hit
       FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
      ORDER BY total_exec_time DESC LIMIT 12`,
  );
  printTable(
    'PostgreSQL: statements by total time (pg_stat_statements, track = all)',
    st.rows.map((r) => ({
      statement: r.query.replaceAll('|', '¦'),
      calls: Number(r.calls),
      'total ms': Math.round(r.total),
      'mean ms': r.mean.toFixed(2),
      'µs per job': Math.round((r.total * 1000) / JOBS),
      // Load-independent: WAL written and buffer pages touched per job.
      'WAL bytes per job': Math.round(Number(r.wal) / JOBS),
      'buffers per job': (Number(r.hit) / JOBS).toFixed(1),
    })),
  );
  await sql.end();
} finally {
  await server.destroy();
}
