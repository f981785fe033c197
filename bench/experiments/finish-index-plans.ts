// Can one of jobs_done's four indexes go (issue #9, hist session)? Each costs the finish an
// index insert per job (bench/experiments/finish-cost.ts measures which). This fills
// jobs_done with ROWS analyzed rows shaped like a busy installation's history (three
// queues of 80 / 15 / 5 %, TENANTS tenants skewed (t0 busiest), 97 % completed, 2 %
// dead, 1 % cancelled in every queue, finished in statements of 1,000 sharing one finished_at over two
// days), then EXPLAIN (ANALYZE, BUFFERS)s every reader of jobs_done with each index
// variant: the admin lists (by queue, queue + state, tenant, none, a second page), the
// bulk writes' selects and counts, a job by id, the status counts over a window and the
// scheduler's settle lookup. Prints per reader and variant the indexes the plan reads,
// the buffers it touched and its time; PLANS=1 prints every plan.
//   ROWS=1000000 npx tsx bench/experiments/finish-index-plans.ts
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { loadAdminQueries } from '../../src/admin/sql.js';
import { startEmbeddedPostgres } from '../../src/db/embedded.js';
import { loadQuery } from '../../src/db/sql.js';
import { Rota } from '../../src/index.js';
import { printTable, type Row } from '../lib.js';

const ROWS = Number(process.env.ROWS ?? 1_000_000);
const TENANTS = Number(process.env.TENANTS ?? 1_000);
const PLANS = process.env.PLANS === '1';
const silent = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };

// Since migration 0013 there is no jobs_done_queue_time_idx; the list of a queue's
// finished jobs reads jobs_done_queue_idx per state. The run before it: ALT_LIST=<s5-start's
// list_done.sql> ALT_SETUP='CREATE INDEX jobs_done_queue_time_idx ON rota.jobs_done (queue, finished_at, id)'.
const VARIANTS: Record<string, string> = {
  'as migrated': '',
  'no jobs_done_queue_idx': 'DROP INDEX rota.jobs_done_queue_idx',
  'no jobs_done_tenant_idx': 'DROP INDEX rota.jobs_done_tenant_idx',
  'no jobs_done_id_idx': 'DROP INDEX rota.jobs_done_id_idx',
};

const admin = loadAdminQueries('rota');
// ALT_LIST=<a list_done.sql> with ALT_SETUP=<SQL> adds a variant: that index set and that
// list query (e.g. jobs_done_queue_idx with id, read per state, instead of
// jobs_done_queue_time_idx).
const ALT_LIST = process.env.ALT_LIST;
if (ALT_LIST) VARIANTS['ALT_SETUP + ALT_LIST'] = process.env.ALT_SETUP ?? '';
const altList = ALT_LIST
  ? readFileSync(ALT_LIST, 'utf8')
      .replaceAll('{{schema}}', 'rota')
      .replaceAll(
        '{{where}}',
        readFileSync('sql/queries/admin/done_where.sql', 'utf8')
          .split('\n')
          .filter((l) => !l.startsWith('--'))
          .join('\n')
          .replaceAll('{{schema}}', 'rota'),
      )
  : '';
// filterParams' order: queue, tenant, states, priority, from, to.
const f = (queue: string | null, tenant: string | null, states: string[] | null) => [queue, tenant, states, null, null, null];
const page = 50;

interface Reader {
  name: string;
  sql: string;
  params: () => unknown[];
}

const server = await startEmbeddedPostgres({ settings: { shared_buffers: '256MB' } });
try {
  const url = server.urlFor('postgres');
  const rota = new Rota({ connectionString: url, logger: silent });
  await rota.migrate();
  await rota.close();
  const c = new pg.Client(url);
  c.on('error', () => undefined); // the server going away at the end
  await c.connect();
  // Today's partition and the two days before it, as maintenance keeps them.
  for (let d = -2; d <= 0; d++) {
    const day = new Date(Date.now() + d * 86_400_000);
    const lo = `${day.toISOString().slice(0, 10)} 00:00:00+00`;
    const hi = `${new Date(day.getTime() + 86_400_000).toISOString().slice(0, 10)} 00:00:00+00`;
    const name = `jobs_done_p${day.toISOString().slice(0, 10).replaceAll('-', '')}`;
    await c.query(`CREATE TABLE IF NOT EXISTS rota.${name} PARTITION OF rota.jobs_done FOR VALUES FROM ('${lo}') TO ('${hi}')`);
  }
  const t0 = performance.now();
  await c.query(
    `INSERT INTO rota.jobs_done (id, queue, tenant, priority, state, payload, result, attempt, max_attempts, run_at, created_at,
                                 started_at, finished_at, attempts, worker)
     SELECT i, q, t, 2, s, jsonb_build_object('k', i), 'null', 1, 5, fin, fin, fin, fin,
            '[]', CASE WHEN s = 'completed' THEN 'host:1:abcdef01' END
       FROM (SELECT i,
                    CASE WHEN i % 20 < 16 THEN 'big' WHEN i % 20 < 19 THEN 'mid' ELSE 'small' END AS q,
                    't' || floor(${TENANTS} * power(random(), 3))::int AS t,
                    CASE WHEN (i / 20) % 100 < 97 THEN 'completed' WHEN (i / 20) % 100 < 99 THEN 'dead' ELSE 'cancelled' END AS s,
                    now() - interval '47 hours' + (i / 1000) * (interval '47 hours' / (${ROWS} / 1000)) AS fin
               FROM generate_series(1, ${ROWS}) i) x`,
  );
  await c.query(`SELECT setval('rota.jobs_id_seq', ${ROWS + 1})`).catch(() => undefined);
  // The lists read one range per queue that queue_state knows (every queue that ever had a job).
  await c.query(`INSERT INTO rota.queue_state (queue) VALUES ('big'), ('mid'), ('small') ON CONFLICT DO NOTHING`);
  await c.query('VACUUM ANALYZE');
  console.log(`${ROWS} rows in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  const mid = await c.query<{ id: string; t: string }>(
    `SELECT id, finished_at::text AS t FROM rota.jobs_done WHERE queue = 'big' ORDER BY finished_at DESC, id DESC OFFSET 5000 LIMIT 1`,
  );
  const cursor = mid.rows[0] as { id: string; t: string };
  const someId = String(Math.floor(ROWS / 3));
  const list =
    (queue: string | null, tenant: string | null, states: string[] | null, after: { id: string; t: string } | null = null) =>
    () => [...f(queue, tenant, states), null, after?.t ?? null, after?.id ?? null, page + 1, page + 1];
  const readers: Reader[] = [
    { name: 'list: queue, newest first', sql: admin.list_done, params: list('big', null, null) },
    { name: 'list: queue, page 100', sql: admin.list_done, params: list('big', null, null, cursor) },
    { name: 'list: every queue', sql: admin.list_done, params: list(null, null, null) },
    { name: 'list: queue + dead', sql: admin.list_done, params: list('big', null, ['dead']) },
    { name: 'list: small queue + cancelled', sql: admin.list_done, params: list('small', null, ['cancelled']) },
    { name: 'list: queue + busy tenant', sql: admin.list_done, params: list('big', 't0', null) },
    { name: 'list: queue + rare tenant', sql: admin.list_done, params: list('big', `t${TENANTS - 1}`, null) },
    { name: 'list: rare tenant, any queue', sql: admin.list_done, params: list(null, `t${TENANTS - 1}`, null) },
    { name: 'list: tenant + dead', sql: admin.list_done, params: list('big', 't3', ['dead']) },
    { name: 'bulk select: queue + dead', sql: admin.select_done, params: () => [...f('big', null, ['dead']), null, null, 5000] },
    { name: 'bulk select: queue', sql: admin.select_done, params: () => [...f('mid', null, null), null, null, 5000] },
    { name: 'bulk count: queue', sql: admin.count_done, params: () => [...f('small', null, null), null] },
    { name: 'bulk count: small + cancelled', sql: admin.count_done, params: () => [...f('small', null, ['cancelled']), null] },
    { name: 'job by id (get_job)', sql: loadQuery('get_job', 'rota'), params: () => [someId] },
    { name: 'job detail', sql: admin.job_detail, params: () => [someId] },
    { name: 'status counts, last hour', sql: loadQuery('queue_counts', 'rota'), params: () => [3_600_000] },
  ];
  const rows: Row[] = [];
  for (const [variant, setup] of Object.entries(VARIANTS)) {
    await c.query('BEGIN');
    if (setup) await c.query(setup);
    for (const r of readers) {
      const sql = variant === 'ALT_SETUP + ALT_LIST' && r.sql === admin.list_done ? altList : r.sql;
      const res = await c.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${sql}`, r.params());
      const plan = (res.rows[0]?.['QUERY PLAN'] as Array<{ Plan: PlanNode; 'Execution Time': number }> | undefined)?.[0];
      if (!plan) continue;
      const used = new Set<string>();
      const walk = (n: PlanNode) => {
        if (n['Index Name']) used.add(`${n['Node Type'].replace(' Scan', '')}: ${n['Index Name'].replace(/^jobs_done_p\d+_/, 'p_')}`);
        // (a seq scan of an empty partition, e.g. tomorrow's, reads nothing: left out)
        else if (n['Node Type'] === 'Seq Scan' && n['Shared Hit Blocks'] + n['Shared Read Blocks'] > 0)
          used.add(`Seq: ${n['Relation Name']}`);
        for (const k of n.Plans ?? []) walk(k);
      };
      walk(plan.Plan);
      rows.push({
        variant,
        reader: r.name,
        'jobs_done access': [...used].filter((u) => /jobs_done|p_/.test(u)).join(', '),
        rows: plan.Plan['Actual Rows'],
        'shared buffers': plan.Plan['Shared Hit Blocks'] + plan.Plan['Shared Read Blocks'],
        ms: Number(plan['Execution Time'].toFixed(2)),
      });
      if (PLANS) {
        const text = await c.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, r.params());
        console.log(`--- ${variant}: ${r.name}\n${text.rows.map((x) => x['QUERY PLAN']).join('\n')}`);
      }
    }
    await c.query('ROLLBACK');
  }
  printTable(`readers of jobs_done with ${ROWS} analyzed rows, per index variant`, rows);
  await c.end();
} finally {
  await server.destroy();
}

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Relation Name'?: string;
  'Shared Hit Blocks': number;
  'Shared Read Blocks': number;
  'Actual Rows': number;
  Plans?: PlanNode[];
}
