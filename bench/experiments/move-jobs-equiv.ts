// move_jobs() before and after a rewrite must leave the same trace (issue #9, third pass):
// two databases, BASE_FN's move_jobs.sql installed in one and this tree's in the other,
// the same 20 jobs claimed, then the same batch of moves (every kind, a stale attempt, a
// duplicate id, an unknown kind, cancels of available/missing jobs, a result that is
// JSON null vs absent, cancel requested on running jobs) run twice. Compares the returned
// rows, jobs_done, jobs and lane_changes (times left out); exits 1 if they differ.
//   BASE_FN=/work/main/sql/functions/move_jobs.sql npx tsx bench/experiments/move-jobs-equiv.ts
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { startEmbeddedPostgres } from '../../src/db/embedded.js';
import { Rota } from '../../src/index.js';

const BASE_FN = process.env.BASE_FN;
if (!BASE_FN) throw new Error('BASE_FN is not set (the move_jobs.sql to compare with)');
const silent = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };
const server = await startEmbeddedPostgres({});
const out: string[] = [];
try {
  for (const [db, file] of [
    ['base', BASE_FN],
    ['cand', 'sql/functions/move_jobs.sql'],
  ] as const) {
    const admin = new pg.Client(server.url);
    await admin.connect();
    await admin.query(`CREATE DATABASE ${db}`);
    await admin.end();
    const rota = new Rota({ connectionString: server.urlFor(db), logger: silent });
    await rota.migrate();
    await rota.enqueueMany(
      'q',
      Array.from({ length: 20 }, (_, k) => ({ payload: { k }, tenant: `t${k % 3}` })),
    );
    await rota.close();
    const c = new pg.Client(server.urlFor(db));
    await c.connect();
    await c.query(readFileSync(file, 'utf8').replaceAll('{{schema}}', 'rota'));
    const got = await c.query(
      `SELECT id, attempt FROM rota.claim_jobs(ARRAY['q'], ARRAY[14], 'w1', 60000) WHERE id IS NOT NULL ORDER BY id`,
    );
    const ids = got.rows.map((r) => Number(r.id));
    const a = got.rows.map((r) => r.attempt);
    await c.query('UPDATE rota.jobs SET cancel_requested_at = now() WHERE id = ANY($1)', [[ids[10], ids[11]]]);
    const err = { name: 'E', message: 'boom' };
    const moves = [
      { i: ids[0], a: a[0], k: 'complete', r: null, e: null, d: null },
      { i: ids[1], a: a[1], k: 'complete', r: { x: [1, 2] }, e: null, d: null },
      { i: ids[2], a: a[2], k: 'dead', r: null, e: err, d: null },
      { i: ids[3], a: a[3], k: 'retry', r: null, e: err, d: 50 },
      { i: ids[4], a: a[4], k: 'release', r: null, e: null, d: 10 },
      { i: ids[5], a: a[5], k: 'snooze', r: null, e: null, d: 1000 },
      { i: ids[6], a: a[6], k: 'rate-limit', r: null, e: null, d: 2000 },
      { i: ids[7], a: a[7], k: 'rate-limit-queue', r: null, e: null, d: 3000 },
      { i: ids[8], a: a[8], k: 'rescue', o: 'lease-expired', e: err },
      { i: ids[9], a: a[9] + 1, k: 'complete', r: null, e: null, d: null },
      { i: ids[10], a: a[10], k: 'retry', r: null, e: err, d: 5 },
      { i: ids[11], a: a[11], k: 'complete', r: 7, e: null, d: null },
      { i: ids[12], a: a[12], k: 'complete', r: 1, e: null, d: null },
      { i: ids[12], a: a[12], k: 'dead', r: null, e: err, d: null },
      { i: ids[13], a: a[13], k: 'bogus', r: null, e: null, d: null },
      { i: ids[13] + 100, k: 'cancel' },
      { i: ids[13] + 1, k: 'cancel' },
      { i: ids[13] + 2, a: 0, k: 'cancel' },
      { i: ids[0], a: a[0], k: 'complete' },
    ];
    const m1 = await c.query('SELECT * FROM rota.move_jobs($1::jsonb) ORDER BY id', [JSON.stringify(moves)]);
    const m2 = await c.query('SELECT * FROM rota.move_jobs($1::jsonb) ORDER BY id', [JSON.stringify(moves)]);
    const done =
      await c.query(`SELECT id, queue, tenant, state, result, errors, attempt, (SELECT jsonb_agg(e - 'startedAt' - 'endedAt') FROM jsonb_array_elements(attempts) e) AS att,
        (SELECT bool_and((e->>'endedAt')::timestamptz = finished_at OR true) FROM jsonb_array_elements(attempts) e) AS ok,
        (SELECT jsonb_agg(jsonb_typeof(e->'endedAt')) FROM jsonb_array_elements(attempts) e) AS et, result IS NULL AS rnull FROM rota.jobs_done ORDER BY id`);
    const jobs =
      await c.query(`SELECT id, state, attempt, errors, (SELECT jsonb_agg(e - 'startedAt' - 'endedAt') FROM jsonb_array_elements(attempts) e) AS att,
        round(extract(epoch FROM run_at - now()) ) AS dt, locked_by, lease_expires_at IS NULL AS nolease FROM rota.jobs ORDER BY id`);
    const lane = await c
      .query(
        `SELECT queue, tenants, priorities, d_ready, d_running, ready_at IS NULL, hold_until IS NULL, queue_hold_until IS NULL FROM rota.lane_changes ORDER BY 1, 2::text`,
      )
      .catch((e) => ({ rows: [String(e)] }));
    out.push(JSON.stringify({ m1: m1.rows, m2: m2.rows, done: done.rows, jobs: jobs.rows, lane: lane.rows }, null, 1));
    await c.end();
  }
  if (out[0] === out[1]) console.log(`identical: ${out[0].length} characters of trace`);
  else {
    console.log(`DIFFERENT\n--- base\n${out[0]}\n--- this tree\n${out[1]}`);
    process.exitCode = 1;
  }
} finally {
  await server.destroy();
}
