// The claim that takes B's first jobs, alone (issue #9, B behind A): tenant A has a deep
// backlog (JOBS, enqueued in calls of 1,000) of which the worker has claimed some, then
// tenant B enqueues 50; the next claim (SIZE, as the planner's newcomer claim asks)
// against the same claim with no newcomer. Each case on a fresh database, REPEAT times;
// ms per claim (client side); paths: small (the default: the small claim first), warm
// (the same, in a session that has run the empty claim once), full (rota.claim_path=full
// throughout); and with EXPLAIN=1 the statements inside claim_jobs() that
// took longest (auto_explain, nested statements, sent to this client).
//   JOBS=100000 SIZE=128 REPEAT=5 npx tsx bench/experiments/behind-claim.ts
import pg from 'pg';
import { startEmbeddedPostgres } from '../../src/db/embedded.js';
import { Rota } from '../../src/index.js';
import { dropDatabase, median, printTable, type Row } from '../lib.js';
import { migratedDatabase } from './seed.js';

const JOBS = Number(process.env.JOBS ?? 100_000);
const SIZE = Number(process.env.SIZE ?? 128);
const REPEAT = Number(process.env.REPEAT ?? 5);
const silent = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };

const server = await startEmbeddedPostgres({ settings: { shared_buffers: '256MB' } });
let n = 0;
const warmMs: number[] = [];
async function once(
  path: 'small' | 'full' | 'warm',
  newcomer: boolean,
  explain: boolean,
): Promise<{ ms: number; b: number; path: string }> {
  const db = `bcl_${n++}`;
  const url = await migratedDatabase(server, db);
  const rota = new Rota({ connectionString: url, logger: silent });
  for (let i = 0; i < JOBS; i += 1_000) {
    await rota.enqueueMany(
      'fair',
      Array.from({ length: Math.min(1_000, JOBS - i) }, () => ({ payload: 0, tenant: 'A' })),
    );
  }
  const c = new pg.Client(url);
  await c.connect();
  if (path === 'full') await c.query(`SET rota.claim_path = 'full'`);
  const claim = `SELECT id, tenant FROM rota.claim_jobs(ARRAY['fair'], ARRAY[$1::int], 'w', 60000)`;
  // The worker's steady state: claims of ~250 while the enqueues went on.
  for (let i = 0; i < 4; i++) await c.query(claim, [250]);
  if (path === 'warm') {
    // The session has run the empty claim once (no queue: the small claim declines, and
    // the full path's statements run over nothing, so their generic plans are built).
    const w = performance.now();
    await c.query(`SELECT count(*) FROM rota.claim_jobs('{}'::text[], '{}'::int[], 'warm', 1000)`);
    warmMs.push(performance.now() - w);
  }
  if (newcomer) {
    await rota.enqueueMany(
      'fair',
      Array.from({ length: 50 }, () => ({ payload: 0, tenant: 'B' })),
    );
  } else {
    await rota.enqueueMany(
      'fair',
      Array.from({ length: 50 }, () => ({ payload: 0, tenant: 'A' })),
    );
  }
  const notes: string[] = [];
  if (explain) {
    await c.query(`LOAD 'auto_explain'`);
    await c.query(`SET auto_explain.log_min_duration = 1`);
    await c.query(`SET auto_explain.log_nested_statements = on`);
    await c.query(`SET auto_explain.log_analyze = on`);
    await c.query(`SET auto_explain.log_buffers = on`);
    await c.query(`SET client_min_messages = log`);
    c.on('notice', (m) => notes.push(m.message ?? ''));
  }
  const t = performance.now();
  await c.query('BEGIN');
  const r = await c.query<{ tenant: string }>(claim, [SIZE]);
  const why = await c.query<{ s: string | null }>(`SELECT current_setting('rota.claim_small', true) AS s`);
  await c.query('COMMIT');
  const ms = performance.now() - t;
  if (explain) {
    await c.query(`SET client_min_messages = notice`);
    for (const note of notes) console.log(`${note.slice(0, 4000)}\n-----`);
  }
  await c.end();
  await rota.close();
  await dropDatabase(server.url, db);
  return { ms, b: r.rows.filter((x) => x.tenant === 'B').length, path: why.rows[0]?.s ?? '(small)' };
}

try {
  const rows: Row[] = [];
  for (const path of ['small', 'warm', 'full'] as const) {
    for (const newcomer of [false, true]) {
      const ms: number[] = [];
      let last = { b: 0, path: '' };
      for (let i = 0; i < REPEAT; i++) {
        const r = await once(path, newcomer, process.env.EXPLAIN === '1' && i === 0 && newcomer);
        ms.push(r.ms);
        last = r;
      }
      rows.push({
        path,
        'then 50 jobs of': newcomer ? 'B (new tenant)' : 'A',
        'claim ms (median)': median(ms).toFixed(1),
        'every run': ms.map((x) => x.toFixed(1)).join(' / '),
        'B taken': last.b,
        'small path declined': last.path,
      });
    }
  }
  printTable(`The claim after 50 jobs arrive behind A's ${JOBS.toLocaleString('en')} (claim of ${SIZE}, ${REPEAT} runs each)`, rows);
  console.log(`the empty claim itself (path warm), ms: ${warmMs.map((x) => x.toFixed(1)).join(' / ')}`);
} finally {
  await server.stop();
}
