// What one claim costs by tenant spread (issue #9): JOBS jobs over 1, 1,000 and 10,000
// tenants, then CLAIMS claims of SIZE jobs (never finished) on one session; prints ms per
// claim (median of the last ones), the backend's CPU per claim, WAL written per claim, the tables' updates and HOT updates, and with
// EXPLAIN=1 the nested plans of one claim (auto_explain, sent to the client). SETUP_SQL
// runs after migrate() (to try a table setting, e.g. a fillfactor); TENANTS=1,1000 picks
// the spreads; ANALYZE=1 analyzes the tables first.
//   JOBS=20000 SIZE=1000 npx tsx bench/experiments/claim-cost.ts
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { startEmbeddedPostgres } from '../../src/db/embedded.js';
import { Rota } from '../../src/index.js';
import { median, printTable, type Row } from '../lib.js';

const JOBS = Number(process.env.JOBS ?? 20_000);
const SIZE = Number(process.env.SIZE ?? 1_000);
const CLAIMS = Number(process.env.CLAIMS ?? 12);
const SPREADS = (process.env.TENANTS ?? '1,1000,10000').split(',').map(Number);
/** CPU time the backend `pid` has used so far, in µs (/proc/<pid>/schedstat: robust to other load, unlike wall time). */
const cpuUs = (pid: number) => Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]) / 1000;
const silent = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };

const server = await startEmbeddedPostgres({ settings: { shared_buffers: '256MB' } });
try {
  const rows: Row[] = [];
  for (const tenants of SPREADS) {
    const admin = new pg.Client(server.url);
    await admin.connect();
    await admin.query(`CREATE DATABASE cc_${tenants}`);
    await admin.end();
    const url = server.urlFor(`cc_${tenants}`);
    const rota = new Rota({ connectionString: url, logger: silent });
    await rota.migrate();
    if (process.env.SETUP_SQL) {
      const a = new pg.Client(url);
      await a.connect();
      await a.query(process.env.SETUP_SQL);
      await a.end();
    }
    // ORDER=blocked: each tenant's jobs enqueued together (a diagnostic: what the
    // interleaved order's scattered pages cost).
    const tenantOf = (i: number) => (process.env.ORDER === 'blocked' ? Math.floor((i * tenants) / JOBS) : i % tenants);
    for (let i = 0; i < JOBS; i += 1_000) {
      await rota.enqueueMany(
        'q',
        Array.from({ length: 1_000 }, (_, k) => ({ payload: { k }, tenant: `t${tenantOf(i + k)}` })),
      );
    }
    await rota.close();
    const c = new pg.Client(url);
    await c.connect();
    // ANALYZE=1: statistics as a long-running database has them (the generic plans change).
    if (process.env.ANALYZE)
      await c.query('VACUUM ANALYZE rota.jobs, rota.lane_state, rota.tenant_state, rota.queue_state, rota.lane_changes');
    await c.query(`SELECT count(*) FROM rota.claim_jobs(ARRAY['q'], ARRAY[1], 'w', 60000)`);
    if (process.env.ANALYZE)
      await c.query('VACUUM ANALYZE rota.jobs, rota.lane_state, rota.tenant_state, rota.queue_state, rota.lane_changes');
    await c.query('SELECT pg_stat_reset()');
    const ms: number[] = [];
    const cpu: number[] = [];
    const pid = (await c.query('SELECT pg_backend_pid() AS p')).rows[0].p as number;
    // WAL written per claim: the claim's writes, a figure the machine's load does not move.
    const lsn = async () => (await c.query(`SELECT pg_current_wal_insert_lsn()::text AS l`)).rows[0].l as string;
    const walStart = await lsn();
    for (let i = 0; i < CLAIMS; i++) {
      if (process.env.EXPLAIN && i === CLAIMS - 1) {
        await c.query(`LOAD 'auto_explain'`);
        await c.query(
          `SET auto_explain.log_min_duration = 0; SET auto_explain.log_analyze = on; SET auto_explain.log_buffers = on;
           SET auto_explain.log_nested_statements = on; SET client_min_messages = log`,
        );
        c.on('notice', (n) => console.log(n.message));
      }
      const t = performance.now();
      const u = cpuUs(pid);
      const r = await c.query(`SELECT count(id) AS n FROM rota.claim_jobs(ARRAY['q'], ARRAY[${SIZE}], 'w', 60000)`);
      ms.push(performance.now() - t);
      cpu.push(cpuUs(pid) - u);
      if (i === 0) console.error(`tenants ${tenants}: claim got ${r.rows[0].n}`);
    }
    const walEnd = await lsn();
    const walBytes = (await c.query('SELECT pg_wal_lsn_diff($1, $2)::float8 AS d', [walEnd, walStart])).rows[0].d as number;
    await c.query('SELECT pg_stat_force_next_flush()');
    const st = await c.query(
      `SELECT relname, n_tup_upd, n_tup_hot_upd FROM pg_stat_user_tables WHERE relname IN ('jobs','lane_state','tenant_state','queue_state') ORDER BY relname`,
    );
    await c.end();
    const row: Row = {
      tenants,
      'ms per claim (median of last half)': median(ms.slice(CLAIMS / 2)).toFixed(1),
      // The backend's CPU per claim: what the machine's load moves least.
      'backend CPU ms per claim (median / min of last half)': `${(median(cpu.slice(CLAIMS / 2)) / 1000).toFixed(1)} / ${(Math.min(...cpu.slice(CLAIMS / 2)) / 1000).toFixed(1)}`,
      'WAL kB per claim': (walBytes / 1024 / CLAIMS).toFixed(0),
    };
    for (const s of st.rows) row[`${s.relname} upd/hot`] = `${s.n_tup_upd}/${s.n_tup_hot_upd}`;
    rows.push(row);
  }
  printTable(`claim of ${SIZE} (${JOBS} jobs)`, rows);
} finally {
  await server.destroy();
}
