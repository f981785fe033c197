/**
 * Per-minute rollups: aggregated in the worker process, written with its heartbeat,
 * read back as counters, percentiles and top-N tenants.
 */
import { describe, expect, it } from 'vitest';
import { loadQuery } from '../../src/db/sql.js';
import { PermanentError } from '../../src/index.js';
import { waitFor } from '../support/db.js';
import { closeRota, makeRota, migratedDatabase } from '../support/rota.js';

const db = await migratedDatabase();

async function rollupSums(queue: string) {
  const res = await db.sql.query<{ completed: number; dead: number; enqueued: number; rows: number; workers: number }>(
    `SELECT coalesce(sum(completed), 0)::int AS completed, coalesce(sum(dead), 0)::int AS dead, coalesce(sum(enqueued), 0)::int AS enqueued,
            count(*)::int AS rows, count(DISTINCT worker_id)::int AS workers
       FROM rota.monitor_rollups WHERE queue = $1`,
    [queue],
  );
  return res.rows[0] as { completed: number; dead: number; enqueued: number; rows: number; workers: number };
}

describe('rollups', () => {
  it('counts outcomes per queue and minute, written by each process with its heartbeat', async () => {
    // heartbeat every leaseMs / 3 = 200 ms
    const a = makeRota(db.url, { leaseMs: 600, monitor: { topTenants: 3 } });
    const b = makeRota(db.url, { leaseMs: 600, monitor: { topTenants: 3 } });
    const handler = async (job: { payload: unknown }) => {
      if ((job.payload as { fail: boolean }).fail) throw new PermanentError('no');
      return null;
    };
    a.work('roll', { concurrency: 4 }, handler);
    b.work('roll', { concurrency: 4 }, handler);
    const items = Array.from({ length: 300 }, (_, i) => ({ payload: { fail: i % 10 === 0 }, tenant: `t${i % 25}` }));
    await a.enqueueMany('roll', items);
    await waitFor(
      async () => {
        const s = await rollupSums('roll');
        return s.completed === 270 && s.dead === 30;
      },
      30_000,
      'rollups to add up to every outcome',
    );
    const s = await rollupSums('roll');
    expect(s.enqueued).toBe(300);
    // One row per (queue, minute, process): never a row two processes write.
    const perKey = await db.sql.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM rota.monitor_rollups GROUP BY queue, minute, worker_id HAVING count(*) > 1`,
    );
    expect(perKey.rows).toEqual([]);
    // Per-tenant figures only for the top 3 per row, plus "~other".
    const keys = await db.sql.query<{ n: number }>(
      `SELECT max((SELECT count(*) FROM jsonb_object_keys(tenants)))::int AS n FROM rota.monitor_rollups`,
    );
    expect(keys.rows[0]?.n).toBeLessThanOrEqual(4);

    const series = await a.monitor.timeseries({ queue: 'roll', from: new Date(Date.now() - 600_000), to: new Date(Date.now() + 60_000) });
    expect(series.reduce((n, p) => n + p.completed, 0)).toBe(270);
    expect(series.reduce((n, p) => n + p.dead, 0)).toBe(30);
    const last = series[series.length - 1];
    expect(last?.run.p50).not.toBeNull();
    expect(last?.wait.p99).not.toBeNull();
    await closeRota(a);
    await closeRota(b);
  });

  it('folding and pruning move old rollups into totals, so counters never go down', async () => {
    const rota = makeRota(db.url, { leaseMs: 600 });
    const totals = async () => (await rota.monitor.cluster.totals()).find((t) => t.queue === 'roll');
    const before = await totals();
    expect(before?.completed).toBe(270);
    // Three hours on: the rows are folded into the totals (and kept for the time series).
    await rota.monitor.prune(Date.now() + 3 * 3_600_000);
    const folded = await db.sql.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM rota.monitor_rollups WHERE queue = 'roll' AND NOT folded`,
    );
    expect(folded.rows[0]?.n).toBe(0);
    expect((await rollupSums('roll')).completed).toBe(270);
    expect(await totals()).toEqual(before);
    // A write that late to a folded row changes nothing (it is in the totals already).
    const row = await db.sql.query<{ worker_id: string; minute: Date }>(
      `SELECT worker_id, minute FROM rota.monitor_rollups WHERE queue = 'roll' LIMIT 1`,
    );
    const { worker_id, minute } = row.rows[0] as { worker_id: string; minute: Date };
    const write = loadQuery('monitor/rollup_write', 'rota');
    const cell = { q: 'roll', m: minute.getTime(), e: 0, c: 1_000, f: 0, r: 0, d: 0, s: 0, l: 0, wb: [], rb: [], ws: 0, rs: 0, t: {} };
    await db.sql.query(write, [JSON.stringify([cell]), worker_id]);
    expect((await rollupSums('roll')).completed).toBe(270);
    expect(await totals()).toEqual(before);
    // Eight days on: past retention, the rows are gone; the counters are not.
    await rota.monitor.prune(Date.now() + 8 * 86_400_000);
    expect((await rollupSums('roll')).rows).toBe(0);
    expect(await totals()).toEqual(before);
    await closeRota(rota);
  });

  it('rejects bad timeseries queries naming the field', async () => {
    const rota = makeRota(db.url);
    const now = new Date();
    await expect(rota.monitor.timeseries({ from: now, to: now, stepSec: 60 })).rejects.toMatchObject({ field: 'to' });
    await expect(rota.monitor.timeseries({ from: new Date(0), to: now, stepSec: 90 })).rejects.toMatchObject({ field: 'stepSec' });
    expect(() => makeRota(db.url, { monitor: { topTenants: 0 } })).toThrow(/monitor.topTenants/);
    await closeRota(rota);
  });
});
