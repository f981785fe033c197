// What a claim and a finish cost per job with each index variant (issue #9, third pass):
// for every variant, a fresh database with JOBS one-tenant jobs, then claims of SIZE
// (claim_jobs() on one session) and finishes of the same SIZE (move_jobs(), as
// finish_batch.sql calls it) until the backlog is gone; prints µs per job of each, the
// median over batches. Variants run in turn, ROUNDS times, so machine noise hits them
// alike; compare within one run. Besides wall time, the backend's own CPU time
// (/proc/<pid>/schedstat), which other agents' load hardly moves, the WAL the finishes
// wrote (pg_current_wal_insert_lsn() before and after each, per job finished) and what
// jobs_done holds at the end (mean pg_column_size of a row, heap and index bytes per row).
//   JOBS=20000 SIZE=1000 ROUNDS=3 [KIND=retry] npx tsx bench/experiments/finish-cost.ts
// Finishes go through finish_batch.sql with the batcher's parameters (finishParams), as a
// worker's do. BASE_FN=<path to an older move_jobs.sql taking one jsonb> adds a variant
// with that function installed over this tree's jsonb entry and called with the JSON
// array, as finish_batch.sql did before 2026-11-30 (e.g. /work/main/sql/functions/
// move_jobs.sql): the finish before and after, in one run. VARIANTS=a,b limits the run to those labels.
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { startEmbeddedPostgres } from '../../src/db/embedded.js';
import { loadQuery } from '../../src/db/sql.js';
import { Rota } from '../../src/index.js';
import { type FinishKind, finishParams } from '../../src/worker/batcher.js';
import { median, printTable, type Row } from '../lib.js';

const JOBS = Number(process.env.JOBS ?? 20_000);
const SIZE = Number(process.env.SIZE ?? 1_000);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const TENANTS = Number(process.env.TENANTS ?? 1);
/** The finish's kind: 'complete' (default) or e.g. 'retry' (requeued with an error; JOBS/SIZE batches then). */
const KIND = (process.env.KIND ?? 'complete') as FinishKind;
const ERROR = KIND === 'complete' ? null : { name: 'Error', message: 'failed', attempt: 1 };
/** CPU time the backend `pid` has used so far, in µs (/proc/<pid>/schedstat: robust to other load, unlike wall time). */
function cpuUs(pid: number): number {
  return Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]) / 1000;
}
const silent = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };

/** SQL run after migrate(): the index set to measure. */
const VARIANTS: Record<string, string> = {
  'as migrated': '',
  'no jobs_done_queue_idx': 'DROP INDEX rota.jobs_done_queue_idx',
  'jobs_done_queue_idx partial (not completed)': `DROP INDEX rota.jobs_done_queue_idx;
     CREATE INDEX jobs_done_queue_idx ON rota.jobs_done (queue, state, finished_at, id) WHERE state <> 'completed'`,
  'no jobs_lease_idx': 'DROP INDEX rota.jobs_lease_idx',
  // One of jobs_done's four indexes gone (issue #9, hist session: which could go?).
  'no jobs_done_id_idx': 'DROP INDEX rota.jobs_done_id_idx',
  'no jobs_done_tenant_idx': 'DROP INDEX rota.jobs_done_tenant_idx',
  'as migrated (control, run last)': '',
};
const BASE_LABEL = 'move_jobs from BASE_FN';
const finishBatch = loadQuery('finish_batch', 'rota');
if (process.env.BASE_FN) {
  VARIANTS[BASE_LABEL] = readFileSync(process.env.BASE_FN, 'utf8').replaceAll('{{schema}}', 'rota');
}
// ALT_FN=<path to a move_jobs.sql with the arrays' signature> adds a variant with that file
// installed over this tree's function and called through finish_batch.sql, e.g. main's
// file against this tree's (finish session of issue #9). ALT_SQL=<statement> adds a variant
// with that statement run after migrate() (e.g. an ALTER FUNCTION … SET …).
// ALT_FN_SETUP=<SQL> runs first in that variant, e.g. s5-start's finish in full (its
// move_jobs.sql and the index migration 0013 dropped):
//   ALT_FN=<s5-start>/sql/functions/move_jobs.sql \
//   ALT_FN_SETUP='CREATE INDEX jobs_done_queue_time_idx ON rota.jobs_done (queue, finished_at, id)'
if (process.env.ALT_FN) {
  VARIANTS['move_jobs from ALT_FN'] =
    `${process.env.ALT_FN_SETUP ?? ''};\n${readFileSync(process.env.ALT_FN, 'utf8').replaceAll('{{schema}}', 'rota')}`;
}
if (process.env.ALT_SQL) VARIANTS['as migrated + ALT_SQL'] = process.env.ALT_SQL;
const only = process.env.VARIANTS?.split(',');

const server = await startEmbeddedPostgres({ settings: { shared_buffers: '256MB' } });
try {
  const results = new Map<
    string,
    {
      claim: number[];
      finish: number[];
      claimCpu: number[];
      finishCpu: number[];
      wal: number[];
      row: number[];
      heap: number[];
      index: number[];
    }
  >();
  let n = 0;
  for (let round = 0; round < ROUNDS; round++) {
    for (const [label, setup] of Object.entries(VARIANTS)) {
      if (only && !only.includes(label)) continue;
      const db = `fc_${n++}`;
      const admin = new pg.Client(server.url);
      await admin.connect();
      await admin.query(`CREATE DATABASE ${db}`);
      const url = server.urlFor(db);
      const rota = new Rota({ connectionString: url, logger: silent });
      await rota.migrate();
      for (let i = 0; i < JOBS; i += 1_000) {
        await rota.enqueueMany(
          'q',
          // TENANTS=n: the jobs spread round robin over n tenants (the finish's journal then
          // carries one entry per tenant finished; the claims serve them in turns).
          Array.from({ length: 1_000 }, (_, k) => ({ payload: { k: i + k }, tenant: `t${(i + k) % TENANTS}` })),
        );
      }
      await rota.close();
      const c = new pg.Client(url);
      await c.connect();
      if (setup) await c.query(setup);
      // NO_ANALYZE=1: statistics as a fresh database has them (none), as in the benchmarks' burn-downs.
      if (!process.env.NO_ANALYZE) await c.query('VACUUM ANALYZE');
      const pid = (await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid as number;
      const r = results.get(label) ?? { claim: [], finish: [], claimCpu: [], finishCpu: [], wal: [], row: [], heap: [], index: [] };
      let walBytes = 0;
      let finished = 0;
      results.set(label, r);
      for (let batch = 0; batch < Math.ceil(JOBS / SIZE); batch++) {
        let cpu = cpuUs(pid);
        let t = performance.now();
        const got = await c.query<{ id: string; attempt: number }>(
          `SELECT id, attempt FROM rota.claim_jobs(ARRAY['q'], ARRAY[${SIZE}], 'w', 60000) WHERE id IS NOT NULL`,
        );
        const claimMs = performance.now() - t;
        const claimCpu = cpuUs(pid) - cpu;
        if (got.rows.length === 0) break;
        const moves = JSON.stringify(got.rows.map((x) => ({ i: Number(x.id), a: x.attempt, k: KIND, r: null, e: ERROR, d: null })));
        const params = finishParams(
          got.rows.map((x) => ({
            id: x.id,
            attempt: x.attempt,
            kind: KIND,
            result: null,
            error: ERROR && JSON.stringify(ERROR),
            delayMs: null,
          })),
        );
        const lsn = await c.query<{ l: string }>('SELECT pg_current_wal_insert_lsn()::text AS l');
        cpu = cpuUs(pid);
        t = performance.now();
        if (label === BASE_LABEL) await c.query('SELECT count(*) FROM rota.move_jobs($1::jsonb)', [moves]);
        else await c.query(finishBatch, params);
        const finishMs = performance.now() - t;
        const finishCpu = cpuUs(pid) - cpu;
        const wal = await c.query<{ b: string }>('SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), $1::pg_lsn)::text AS b', [
          lsn.rows[0]?.l,
        ]);
        walBytes += Number(wal.rows[0]?.b);
        finished += got.rows.length;
        if (got.rows.length === SIZE) {
          r.claim.push((claimMs * 1000) / SIZE);
          r.finish.push((finishMs * 1000) / SIZE);
          r.claimCpu.push(claimCpu / SIZE);
          r.finishCpu.push(finishCpu / SIZE);
        }
      }
      r.wal.push(walBytes / finished);
      const size = await c.query<{ row: number; heap: string; index: string; n: string }>(
        `SELECT (SELECT avg(pg_column_size(d.*)) FROM rota.jobs_done d)::float8 AS row,
                sum(pg_table_size(p.relid))::text AS heap, sum(pg_indexes_size(p.relid))::text AS index,
                (SELECT count(*) FROM rota.jobs_done)::text AS n
           FROM pg_partition_tree('rota.jobs_done') p WHERE p.isleaf`,
      );
      const sz = size.rows[0];
      // (nothing finished into jobs_done, e.g. KIND=retry: no figures)
      if (Number(sz?.n) > 0) {
        r.row.push(Number(sz?.row));
        r.heap.push(Number(sz?.heap) / Number(sz?.n));
        r.index.push(Number(sz?.index) / Number(sz?.n));
      }
      await c.end();
      await admin.query(`DROP DATABASE ${db}`);
      await admin.end();
    }
  }
  const rows: Row[] = [];
  for (const [label, r] of results) {
    rows.push({
      variant: label,
      'claim µs/job wall': median(r.claim),
      'claim µs/job backend CPU': median(r.claimCpu),
      'finish µs/job wall': median(r.finish),
      // one decimal: a change to move_jobs() moves this by a few tenths
      'finish µs/job backend CPU': median(r.finishCpu).toFixed(1),
      'finish WAL bytes/job': Math.round(median(r.wal)),
      'jobs_done row bytes': r.row.length ? Math.round(median(r.row)) : '-',
      'jobs_done heap bytes/row': r.heap.length ? Math.round(median(r.heap)) : '-',
      'jobs_done index bytes/row': r.index.length ? Math.round(median(r.index)) : '-',
      batches: r.claim.length,
    });
  }
  printTable(`claims and finishes (${KIND}) of ${SIZE} jobs (${JOBS} jobs, ${ROUNDS} rounds)`, rows);
} finally {
  await server.destroy();
}
