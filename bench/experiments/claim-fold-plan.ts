// The fold of finished jobs' journal entries (issue #9, many tenants): JOBS jobs over
// TENANTS tenants, ANALYZE=1 runs VACUUM ANALYZE after the enqueue (as autovacuum does
// in a live database: its statistics then say tenant_state and lane_state are empty),
// then ROUNDS of claim SIZE + finish them (move_jobs, complete) on one session; prints
// the backend CPU of each claim, and with EXPLAIN=1 the nested plans of the last claim
// (auto_explain with ANALYZE, sent to the client). TENANT_CONCURRENCY=n sets the queue's
// per-tenant limit first (every tenant's running is then counted and written).
//   TENANTS=10000 ANALYZE=1 EXPLAIN=1 npx tsx bench/experiments/claim-fold-plan.ts
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { startEmbeddedPostgres } from '../../src/db/embedded.js';
import { Rota } from '../../src/index.js';

const JOBS = Number(process.env.JOBS ?? 20_000);
const TENANTS = Number(process.env.TENANTS ?? 10_000);
const SIZE = Number(process.env.SIZE ?? 500);
const ROUNDS = Number(process.env.ROUNDS ?? 6);
const silent = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };
/** The backend's CPU so far, µs (/proc/<pid>/schedstat, ns). */
const cpuUs = (pid: number) => Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]) / 1000;

const server = await startEmbeddedPostgres({ settings: { shared_buffers: '256MB' } });
try {
  const url = server.urlFor('postgres');
  const rota = new Rota({ connectionString: url, logger: silent });
  await rota.migrate();
  if (process.env.TENANT_CONCURRENCY)
    await rota.queue('q').configure({ tenantConcurrency: Number(process.env.TENANT_CONCURRENCY) }, { create: true });
  for (let i = 0; i < JOBS; i += 1_000) {
    await rota.enqueueMany(
      'q',
      Array.from({ length: Math.min(1_000, JOBS - i) }, (_, k) => ({ payload: { k }, tenant: `t${(i + k) % TENANTS}` })),
    );
  }
  await rota.close();
  const c = new pg.Client(url);
  await c.connect();
  if (process.env.ANALYZE) await c.query('VACUUM ANALYZE');
  const pid = (await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid as number;
  const claimSql = `SELECT id, attempt FROM rota.claim_jobs(ARRAY['q'], ARRAY[${SIZE}], 'w', 60000) WHERE id IS NOT NULL`;
  const cpu: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    if (process.env.EXPLAIN && r === ROUNDS - 1) {
      await c.query(`LOAD 'auto_explain'`);
      await c.query(
        `SET auto_explain.log_min_duration = 0; SET auto_explain.log_analyze = on; SET auto_explain.log_buffers = on;
         SET auto_explain.log_nested_statements = on; SET client_min_messages = log`,
      );
      c.on('notice', (n) => console.log(n.message));
    }
    const t = cpuUs(pid);
    const got = await c.query<{ id: string; attempt: number }>(claimSql);
    cpu.push(cpuUs(pid) - t);
    if (got.rows.length === 0) break;
    await c.query(
      `SELECT count(*) FROM rota.move_jobs($1::bigint[], $2::int[], $3::text[], $4::jsonb[], $5::jsonb[], $6::float8[], $7::text[])`,
      [
        got.rows.map((x) => x.id),
        got.rows.map((x) => x.attempt),
        got.rows.map(() => 'complete'),
        got.rows.map(() => null),
        got.rows.map(() => null),
        got.rows.map(() => null),
        got.rows.map(() => null),
      ],
    );
  }
  if (process.env.EXPLAIN) await c.query('SET client_min_messages = notice');
  console.log(
    `claims of ${SIZE} over ${TENANTS} tenants${process.env.ANALYZE ? ' (analyzed)' : ''}${
      process.env.TENANT_CONCURRENCY ? `, tenantConcurrency ${process.env.TENANT_CONCURRENCY}` : ''
    }, backend CPU ms each: ${cpu.map((x) => (x / 1000).toFixed(1)).join(' ')}`,
  );
  await c.end();
} finally {
  await server.destroy();
}
