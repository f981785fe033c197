// What the first claim after a bulk enqueue costs (issue #9): JOBS jobs over TENANTS
// tenants enqueued in calls of 1,000 (as the tenants benchmark's setup does), then one
// claim of SIZE, whose fold creates every new tenant's lane and tenant rows. Prints wall
// time, the backend's CPU (/proc/<pid>/schedstat) and the WAL written, ROUNDS times on
// fresh databases; EXPLAIN=1 prints the fold's plan (auto_explain, nested statements).
//   TENANTS=10000 JOBS=20000 npx tsx bench/experiments/fold-cost.ts
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { startEmbeddedPostgres } from '../../src/db/embedded.js';
import { median, printTable } from '../lib.js';
import { seedTenantJobs } from './seed.js';

const JOBS = Number(process.env.JOBS ?? 20_000);
const TENANTS = Number(process.env.TENANTS ?? 10_000);
const SIZE = Number(process.env.SIZE ?? 1);
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const cpuUs = (pid: number) => Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]) / 1000;

const server = await startEmbeddedPostgres({ settings: { shared_buffers: '256MB' } });
try {
  const ms: number[] = [];
  const cpu: number[] = [];
  const wal: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const admin = new pg.Client(server.url);
    await admin.connect();
    await admin.query(`CREATE DATABASE fc_${round}`);
    await admin.end();
    const url = server.urlFor(`fc_${round}`);
    await seedTenantJobs(url, JOBS, TENANTS);
    const c = new pg.Client(url);
    await c.connect();
    const pid = (await c.query('SELECT pg_backend_pid() AS p')).rows[0].p as number;
    if (process.env.EXPLAIN && round === ROUNDS - 1) {
      await c.query(`LOAD 'auto_explain'`);
      await c.query(
        `SET auto_explain.log_min_duration = 0; SET auto_explain.log_analyze = on; SET auto_explain.log_buffers = on;
         SET auto_explain.log_nested_statements = on; SET client_min_messages = log`,
      );
      c.on('notice', (n) => console.log(n.message));
    }
    const lsn0 = (await c.query('SELECT pg_current_wal_insert_lsn() AS l')).rows[0].l as string;
    const u = cpuUs(pid);
    const t = performance.now();
    await c.query(`SELECT count(id) FROM rota.claim_jobs(ARRAY['q'], ARRAY[${SIZE}], 'w', 60000)`);
    ms.push(performance.now() - t);
    cpu.push(cpuUs(pid) - u);
    wal.push((await c.query('SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), $1)::float8 AS d', [lsn0])).rows[0].d as number);
    await c.end();
  }
  printTable(`first claim of ${SIZE} after ${JOBS} jobs over ${TENANTS} tenants (${ROUNDS} rounds)`, [
    {
      'ms (median / min)': `${median(ms).toFixed(1)} / ${Math.min(...ms).toFixed(1)}`,
      'backend CPU ms (median / min)': `${(median(cpu) / 1000).toFixed(1)} / ${(Math.min(...cpu) / 1000).toFixed(1)}`,
      'WAL kB (median)': (median(wal) / 1024).toFixed(0),
    },
  ]);
} finally {
  await server.destroy();
}
