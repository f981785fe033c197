// The tenants benchmark's burn-down (20,000 jobs over 1, 1,000 and 10,000 tenants, a
// cold worker, concurrency 20) A/B against another tree, by what the machine's load
// moves least: PostgreSQL's CPU per job (every backend of the burn-down, read from the
// postmaster's cutime + cstime once its sessions ended, as ab-burst.ts does), next to
// wall jobs/s and claims. Alternates base and this tree in every round, on one server.
// ANALYZE=1: VACUUM ANALYZE after the enqueue, as autovacuum would in a live database
// (statistics taken while tenant_state and lane_state are still empty).
//   BASE_DIR=/tmp/base ROUNDS=3 npx tsx bench/experiments/tenants-cpu.ts
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { engineChild } from '../engine-lib.js';
import { databaseName, dropDatabase, median, printTable, type Row, startBenchServer, waitForNoClients } from '../lib.js';

const JOBS = Number(process.env.JOBS ?? 20_000);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const SPREADS = (process.env.TENANTS ?? '1,1000,10000').split(',').map(Number);
const BASE = process.env.BASE_DIR;
if (!BASE) throw new Error('BASE_DIR: a tree to compare with (e.g. a `git archive` export with node_modules linked)');

type Child = <R>(env: Record<string, string | number>) => Promise<R>;
const base = (await import(resolve(join(BASE, 'bench/engine-lib.ts')))) as { engineChild: Child };
const variants: Array<[string, Child]> = [
  ['base', base.engineChild],
  ['this tree', engineChild],
];

const server = await startBenchServer();
const postmaster = await (async () => {
  const c = new pg.Client(server.adminUrl);
  await c.connect();
  const r = await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  const ppid = Number(readFileSync(`/proc/${r.rows[0]?.pid}/stat`, 'utf8').split(') ')[1]?.split(' ')[1]);
  await c.end();
  return ppid;
})();
/** Exited children's user + system CPU of the postmaster, seconds (10 ms ticks). */
const childrenCpu = () => {
  const f = readFileSync(`/proc/${postmaster}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(f[13]) + Number(f[14])) / 100;
};

type Sample = { cpuUs: number; rate: number; claims: number };
const samples = new Map<string, Sample[]>();
try {
  for (let round = 0; round < ROUNDS; round++) {
    for (const tenants of SPREADS) {
      const order = round % 2 === 0 ? variants : [...variants].reverse();
      for (const [name, child] of order) {
        console.error(`tenants-cpu: round ${round + 1}/${ROUNDS}, ${tenants} tenant(s), ${name}`);
        const url = await server.freshDatabase('tcpu');
        try {
          await child({ ENGINE_DB_URL: url, ENGINE_MODE: 'setup', ENGINE_JOBS: JOBS, ENGINE_TENANTS: tenants });
          await waitForNoClients(server.adminUrl, databaseName(url));
          if (process.env.ANALYZE) {
            const a = new pg.Client(url);
            await a.connect();
            await a.query('VACUUM ANALYZE');
            await a.end();
          }
          const cpu0 = childrenCpu();
          const res = await child<{ ms: number; claims: number }>({ ENGINE_DB_URL: url, ENGINE_MODE: 'burndown', ENGINE_JOBS: JOBS });
          await waitForNoClients(server.adminUrl, databaseName(url));
          const cpu = childrenCpu() - cpu0;
          const key = `${name}|${tenants}`;
          const list = samples.get(key) ?? [];
          list.push({ cpuUs: (cpu * 1e6) / JOBS, rate: JOBS / (res.ms / 1000), claims: res.claims });
          samples.set(key, list);
        } finally {
          await dropDatabase(server.adminUrl, databaseName(url));
        }
      }
    }
  }
  const rows: Row[] = [];
  for (const [name] of variants) {
    const one = samples.get(`${name}|1`) ?? [];
    for (const tenants of SPREADS) {
      const s = samples.get(`${name}|${tenants}`) ?? [];
      rows.push({
        tree: name,
        tenants,
        'PostgreSQL CPU µs per job (median / min)': `${median(s.map((x) => x.cpuUs)).toFixed(0)} / ${Math.min(...s.map((x) => x.cpuUs)).toFixed(0)}`,
        'of the 1-tenant CPU (median of rounds)': `${(100 * median(s.map((x, i) => x.cpuUs / (one[i]?.cpuUs ?? Number.NaN)))).toFixed(0)} %`,
        'jobs/s (median)': Math.round(median(s.map((x) => x.rate))),
        'of the 1-tenant rate (median of rounds)': `${(100 * median(s.map((x, i) => x.rate / (one[i]?.rate ?? Number.NaN)))).toFixed(0)} %`,
        'claims (median)': median(s.map((x) => x.claims)),
      });
    }
  }
  printTable(`Many-tenant burn-down, ${JOBS} jobs, ${ROUNDS} round(s)${process.env.ANALYZE ? ', analyzed' : ''}, base = ${BASE}`, rows);
} finally {
  await server.close();
}
