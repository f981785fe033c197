/**
 * GET /api/queues/:queue/tenants?window=: each tenant's completed jobs and share of the
 * queue's completed jobs in the window (from the per-minute rollups) next to its fair share.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Rota } from '../../src/index.js';
import { waitFor } from '../support/db.js';
import { closeRota, makeRota, migratedDatabase } from '../support/rota.js';
import { startServer, type TestServer, token } from './helpers.js';

interface TenantItem {
  tenant: string;
  weight: number;
  backlog: number;
  completedInWindow: number | null;
  completedExact: boolean;
  share: number | null;
  fairShare: number | null;
}
type TenantPage = { items: TenantItem[]; nextCursor: string | null };

const db = await migratedDatabase();
let rota: Rota;
let server: TestServer;
let viewer: string;

beforeAll(async () => {
  rota = makeRota(db.url);
  server = await startServer(rota);
  viewer = await token(rota, 'eyes', 'viewer');
});

describe('tenant throughput share', () => {
  it('two tenants of weights 1 and 3 under contention get about a quarter and three quarters', async () => {
    await rota.queue('fair').configure({}, { create: true });
    await rota.tenant('fair', 'light').configure({ weight: 1 });
    await rota.tenant('fair', 'heavy').configure({ weight: 3 });
    const perTenant = 400;
    await rota.enqueueMany('fair', [
      ...Array.from({ length: perTenant }, (_, i) => ({ payload: i, tenant: 'light' })),
      ...Array.from({ length: perTenant }, (_, i) => ({ payload: i, tenant: 'heavy' })),
    ]);
    let done = 0;
    const w = rota.work('fair', { concurrency: 2 }, async () => {
      await sleep(2);
      done++;
    });
    // Stop while both still have a backlog (heavy takes about 3/4 of 240: 180 < 400).
    await waitFor(() => done >= 240, 60_000, '240 jobs done');
    await w.stop();
    await rota.monitor.writeRollups();

    const r = await server.call<TenantPage>('GET', '/api/queues/fair/tenants?window=5m&sort=name', { token: viewer });
    expect(r.status).toBe(200);
    const by = new Map(r.body.items.map((x) => [x.tenant, x]));
    const light = by.get('light');
    const heavy = by.get('heavy');
    if (!light || !heavy) throw new Error(`tenants missing: ${JSON.stringify(r.body)}`);
    expect(light.backlog).toBeGreaterThan(0);
    expect(heavy.backlog).toBeGreaterThan(0);
    // Both are backlogged: the fair shares are their weights over 1 + 3.
    expect(light.fairShare).toBeCloseTo(0.25, 10);
    expect(heavy.fairShare).toBeCloseTo(0.75, 10);
    // One process, two tenants: no row summed anything into "other", so the counts are exact.
    expect(light.completedExact && heavy.completedExact).toBe(true);
    expect((light.completedInWindow ?? 0) + (heavy.completedInWindow ?? 0)).toBe(done);
    const ls = light.share ?? Number.NaN;
    const hs = heavy.share ?? Number.NaN;
    expect(ls + hs).toBeCloseTo(1, 10);
    expect(hs).toBeGreaterThan(ls);
    expect(ls).toBeGreaterThan(0.1);
    expect(ls).toBeLessThan(0.4);
    expect(hs).toBeGreaterThan(0.6);
    expect(hs).toBeLessThan(0.9);

    const sorted = await server.call<TenantPage>('GET', '/api/queues/fair/tenants?sort=completed', { token: viewer });
    expect(sorted.body.items.map((x) => x.tenant)).toEqual(['heavy', 'light']);
    const page1 = await server.call<TenantPage>('GET', '/api/queues/fair/tenants?sort=completed&limit=1', { token: viewer });
    expect(page1.body.items.map((x) => x.tenant)).toEqual(['heavy']);
    const page2 = await server.call<TenantPage>('GET', `/api/queues/fair/tenants?sort=completed&limit=1&cursor=${page1.body.nextCursor}`, {
      token: viewer,
    });
    expect(page2.body.items.map((x) => x.tenant)).toEqual(['light']);
  });

  it('is null for a tenant outside the top N of every rollup row of the window', async () => {
    // A process keeping 2 tenants per row: the others are summed into "other".
    const small = makeRota(db.url, { monitor: { topTenants: 2 } });
    const items = [
      ...Array.from({ length: 30 }, (_, i) => ({ payload: i, tenant: 'big-a' })),
      ...Array.from({ length: 20 }, (_, i) => ({ payload: i, tenant: 'big-b' })),
      ...Array.from({ length: 10 }, (_, i) => ({ payload: i, tenant: `tiny-${i}` })),
    ];
    await small.enqueueMany('crowd', items);
    let done = 0;
    const w = small.work('crowd', { concurrency: 2 }, async () => {
      done++;
    });
    await waitFor(() => done === items.length, 60_000, 'every job done');
    await w.stop();
    await small.monitor.writeRollups();
    await closeRota(small);

    const listed = await db.sql.query<{ tenant: string }>(
      `SELECT DISTINCT k AS tenant FROM rota.monitor_rollups r, jsonb_object_keys(r.tenants) AS k WHERE r.queue = 'crowd'`,
    );
    const keys = new Set(listed.rows.map((x) => x.tenant));
    expect(keys.has('~other')).toBe(true);
    const r = await server.call<TenantPage>('GET', '/api/queues/crowd/tenants?window=15m&sort=name&limit=100', { token: viewer });
    expect(r.body.items).toHaveLength(12);
    const unlisted = r.body.items.filter((x) => !keys.has(x.tenant));
    expect(unlisted.length).toBeGreaterThan(0);
    for (const x of unlisted) expect(x).toMatchObject({ completedInWindow: null, completedExact: false, share: null });
    for (const x of r.body.items.filter((y) => keys.has(y.tenant))) {
      expect(x.completedInWindow).toBeGreaterThan(0);
      expect(x.share).toBeGreaterThan(0);
    }
    // Nothing is waiting: no tenant has a fair share.
    expect(r.body.items.every((x) => x.fairShare === null)).toBe(true);
    // Sorted by completed, the unknown counts come last.
    const sorted = await server.call<TenantPage>('GET', '/api/queues/crowd/tenants?sort=completed&limit=100', { token: viewer });
    const firstNull = sorted.body.items.findIndex((x) => x.completedInWindow === null);
    expect(firstNull).toBe(sorted.body.items.length - unlisted.length);
  });

  it('rejects a bad window with a 400 naming it', async () => {
    for (const w of ['24h', '2d', '0m', '', '5']) {
      const r = await server.call('GET', `/api/queues/fair/tenants?window=${w}`, { token: viewer });
      expect(r.status).toBe(400);
      expect(r.body).toMatchObject({ field: 'window' });
    }
    await expect(rota.admin.queues.tenants('fair', { windowMinutes: 0 })).rejects.toMatchObject({ field: 'window' });
    await expect(rota.admin.queues.tenants('fair', { windowMinutes: 361 })).rejects.toMatchObject({ field: 'window' });
  });
});
