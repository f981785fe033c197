// The fixed cost of a small claim on an idle queue (issue #9, fourth pass: latency).
// ROUNDS times, as the core benchmark's latency case does it: one job enqueued (TENANTS
// tenants in turn), one claim of SIZE (the worker's free slots) on one session, the job
// completed through move_jobs() (as the status batcher does). Prints the claim's wall time
// and the backend's CPU per claim (median and minimum of the last half), and the same for
// FLOOR: one statement that takes the oldest available job (graphile-worker's get_job
// shape: a LIMIT 1 FOR UPDATE SKIP LOCKED probe and an UPDATE ... RETURNING), alternating
// with the claim on the same data. With EXPLAIN=1, the nested plans of the last claim
// (auto_explain with log_nested_statements, sent to the client). ALT=<file> installs that
// version of sql/functions/claim_jobs.sql as claim_jobs_alt() and alternates the three
// (claim, alt, floor) on the same data, so a change is measured against the current
// claim in one run. SETUP_SQL=<sql> runs that after the migrations (a schema change to
// measure, in two runs: the floor's figures tell their loads apart). With PERF=<file>, claims
// only (no floor), `perf record` (cpu-clock, DWARF call graphs) on the claiming backend,
// then the share of samples under each step of the claim (inclusive).
//   ROUNDS=400 SIZE=20 npx tsx bench/experiments/small-claim.ts
//   ROUNDS=2000 PERF=/tmp/small-claim.data npx tsx bench/experiments/small-claim.ts
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { startEmbeddedPostgres } from '../../src/db/embedded.js';
import { Rota } from '../../src/index.js';
import { median, printTable, type Row } from '../lib.js';

const ROUNDS = Number(process.env.ROUNDS ?? 400);
const SIZE = Number(process.env.SIZE ?? 20);
const TENANTS = Number(process.env.TENANTS ?? 1);
/** CPU time the backend `pid` has used so far, in µs (/proc/<pid>/schedstat). */
const cpuUs = (pid: number) => Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]) / 1000;
const silent = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };
const claimSql = readFileSync(new URL('../../sql/queries/claim.sql', import.meta.url), 'utf8').replaceAll('{{schema}}', 'rota');
const floorSql = `WITH async AS MATERIALIZED (SELECT set_config('synchronous_commit', 'off', true))
  UPDATE rota.jobs j SET state = 'running', attempt = j.attempt + 1, started_at = clock_timestamp(), locked_by = $1,
         lease_expires_at = now() + interval '60 seconds'
    FROM async
   WHERE j.id = (SELECT id FROM rota.jobs WHERE queue = 'floor' AND state = 'available' AND run_at <= clock_timestamp()
                  ORDER BY priority, run_at, id LIMIT 1 FOR UPDATE SKIP LOCKED)
  RETURNING j.id, j.attempt`;

const altSql = process.env.ALT
  ? readFileSync(process.env.ALT, 'utf8').replaceAll('{{schema}}.claim_jobs(', 'rota.claim_jobs_alt(').replaceAll('{{schema}}', 'rota')
  : undefined;
const server = await startEmbeddedPostgres({ settings: { shared_buffers: '256MB' } });
try {
  const url = server.urlFor('postgres');
  const rota = new Rota({ connectionString: url, logger: silent });
  await rota.migrate();
  const c = new pg.Client(url);
  await c.connect();
  // SETUP_SQL: a schema change to measure (two runs, with and without; the floor's
  // figures tell the load apart).
  if (process.env.SETUP_SQL) await c.query(process.env.SETUP_SQL);
  if (altSql) await c.query(altSql);
  const fin = new pg.Client(url);
  await fin.connect();
  const pid = (await c.query('SELECT pg_backend_pid() AS p')).rows[0].p as number;
  const finish = (id: string, attempt: number) =>
    fin.query(
      `SELECT count(*) FROM rota.move_jobs(ARRAY[$1]::bigint[], ARRAY[$2]::int[], ARRAY['complete'], ARRAY[NULL]::jsonb[], ARRAY[NULL]::jsonb[], ARRAY[0]::float8[], NULL::text[])`,
      [id, attempt],
    );
  const stats = {
    claim: { ms: [] as number[], cpu: [] as number[], wal: [] as number[] },
    alt: { ms: [] as number[], cpu: [] as number[], wal: [] as number[] },
    floor: { ms: [] as number[], cpu: [] as number[], wal: [] as number[] },
  };
  const kinds: Array<'claim' | 'alt' | 'floor'> = altSql ? ['claim', 'alt', 'floor'] : ['claim', 'floor'];
  let empty = 0;
  const PERF = process.env.PERF;
  const perf = PERF
    ? spawn('perf', ['record', '-e', 'cpu-clock', '-F', '2000', '--call-graph', 'dwarf,16384', '-p', String(pid), '-o', PERF], {
        stdio: 'inherit',
      })
    : undefined;
  if (perf) await new Promise((r) => setTimeout(r, 500));
  for (let i = 0; i < ROUNDS; i++) {
    const kind = PERF ? 'claim' : (kinds[i % kinds.length] ?? 'claim');
    // The floor has a queue of its own: its jobs taken behind the fair state's back
    // would leave the claim's lanes counting jobs that are gone.
    await rota.enqueue(kind === 'floor' ? 'floor' : 'q', { i }, TENANTS > 1 ? { tenant: `t${i % TENANTS}` } : {});
    if (process.env.EXPLAIN && i === ROUNDS - 2) {
      await c.query(`LOAD 'auto_explain'`);
      await c.query(
        `SET auto_explain.log_min_duration = 0; SET auto_explain.log_analyze = on; SET auto_explain.log_buffers = on;
         SET auto_explain.log_nested_statements = on; SET client_min_messages = log`,
      );
      c.on('notice', (n) => console.log(n.message));
    }
    // Not under perf: these would be sampled with the claim.
    const lsn = PERF ? '' : ((await c.query('SELECT pg_current_wal_insert_lsn()::text AS l')).rows[0].l as string);
    const t = performance.now();
    const u = cpuUs(pid);
    const r =
      kind === 'floor'
        ? await c.query({ name: 'floor', text: floorSql, values: ['w'] })
        : await c.query({
            name: kind,
            text: kind === 'alt' ? claimSql.replace('rota.claim_jobs(', 'rota.claim_jobs_alt(') : claimSql,
            values: [['q'], [SIZE], 'w', 60_000],
          });
    stats[kind].ms.push(performance.now() - t);
    stats[kind].cpu.push(cpuUs(pid) - u);
    // WAL the claim wrote (nothing else writes meanwhile): a figure the load does not move.
    if (!PERF)
      stats[kind].wal.push(
        (await c.query('SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), $1)::float8 AS d', [lsn])).rows[0].d as number,
      );
    const jobs = r.rows.filter((x) => x.id !== null);
    if (jobs.length !== 1) empty++;
    for (const j of jobs) await finish(j.id, j.attempt);
  }
  if (perf && PERF) {
    perf.kill('SIGINT');
    await new Promise((r) => perf.on('exit', r));
    printPerf(PERF);
  }
  const rows: Row[] = [];
  for (const [name, s] of Object.entries(stats)) {
    if (s.ms.length === 0) continue;
    const half = (a: number[]) => a.slice(a.length / 2);
    rows.push({
      statement:
        name === 'claim' ? `claim_jobs (size ${SIZE})` : name === 'alt' ? `${process.env.ALT} (size ${SIZE})` : 'floor (get_job shape)',
      'wall ms (median / min)': `${median(half(s.ms)).toFixed(3)} / ${Math.min(...half(s.ms)).toFixed(3)}`,
      'backend CPU ms (median / min)': `${(median(half(s.cpu)) / 1000).toFixed(3)} / ${(Math.min(...half(s.cpu)) / 1000).toFixed(3)}`,
      'WAL bytes (median)': s.wal.length > 0 ? median(half(s.wal)).toFixed(0) : '(not under perf)',
    });
  }
  printTable(
    `one job per claim, idle queue, ${TENANTS} tenant(s), ${ROUNDS} rounds (claims that did not get exactly one job: ${empty})`,
    rows,
  );
  await c.end();
  await fin.end();
  await rota.close();
} finally {
  await server.destroy();
}

/**
 * The share of samples by statement of claim_jobs() (1. the queue lock, inlined as
 * exec_stmts; 2. the fold, exec_stmt_execsql; 3. the allocation, RETURN QUERY's
 * SPI_execute_plan_extended) and by executor phase: start-up (ExecInitNode of every
 * node of the plan, whether it runs or not), run, finish (the data-modifying CTEs), end.
 */
function printPerf(file: string) {
  const script = execFileSync('perf', ['script', '-i', file], { encoding: 'utf8', maxBuffer: 1 << 30 });
  // Frames innermost first.
  const stacks = script
    .split('\n\n')
    .map((b) =>
      b
        .split('\n')
        .slice(1)
        .map((l) => l.trim().split(/\s+/)[1]?.split('+')[0] ?? ''),
    )
    .filter((f) => f.length > 0)
    .map((frames) => ({ frames, set: new Set(frames) }));
  const statement = (st: Set<string>) =>
    st.has('exec_stmt_execsql')
      ? '2. the fold'
      : st.has('SPI_execute_plan_extended')
        ? '3. allocate, take, write back'
        : st.has('plpgsql_exec_function')
          ? '1. the queue lock, and the rest of the function'
          : 'outside claim_jobs() (protocol, outer statement, commit)';
  const phases: Record<string, string> = {
    standard_ExecutorStart: 'start-up',
    standard_ExecutorRun: 'run',
    standard_ExecutorFinish: 'finish (data-modifying CTEs)',
    standard_ExecutorEnd: 'end',
  };
  const counts = new Map<string, Map<string, number>>();
  for (const { frames, set } of stacks) {
    // The innermost phase: the outer statement's ExecutorRun encloses the whole function.
    const phase = frames.find((f) => f in phases);
    const row = counts.get(statement(set)) ?? new Map<string, number>();
    counts.set(statement(set), row);
    for (const k of ['all', (phase && phases[phase]) ?? 'other']) row.set(k, (row.get(k) ?? 0) + 1);
  }
  const pct = (n = 0) => `${((100 * n) / stacks.length).toFixed(1)} %`;
  printTable(
    `share of ${stacks.length} samples by statement and executor phase`,
    [...counts.entries()].sort().map(([what, row]) => ({
      statement: what,
      all: pct(row.get('all')),
      ...Object.fromEntries(['start-up', 'run', 'finish (data-modifying CTEs)', 'end', 'other'].map((k) => [k, pct(row.get(k))])),
    })),
  );
}
