// Where a many-tenant claim's backend CPU goes, by function (issue #9): JOBS jobs over
// TENANTS tenants, then CLAIMS claims of SIZE on one session while `perf record` samples
// that backend (software cpu-clock, DWARF call graphs: this VM has no hardware
// counters), then prints the share of samples under a few executor and access-method
// functions (inclusive). Needs perf; `perf report -i $OUT` for the rest.
//   TENANTS=1000 JOBS=60000 SIZE=1000 npx tsx bench/experiments/claim-perf.ts
import { execFileSync, spawn } from 'node:child_process';
import pg from 'pg';
import { startEmbeddedPostgres } from '../../src/db/embedded.js';
import { printTable } from '../lib.js';
import { seedTenantJobs } from './seed.js';

const JOBS = Number(process.env.JOBS ?? 60_000);
const SIZE = Number(process.env.SIZE ?? 1_000);
const CLAIMS = Number(process.env.CLAIMS ?? 40);
const TENANTS = Number(process.env.TENANTS ?? 1_000);
const OUT = process.env.OUT ?? '/tmp/claim-perf.data';

const server = await startEmbeddedPostgres({ settings: { shared_buffers: '256MB' } });
try {
  const url = server.url;
  await seedTenantJobs(url, JOBS, TENANTS);
  const c = new pg.Client(url);
  await c.connect();
  await c.query(`SELECT count(*) FROM rota.claim_jobs(ARRAY['q'], ARRAY[1], 'w', 60000)`);
  for (let i = 0; i < 3; i++) await c.query(`SELECT count(id) FROM rota.claim_jobs(ARRAY['q'], ARRAY[${SIZE}], 'w', 60000)`);
  const pid = (await c.query('SELECT pg_backend_pid() AS p')).rows[0].p as number;
  const args = ['record', '-e', 'cpu-clock', '-F', '1000', '--call-graph', 'dwarf,16384', '-p', String(pid), '-o', OUT];
  const perf = spawn('perf', args, { stdio: 'inherit' });
  await new Promise((r) => setTimeout(r, 500));
  const t = performance.now();
  for (let i = 0; i < CLAIMS; i++) await c.query(`SELECT count(id) FROM rota.claim_jobs(ARRAY['q'], ARRAY[${SIZE}], 'w', 60000)`);
  console.error(`${CLAIMS} claims in ${(performance.now() - t).toFixed(0)} ms`);
  perf.kill('SIGINT');
  await new Promise((r) => perf.on('exit', r));
  await c.end();
  // One stack per sample (frames innermost first), then the share of samples whose stack
  // holds each function.
  const script = execFileSync('perf', ['script', '-i', OUT], { encoding: 'utf8', maxBuffer: 1 << 30 });
  const stacks = script
    .split('\n\n')
    .map(
      (b) =>
        new Set(
          b
            .split('\n')
            .slice(1)
            .map((l) => l.trim().split(/\s+/)[1]?.split('+')[0]),
        ),
    )
    .filter((f) => f.size > 0);
  const frames: Record<string, string> = {
    ExecLockRows: 'picks: the per-lane jobs_lane_idx probe with its row lock',
    _bt_first: 'index descents (mostly the probes)',
    _bt_readpage: "reading a leaf page's matching entries (the probe reads its lane's whole run)",
    _bt_doinsert: 'index inserts (UPDATEs of jobs and lane_state, fold inserts)',
    heap_update: 'heap part of the UPDATEs',
    tuplestore_puttupleslot: 'CTE materialization',
    ExecSort: 'sorts',
    ExecWindowAgg: 'window aggregates',
    XLogFlush: 'WAL flush at commit',
  };
  printTable(
    `${CLAIMS} claims of ${SIZE} over ${TENANTS} tenants: ${stacks.length} samples`,
    Object.entries(frames).map(([f, what]) => ({
      function: f,
      what,
      'share of samples': `${((100 * stacks.filter((st) => st.has(f)).length) / stacks.length).toFixed(1)} %`,
    })),
  );
} finally {
  await server.destroy();
}
