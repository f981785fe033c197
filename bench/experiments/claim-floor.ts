// How much of a many-tenant claim is the allocation's own work (issue #9): the floor is
// one statement that does only what any claim of one job from each of SIZE lanes must
// do (read the lanes whose turn it is from lane_active_idx, probe each lane's next job
// with its row lock, mark the jobs running, write each lane's ready and vtime back),
// run alternately with claim_jobs() on the same data; prints the backend's CPU per call.
// HASH=1 adds a third statement: the floor with its probe on an index whose lane key is
// one int4 (hashtext of queue and tenant) instead of two text columns (an experiment:
// nothing in rota has that index).
//   TENANTS=1000 JOBS=40000 SIZE=1000 npx tsx bench/experiments/claim-floor.ts
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { startEmbeddedPostgres } from '../../src/db/embedded.js';
import { median, printTable } from '../lib.js';
import { seedTenantJobs } from './seed.js';

const JOBS = Number(process.env.JOBS ?? 40_000);
const TENANTS = Number(process.env.TENANTS ?? 1_000);
const SIZE = Number(process.env.SIZE ?? 1_000);
const CALLS = Number(process.env.CALLS ?? 12);
const cpuUs = (pid: number) => Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]) / 1000;

const FLOOR = `
WITH act AS (
  SELECT x.queue, x.tenant, x.priority, x.vtime, x.ctid AS lane_ctid FROM rota.lane_state x
   WHERE x.queue = 'q' AND x.ready > 0 AND x.parked_until IS NULL
   ORDER BY x.tier, x.vtime LIMIT $1
),
picks AS (
  SELECT a.*, p.ids FROM act a
   CROSS JOIN LATERAL (
     SELECT array_agg(x.id) AS ids FROM (
       SELECT jb.id FROM rota.jobs jb
        WHERE jb.queue = a.queue AND jb.tenant = a.tenant AND jb.priority = a.priority
          AND jb.state = 'available' AND jb.run_at <= clock_timestamp()
        ORDER BY jb.run_at, jb.id LIMIT 1 FOR UPDATE SKIP LOCKED) x) p
),
claimed AS (
  UPDATE rota.jobs j SET state = 'running', attempt = j.attempt + 1, started_at = now(), locked_by = 'w',
         lease_expires_at = now() + interval '60 s'
   WHERE j.id = ANY (ARRAY(SELECT unnest(p.ids) FROM picks p))
  RETURNING j.id
),
lanes AS (
  UPDATE rota.lane_state ls SET ready = ls.ready - cardinality(o.ids), vtime = o.vtime + cardinality(o.ids)
    FROM picks o WHERE ls.ctid = o.lane_ctid
  RETURNING 1
)
SELECT (SELECT count(*) FROM claimed) AS n, (SELECT count(*) FROM lanes) AS l`;

// The floor's probe on (hashtext(queue || '/' || tenant), priority, run_at, id): fixed-width
// keys, no collation; queue and tenant are checked on the row (a hash collision only
// adds rows to skip).
const FLOOR_HASH = FLOOR.replace(
  'WHERE jb.queue = a.queue AND jb.tenant = a.tenant AND jb.priority = a.priority',
  "WHERE hashtext(jb.queue || '/' || jb.tenant) = hashtext(a.queue || '/' || a.tenant) AND jb.priority = a.priority AND jb.queue || '' = a.queue AND jb.tenant || '' = a.tenant",
);

const server = await startEmbeddedPostgres({ settings: { shared_buffers: '256MB' } });
try {
  await seedTenantJobs(server.url, JOBS, TENANTS);
  const c = new pg.Client(server.url);
  await c.connect();
  await c.query('SET enable_hashjoin = off; SET enable_mergejoin = off; SET enable_seqscan = off');
  if (process.env.HASH)
    await c.query(
      `CREATE INDEX jobs_lane_hash_idx ON rota.jobs (hashtext(queue || '/' || tenant), priority, run_at, id) WHERE state = 'available'`,
    );
  await c.query(`SELECT count(*) FROM rota.claim_jobs(ARRAY['q'], ARRAY[1], 'w', 60000)`);
  if (process.env.HASH && process.env.PLAN) {
    const plan = await c.query(`EXPLAIN (COSTS OFF) ${FLOOR_HASH}`, [SIZE]);
    for (const r of plan.rows) console.log(r['QUERY PLAN']);
  }
  const pid = (await c.query('SELECT pg_backend_pid() AS p')).rows[0].p as number;
  const cpu: Record<string, number[]> = { 'claim_jobs()': [], floor: [], ...(process.env.HASH ? { 'floor, int4 lane key': [] } : {}) };
  for (let i = 0; i < CALLS; i++) {
    for (const [name, run] of [
      ['claim_jobs()', () => c.query(`SELECT count(id) FROM rota.claim_jobs(ARRAY['q'], ARRAY[${SIZE}], 'w', 60000)`)],
      ['floor', () => c.query(FLOOR, [SIZE])],
      ['floor, int4 lane key', () => (process.env.HASH ? c.query(FLOOR_HASH, [SIZE]) : Promise.resolve())],
    ] as const) {
      if (!(name in cpu)) continue;
      const u = cpuUs(pid);
      await run();
      cpu[name]?.push(cpuUs(pid) - u);
    }
  }
  await c.end();
  printTable(
    `claims of ${SIZE} over ${TENANTS} tenants (${JOBS} jobs), ${CALLS} calls each, alternating`,
    Object.entries(cpu).map(([name, v]) => ({
      statement: name,
      'backend CPU ms (median / min of the last half)': `${(median(v.slice(CALLS / 2)) / 1000).toFixed(1)} / ${(Math.min(...v.slice(CALLS / 2)) / 1000).toFixed(1)}`,
    })),
  );
} finally {
  await server.destroy();
}
