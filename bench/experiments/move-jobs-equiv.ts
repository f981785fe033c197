// move_jobs() before and after a rewrite must leave the same trace (issue #9, third pass):
// two databases, BASE_FN's move_jobs.sql installed in one and this tree's in the other,
// the same 20 jobs claimed, then the same batch of moves (every kind, a stale attempt, a
// duplicate id, an unknown kind, cancels of available/missing jobs, a result that is
// JSON null vs absent, cancel requested on running jobs) run twice. Compares the returned
// rows, jobs_done, jobs and lane_changes (times left out; a finished job's attempts as its
// readers see them, through done_attempts(), since migration 0013 derives a clean
// completion's entry); exits 1 if they differ. Then
// the moves a worker's batcher can send, through finish_batch: the old function with
// the JSON array against this tree's finish_batch.sql with finishParams' arrays.
//   BASE_FN=/work/main/sql/functions/move_jobs.sql npx tsx bench/experiments/move-jobs-equiv.ts
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { startEmbeddedPostgres } from '../../src/db/embedded.js';
import { loadQuery } from '../../src/db/sql.js';
import { Rota } from '../../src/index.js';
import { type FinishKind, type FinishUpdate, finishParams } from '../../src/worker/batcher.js';

const BASE_FN = process.env.BASE_FN;
if (!BASE_FN) throw new Error('BASE_FN is not set (the move_jobs.sql to compare with)');
/** finish_batch.sql before the arrays: the same moves as one JSON array. */
const FINISH_JSON = `SELECT count(*) FILTER (WHERE m.state <> 'available')::int AS finished,
       count(*) FILTER (WHERE m.state = 'available')::int AS requeued
  FROM rota.move_jobs($1::jsonb) AS m`;
const silent = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };
const server = await startEmbeddedPostgres({});
const out: string[] = [];

/** The large batch's trace: returned rows, jobs_done, jobs and lane_changes (times left out). */
/** A new database `db`, migrated, with `file`'s move_jobs() installed over the migrated one. */
async function freshDatabase(db: string, file: string): Promise<{ rota: Rota; c: pg.Client }> {
  const admin = new pg.Client(server.url);
  await admin.connect();
  await admin.query(`CREATE DATABASE ${db}`);
  await admin.end();
  const rota = new Rota({ connectionString: server.urlFor(db), logger: silent });
  await rota.migrate();
  const c = new pg.Client(server.urlFor(db));
  await c.connect();
  await c.query(readFileSync(file, 'utf8').replaceAll('{{schema}}', 'rota'));
  return { rota, c };
}

async function large(db: string, file: string): Promise<string> {
  const { rota, c } = await freshDatabase(db, file);
  await rota.enqueueMany('q', [{ payload: {} }]);
  await c.query('ANALYZE');
  for (let i = 0; i < 3; i++) {
    await rota.enqueueMany(
      'q',
      Array.from({ length: 1_000 }, (_, k) => ({ payload: { k }, tenant: `t${k % 7}` })),
    );
  }
  await rota.close();
  const got = await c.query<{ id: string; attempt: number }>(
    `SELECT id, attempt FROM rota.claim_jobs(ARRAY['q'], ARRAY[2500], 'w1', 60000) WHERE id IS NOT NULL ORDER BY id`,
  );
  const free = await c.query<{ id: string }>(`SELECT id FROM rota.jobs WHERE locked_by IS NULL ORDER BY id LIMIT 100`);
  await c.query('UPDATE rota.jobs SET cancel_requested_at = now() WHERE id = ANY($1)', [
    got.rows.filter((_, n) => n % 41 === 0).map((r) => r.id),
  ]);
  const kinds = [
    'complete',
    'complete',
    'complete',
    'dead',
    'retry',
    'release',
    'snooze',
    'rate-limit',
    'rate-limit-queue',
    'rescue',
    'bogus',
  ];
  const err = { name: 'E', message: 'boom' };
  const moves: object[] = got.rows.map((r, n) => ({
    i: Number(r.id),
    a: n % 53 === 0 ? r.attempt + 1 : r.attempt,
    k: kinds[n % kinds.length],
    r: n % 5 === 0 ? { n } : null,
    e: n % 3 === 0 ? err : null,
    d: n % 4 === 0 ? null : n,
  }));
  got.rows.forEach((r, n) => {
    if (n % 97 === 0) moves.push({ i: Number(r.id), a: r.attempt, k: 'dead', r: null, e: err, d: null });
  });
  for (const r of free.rows) moves.push({ i: Number(r.id), k: 'cancel' });
  // One transaction, so now() is the moves' own: a delay reads back exactly; a rescue keeps its past run_at.
  await c.query('BEGIN');
  const m1 = await c.query('SELECT * FROM rota.move_jobs($1::jsonb) ORDER BY id', [JSON.stringify(moves)]);
  const done = await c.query(`SELECT id, tenant, state, result, errors, attempt,
      (SELECT jsonb_agg(e - 'startedAt' - 'endedAt') FROM jsonb_array_elements(rota.done_attempts(attempts, worker, attempt, started_at, finished_at)) e) AS att FROM rota.jobs_done ORDER BY id`);
  const jobs =
    await c.query(`SELECT id, state, attempt, errors, (SELECT jsonb_agg(e - 'startedAt' - 'endedAt') FROM jsonb_array_elements(attempts) e) AS att,
      CASE WHEN run_at < now() THEN 'past' ELSE round(extract(epoch FROM run_at - now()) * 1000)::text END AS dt, locked_by
      FROM rota.jobs ORDER BY id`);
  await c.query('COMMIT');
  const lane = await c.query(
    `SELECT queue, tenants, priorities, d_ready, d_running, ready_at IS NULL, hold_until IS NULL, queue_hold_until IS NULL FROM rota.lane_changes ORDER BY 1, 2::text`,
  );
  await c.end();
  return JSON.stringify({ m1: m1.rows, done: done.rows, jobs: jobs.rows, lane: lane.rows });
}
try {
  // full: every move through move_jobs(jsonb). batch: the moves a worker's batcher can
  // send, through finish_batch as it was (JSON) and as it is (finishParams' arrays).
  for (const [db, file, mode] of [
    ['base', BASE_FN, 'full'],
    ['cand', 'sql/functions/move_jobs.sql', 'full'],
    ['base_batch', BASE_FN, 'json'],
    ['cand_batch', 'sql/functions/move_jobs.sql', 'arrays'],
    ['base_large', BASE_FN, 'large'],
    ['cand_large', 'sql/functions/move_jobs.sql', 'large'],
  ] as const) {
    if (mode === 'large') {
      out.push(await large(db, file));
      continue;
    }
    const { rota, c } = await freshDatabase(db, file);
    await rota.enqueueMany(
      'q',
      Array.from({ length: 20 }, (_, k) => ({ payload: { k }, tenant: `t${k % 3}` })),
    );
    await rota.close();
    const got = await c.query(
      `SELECT id, attempt FROM rota.claim_jobs(ARRAY['q'], ARRAY[14], 'w1', 60000) WHERE id IS NOT NULL ORDER BY id`,
    );
    const ids = got.rows.map((r) => Number(r.id));
    const a = got.rows.map((r) => r.attempt);
    await c.query('UPDATE rota.jobs SET cancel_requested_at = now() WHERE id = ANY($1)', [[ids[10], ids[11]]]);
    const err = { name: 'E', message: 'boom' };
    const last = Math.max(...ids);
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
      { i: last + 100, k: 'cancel' },
      { i: last + 1, k: 'cancel' },
      { i: last + 2, a: 0, k: 'cancel' },
      { i: ids[0], a: a[0], k: 'complete' },
    ];
    const kinds: readonly string[] = ['complete', 'dead', 'retry', 'release', 'snooze', 'rate-limit', 'rate-limit-queue'];
    const batch = moves.filter((m) => 'r' in m && 'e' in m && 'd' in m && kinds.includes(m.k));
    const updates: FinishUpdate[] = batch.map((m) => ({
      id: String(m.i),
      attempt: m.a as number,
      kind: m.k as FinishKind,
      result: 'r' in m && m.r !== null ? JSON.stringify(m.r) : null,
      error: 'e' in m && m.e !== null ? JSON.stringify(m.e) : null,
      delayMs: 'd' in m ? (m.d ?? null) : null,
    }));
    const run = () =>
      mode === 'full'
        ? c.query('SELECT * FROM rota.move_jobs($1::jsonb) ORDER BY id', [JSON.stringify(moves)])
        : mode === 'json'
          ? c.query(FINISH_JSON, [JSON.stringify(batch)])
          : c.query(loadQuery('finish_batch', 'rota'), finishParams(updates));
    const m1 = await run();
    const m2 = await run();
    const done =
      await c.query(`SELECT id, queue, tenant, state, result, errors, attempt, (SELECT jsonb_agg(e - 'startedAt' - 'endedAt') FROM jsonb_array_elements(rota.done_attempts(attempts, worker, attempt, started_at, finished_at)) e) AS att,
        (SELECT bool_and((e->>'endedAt')::timestamptz = finished_at OR true) FROM jsonb_array_elements(rota.done_attempts(attempts, worker, attempt, started_at, finished_at)) e) AS ok,
        (SELECT jsonb_agg(jsonb_typeof(e->'endedAt')) FROM jsonb_array_elements(rota.done_attempts(attempts, worker, attempt, started_at, finished_at)) e) AS et, result IS NULL AS rnull FROM rota.jobs_done ORDER BY id`);
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
  for (const [label, a, b] of [
    ['move_jobs(jsonb), every move', out[0], out[1]],
    ['finish_batch, JSON before / arrays now', out[2], out[3]],
    ['move_jobs(jsonb), 2,500 moves after ANALYZE of a nearly empty table', out[4], out[5]],
  ]) {
    if (a === b) console.log(`${label}: identical (${String(a).length} characters of trace)`);
    else {
      console.log(`${label}: DIFFERENT\n--- base\n${a}\n--- this tree\n${b}`);
      process.exitCode = 1;
    }
  }
} finally {
  await server.destroy();
}
