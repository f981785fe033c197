// Design experiment behind docs/architecture.md: finishing jobs by moving them to a
// history table vs updating them in place. Run: npx tsx bench/experiments/history-vs-inplace.ts
import pg from 'pg';
import { startEmbeddedPostgres } from '../../src/db/embedded.js';

const s = await startEmbeddedPostgres({ settings: { shared_buffers: '256MB' } });
const N = 50_000,
  B = 500;
const setupA = `
DROP SCHEMA IF EXISTS a CASCADE; CREATE SCHEMA a;
CREATE TABLE a.jobs (id bigint generated always as identity primary key, queue text not null, tenant text not null default 'default', priority smallint not null default 2, state text not null default 'available', payload jsonb not null, run_at timestamptz not null default now(), attempt int not null default 0, errors jsonb not null default '[]', created_at timestamptz not null default now(), started_at timestamptz, locked_by text, lease_expires_at timestamptz);
CREATE INDEX ON a.jobs (queue, priority, run_at, id) WHERE state='available';
CREATE INDEX ON a.jobs (lease_expires_at) WHERE state='running';
CREATE TABLE a.done (id bigint not null, queue text not null, tenant text not null, priority smallint not null, state text not null, payload jsonb not null, result jsonb, errors jsonb not null, attempt int not null, run_at timestamptz not null, created_at timestamptz not null, started_at timestamptz, finished_at timestamptz not null default now()) PARTITION BY RANGE (finished_at);
CREATE INDEX ON a.done (id); CREATE INDEX ON a.done (queue, state, finished_at);
CREATE TABLE a.done_d PARTITION OF a.done DEFAULT;`;
const setupB = `
DROP SCHEMA IF EXISTS b CASCADE; CREATE SCHEMA b;
CREATE TABLE b.jobs (id bigint generated always as identity primary key, queue text not null, tenant text not null default 'default', priority smallint not null default 2, state text not null default 'available', payload jsonb not null, result jsonb, run_at timestamptz not null default now(), attempt int not null default 0, errors jsonb not null default '[]', created_at timestamptz not null default now(), started_at timestamptz, finished_at timestamptz, locked_by text, lease_expires_at timestamptz);
CREATE INDEX ON b.jobs (queue, priority, run_at, id) WHERE state='available';
CREATE INDEX ON b.jobs (lease_expires_at) WHERE state='running';
CREATE INDEX ON b.jobs (queue, state, finished_at) WHERE finished_at IS NOT NULL;`;
const claim = (
  sc: string,
) => `WITH p AS (SELECT id FROM ${sc}.jobs WHERE queue='q' AND state='available' AND run_at<=now() ORDER BY priority, run_at, id LIMIT ${B} FOR UPDATE SKIP LOCKED)
 UPDATE ${sc}.jobs j SET state='running', attempt=j.attempt+1, started_at=now(), locked_by='w', lease_expires_at=now()+interval '30s' FROM p WHERE j.id=p.id RETURNING j.id`;
const finA = `WITH f AS (DELETE FROM a.jobs j USING unnest($1::bigint[]) x(id) WHERE j.id=x.id AND j.state='running' RETURNING j.*)
 INSERT INTO a.done (id, queue, tenant, priority, state, payload, result, errors, attempt, run_at, created_at, started_at) SELECT id, queue, tenant, priority, 'completed', payload, 'null', errors, attempt, run_at, created_at, started_at FROM f`;
const finB = `UPDATE b.jobs j SET state='completed', result='null', finished_at=now(), locked_by=null, lease_expires_at=null FROM unnest($1::bigint[]) x(id) WHERE j.id=x.id AND j.state='running'`;
const c = new pg.Client(s.url);
await c.connect();
async function run(sc: 'a' | 'b') {
  await c.query(sc === 'a' ? setupA : setupB);
  await c.query(`INSERT INTO ${sc}.jobs (queue, payload) SELECT 'q', jsonb_build_object('i', g) FROM generate_series(1, ${N}) g`);
  await c.query(`VACUUM ANALYZE ${sc}.jobs`);
  const t = performance.now();
  for (;;) {
    const r = await c.query(claim(sc));
    if (r.rows.length === 0) break;
    await c.query(sc === 'a' ? finA : finB, [r.rows.map((x) => x.id)]);
  }
  return N / ((performance.now() - t) / 1000);
}
const res: { a: number[]; b: number[] } = { a: [], b: [] };
for (let i = 0; i < 3; i++) {
  res.a.push(await run('a'));
  res.b.push(await run('b'));
}
console.log('A history table (move on finish):', res.a.map(Math.round));
console.log('B in place (update on finish):  ', res.b.map(Math.round));
const med = (x: number[]) => x.sort((p, q) => p - q)[1];
console.log('ratio A/B median', (med(res.a)! / med(res.b)!).toFixed(2));
await c.end();
await s.destroy();
