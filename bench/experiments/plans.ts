// Query plans after ANALYZE: fresh-database benchmarks never see the plans a
// production database gets once autovacuum has analyzed the tables (big backlog, few
// running). This loads a 200k backlog, analyzes, processes 20k jobs and prints the mean
// time per hot statement from pg_stat_statements, then the same without ANALYZE.
// Run: npx tsx bench/experiments/plans.ts
import pg from 'pg';
import { startEmbeddedPostgres } from '../../src/db/embedded.js';
import { Rota } from '../../src/index.js';
import { printTable, type Row } from '../lib.js';

const BACKLOG = Number(process.env.BACKLOG ?? 200_000);
const PROCESS = 20_000;

const server = await startEmbeddedPostgres({
  settings: { shared_preload_libraries: 'pg_stat_statements', 'pg_stat_statements.track': 'all', shared_buffers: '256MB' },
});
try {
  const rows: Row[] = [];
  for (const analyzed of [true, false]) {
    const admin = new pg.Client(server.url);
    await admin.connect();
    const dbName = `plans_${analyzed ? 'a' : 'n'}`;
    await admin.query(`CREATE DATABASE ${dbName}`);
    await admin.end();
    const url = server.urlFor(dbName);
    const sql = new pg.Client(url);
    await sql.connect();
    await sql.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    const rota = new Rota({ connectionString: url });
    await rota.migrate();
    for (let i = 0; i < BACKLOG; i += 50_000) {
      await rota.enqueueMany(
        'q',
        Array.from({ length: 50_000 }, (_, k) => ({ payload: { i: i + k }, tenant: `t${(i + k) % 10}` })),
      );
    }
    if (analyzed) await sql.query('ANALYZE');
    await sql.query('SELECT pg_stat_statements_reset()');
    let done = 0;
    const t0 = performance.now();
    await new Promise<void>((resolve) => {
      rota.work('q', { concurrency: 20 }, async () => {
        if (++done === PROCESS) resolve();
      });
    });
    const secs = (performance.now() - t0) / 1000;
    await rota.close();
    const stats = await sql.query<{ query: string; calls: string; mean: number; rows: string }>(
      `SELECT query, calls, mean_exec_time AS mean, rows FROM pg_stat_statements
        WHERE calls > 5 AND query !~* '^(BEGIN|COMMIT|ROLLBACK|SELECT pg_stat)' ORDER BY total_exec_time DESC LIMIT 8`,
    );
    for (const s of stats.rows) {
      rows.push({
        analyzed: analyzed ? 'yes' : 'no',
        statement: s.query
          .replace(/\s+/g, ' ')
          .replace(/^-- [\s\S]*?(?=(WITH|SELECT|UPDATE|INSERT|DELETE) )/, '')
          .slice(0, 70),
        calls: Number(s.calls),
        'mean ms': s.mean,
        'rows/call': Number(s.rows) / Number(s.calls),
      });
    }
    rows.push({
      analyzed: analyzed ? 'yes' : 'no',
      statement: `(burn-down of ${PROCESS} with ${BACKLOG} queued: jobs/s)`,
      calls: 0,
      'mean ms': PROCESS / secs,
      'rows/call': 0,
    });
    await sql.end();
  }
  printTable(`hot statements with a ${BACKLOG} backlog, analyzed vs not`, rows);
} finally {
  await server.destroy();
}
