// The enqueue statement of one job (sql/queries/enqueue.sql) sent unnamed (parsed and
// planned on every call, as src/client/enqueue.ts sends it at s5-start) against the
// same text as a named (prepared) statement, alternating call by call on one session
// with no worker running: wall time per call, the backend's CPU per call
// (/proc/<pid>/schedstat) and PostgreSQL's own split (pg_stat_statements with
// track_planning: plan and exec time per call). Medians and p90 of the last half.
//   ROUNDS=2000 npx tsx bench/experiments/lat-enqueue.ts
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { startEmbeddedPostgres } from '../../src/db/embedded.js';
import { Rota } from '../../src/index.js';
import { percentile, printTable } from '../lib.js';

const ROUNDS = Number(process.env.ROUNDS ?? 2000);
const cpuUs = (pid: number) => Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]) / 1000;
const server = await startEmbeddedPostgres({
  settings: {
    shared_preload_libraries: 'pg_stat_statements',
    'pg_stat_statements.track': 'top',
    'pg_stat_statements.track_planning': 'on',
    shared_buffers: '256MB',
  },
});
try {
  const url = server.urlFor('postgres');
  const rota = new Rota({ connectionString: url });
  await rota.migrate();
  await rota.close();
  const text = readFileSync('sql/queries/enqueue.sql', 'utf8').replaceAll('{{schema}}', '"rota"');
  const c = new pg.Client(url);
  await c.connect();
  await c.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
  const pid = (await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid as number;
  // Named: the same text plus a comment (pg_stat_statements still counts both as one query).
  const named = { name: 'lat_enqueue', text: `${text}\n-- named` };
  const samples = { unnamed: { wall: [] as number[], cpu: [] as number[] }, named: { wall: [] as number[], cpu: [] as number[] } };
  await c.query('SELECT pg_stat_statements_reset()');
  for (let i = 0; i < ROUNDS; i++) {
    for (const kind of i % 2 ? (['unnamed', 'named'] as const) : (['named', 'unnamed'] as const)) {
      const values = ['q', `[{"t":"default","p":2,"d":{"i":${i}},"r":null,"m":null,"a":null,"o":null,"k":null}]`, 25];
      const cpu0 = cpuUs(pid);
      const t0 = performance.now();
      if (kind === 'named') await c.query({ ...named, values });
      else await c.query(text, values);
      const wall = performance.now() - t0;
      const cpu = cpuUs(pid) - cpu0;
      if (i >= ROUNDS / 2) {
        samples[kind].wall.push(wall);
        samples[kind].cpu.push(cpu / 1000);
      }
    }
    if (i % 200 === 199) await c.query('DELETE FROM rota.jobs');
  }
  // Both variants share one pg_stat_statements entry (the query id ignores the comment):
  // its mean plan time is over both, and only the unnamed calls plan.
  const ss = await c.query<{ calls: string; plan: number; exec: number; plans: string }>(
    `SELECT calls, plans, mean_plan_time AS plan, mean_exec_time AS exec
       FROM pg_stat_statements WHERE query LIKE '%INSERT INTO "rota".jobs%'`,
  );
  printTable(
    `one-job enqueue statement, ${ROUNDS} calls each, alternating (last half; load ${(await import('node:os')).loadavg()[0]?.toFixed(1)})`,
    [
      ...(['unnamed', 'named'] as const).map((k) => ({
        statement: k,
        'wall ms p50': percentile(samples[k].wall, 50),
        'wall ms p90': percentile(samples[k].wall, 90),
        'backend CPU ms p50': percentile(samples[k].cpu, 50),
        'backend CPU ms p90': percentile(samples[k].cpu, 90),
      })),
    ],
  );
  const s = ss.rows[0];
  if (s) {
    console.log(
      `pg_stat_statements, both variants: ${s.calls} calls, ${s.plans} plans (mean ${s.plan.toFixed(3)} ms each), exec mean ${s.exec.toFixed(3)} ms`,
    );
  }
  await c.end();
} finally {
  await server.destroy();
}
