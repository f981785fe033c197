/**
 * The claim warm-up (src/fairness/claim-warmer.ts): a worker with nothing more to claim
 * runs the empty claim once on each of its pool connections, so the first claim over
 * two tenants (a tenant arriving behind another's backlog) finds the full claim path's
 * plans built. It must write nothing, and go once per connection, not per idle moment.
 */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { ClaimWarmer } from '../../src/fairness/claim-warmer.js';
import { closeRota, makeRota, migratedDatabase, recordingLogger, waitFor } from './helpers.js';

const db = await migratedDatabase();
const WARM = /claim_jobs\('\{\}'::text\[\], '\{\}'::int\[\]/;

/** A pool that records, per connection, the text of every query sent on it. */
function recordingPool(max: number): { pool: pg.Pool; sent: Map<pg.PoolClient, string[]> } {
  const pool = new pg.Pool({ connectionString: db.url, max });
  pool.on('error', () => {});
  const sent = new Map<pg.PoolClient, string[]>();
  pool.on('connect', (client) => {
    const texts: string[] = [];
    sent.set(client, texts);
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      const q = args[0];
      texts.push(typeof q === 'string' ? q : ((q as { text?: string }).text ?? ''));
      return query(...args);
    };
  });
  return { pool, sent };
}

const warmUps = (texts: string[]) => texts.filter((t) => WARM.test(t)).length;

/** Everything the claim reads or writes, as text. */
async function state(): Promise<string> {
  const r = await db.sql.query<{ s: string }>(
    `SELECT concat_ws(' | ',
       (SELECT string_agg(j::text, ',' ORDER BY id) FROM rota.jobs j),
       (SELECT string_agg(q::text, ',' ORDER BY queue) FROM rota.queue_state q),
       (SELECT string_agg(l::text, ',' ORDER BY l::text) FROM rota.lane_state l),
       (SELECT string_agg(t::text, ',' ORDER BY t::text) FROM rota.tenant_state t),
       (SELECT string_agg(c::text, ',' ORDER BY c::text) FROM rota.lane_changes c)) AS s`,
  );
  return r.rows[0]?.s ?? '';
}

describe('the claim warm-up', () => {
  it('runs once on each connection of an idle worker, and the worker still runs two tenants fairly', async () => {
    const { pool, sent } = recordingPool(3);
    const listeners = pool.listenerCount('remove');
    const worker = makeRota(db.url, { pool });
    const producer = makeRota(db.url);
    const ran: string[] = [];
    worker.work<number>('warm-q', { concurrency: 2 }, (job) => {
      ran.push(job.tenant);
    });
    // Idle: the first claims come back empty. Every connection the pool opened gets one warm-up.
    await waitFor(() => sent.size > 0 && [...sent.values()].every((texts) => warmUps(texts) === 1), 20_000, 'every connection warmed');
    await producer.enqueueMany(
      'warm-q',
      Array.from({ length: 40 }, (_, i) => ({ payload: i, tenant: i < 30 ? 'A' : 'B' })),
    );
    await waitFor(() => ran.length === 40, 20_000, 'all jobs run');
    // More short claims since: no connection is warmed twice, new ones once.
    await new Promise((r) => setTimeout(r, 300));
    for (const [client, texts] of sent)
      expect(warmUps(texts), `connection ${sent.size > 1 ? [...sent.keys()].indexOf(client) : 0}`).toBe(1);
    // B (10 jobs) was not left for after A's 30: its jobs are among the first 20 run.
    expect(ran.slice(0, 20).filter((t) => t === 'B').length).toBeGreaterThanOrEqual(5);
    await closeRota(worker);
    // A stopped worker leaves nothing on the application's pool.
    expect(pool.listenerCount('remove')).toBe(listeners);
    await pool.end();
  });

  it('writes nothing: jobs, queue, lane and tenant state and pending count changes are left as they were', async () => {
    const producer = makeRota(db.url);
    // Count changes pending for two queues (nobody works them), one with two tenants.
    await producer.enqueueMany('still-1', [
      { payload: 1, tenant: 'x' },
      { payload: 2, tenant: 'y' },
    ]);
    await producer.enqueueMany('still-2', [{ payload: 3 }]);
    await producer.queue('still-1').configure({ concurrency: 1 });
    const before = await state();
    expect(before).toContain('still-1');
    const { pool, sent } = recordingPool(2);
    // Two idle connections to warm.
    const clients = await Promise.all([pool.connect(), pool.connect()]);
    for (const c of clients) c.release();
    const warmer = new ClaimWarmer({ pool, schema: 'rota', log: recordingLogger() });
    warmer.idle();
    await waitFor(() => warmer.warmConnections === 2, 20_000, 'both connections warmed');
    expect([...sent.values()].map(warmUps)).toEqual([1, 1]);
    expect(await state()).toBe(before);
    // Nothing left to warm: another idle moment sends nothing.
    warmer.idle();
    await new Promise((r) => setTimeout(r, 100));
    expect([...sent.values()].map(warmUps)).toEqual([1, 1]);
    await pool.end();
  });

  it('warms a connection the pool opens later, and forgets the ones it closes', async () => {
    const { pool, sent } = recordingPool(2);
    const warmer = new ClaimWarmer({ pool, schema: 'rota', log: recordingLogger() });
    const first = await pool.connect();
    first.release();
    warmer.idle();
    await waitFor(() => warmer.warmConnections === 1, 20_000, 'one connection warmed');
    // The pool closes it (as its idle timeout would) and opens another.
    const again = await pool.connect();
    again.release(true);
    await waitFor(() => warmer.warmConnections === 0, 20_000, 'the closed connection forgotten');
    const second = await pool.connect();
    second.release();
    warmer.idle();
    await waitFor(() => warmer.warmConnections === 1, 20_000, 'the new connection warmed');
    expect([...sent.values()].map(warmUps)).toEqual([1, 1]);
    await pool.end();
  });

  it('waits while any connection of the pool is in use, then warms them once the pool is idle', async () => {
    const { pool, sent } = recordingPool(2);
    const warmer = new ClaimWarmer({ pool, schema: 'rota', log: recordingLogger() });
    const [a, b] = await Promise.all([pool.connect(), pool.connect()]);
    a.release();
    // `b` is in use (a status write, say): nothing is sent, not even on the idle `a`.
    warmer.idle();
    await new Promise((r) => setTimeout(r, 100));
    expect([...sent.values()].map(warmUps)).toEqual([0, 0]);
    b.release();
    await waitFor(() => warmer.warmConnections === 2, 20_000, 'both warmed once the pool is idle');
    expect([...sent.values()].map(warmUps)).toEqual([1, 1]);
    // A claim that takes jobs in between stops the looking again.
    const fresh = recordingPool(1);
    const other = new ClaimWarmer({ pool: fresh.pool, schema: 'rota', log: recordingLogger() });
    const d = await fresh.pool.connect();
    other.idle();
    other.busy();
    d.release();
    await new Promise((r) => setTimeout(r, 150));
    expect([...fresh.sent.values()].map(warmUps)).toEqual([0]);
    await fresh.pool.end();
    await pool.end();
  });
});
