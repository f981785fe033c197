import { setTimeout as sleep } from 'node:timers/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Rota } from '../../src/index.js';
import { waitFor } from '../support/db.js';
import { makeRota, migratedDatabase } from '../support/rota.js';
import { startServer, type TestServer, token } from './helpers.js';

let rota: Rota;
let dbUrl: string;
let server: TestServer;
const t: Record<string, string> = {};

beforeAll(async () => {
  const db = await migratedDatabase();
  dbUrl = db.url;
  rota = makeRota(db.url, { pollIntervalMs: 50 });
  server = await startServer(rota);
  t.operator = await token(rota, 'ops', 'operator');
  t.viewer = await token(rota, 'eyes', 'viewer');
  t.tenant = await token(rota, 'shop-1', 'viewer', 'shop-1');
});

type Q = { queue: string; waiting: number; running: number; paused: boolean; concurrency: number | null };

describe('queues and tenants', () => {
  it('pause stops claims cluster-wide without touching settings; resume restores them', async () => {
    await rota.queue('work').configure({ concurrency: 3 }, { create: true });
    const paused = await server.call<Q>('POST', '/api/queues/work/pause', { token: t.operator });
    expect(paused.body).toMatchObject({ paused: true, concurrency: 3 });
    let ran = 0;
    const w = rota.work('work', { concurrency: 2 }, async () => {
      ran++;
    });
    await rota.enqueueMany(
      'work',
      Array.from({ length: 5 }, (_, i) => ({ payload: i, tenant: `shop-${i % 2}` })),
    );
    await sleep(400);
    expect(ran).toBe(0);
    const q = await server.call<Q>('GET', '/api/queues/work', { token: t.viewer });
    expect(q.body).toMatchObject({ waiting: 5, running: 0, paused: true });
    const resumed = await server.call<Q>('POST', '/api/queues/work/resume', { token: t.operator });
    expect(resumed.body).toMatchObject({ paused: false, concurrency: 3 });
    await waitFor(() => ran === 5);
    await w.stop();
    const after = await server.call<{ items: Q[] }>('GET', '/api/queues', { token: t.viewer });
    expect(after.body.items.find((x) => x.queue === 'work')).toMatchObject({ waiting: 0, running: 0 });
    expect((await server.call('POST', '/api/queues/work/pause', { token: t.viewer })).status).toBe(403);
    expect((await server.call('POST', '/api/queues/nope/pause', { token: t.operator })).status).toBe(404);
  });

  it('configures a queue and a tenant; bad settings name the field', async () => {
    const r = await server.call<Q>('PATCH', '/api/queues/work', {
      token: t.operator,
      body: { concurrency: 7, rate: { limit: 10, periodMs: 1000 } },
    });
    expect(r.body).toMatchObject({ concurrency: 7, rate: { limit: 10, periodMs: 1000, burst: 10 } });
    const bad = await server.call('PATCH', '/api/queues/work', { token: t.operator, body: { concurrency: -1 } });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ field: 'concurrency' });
    const unknown = await server.call('PATCH', '/api/queues/work', { token: t.operator, body: { speed: 1 } });
    expect(unknown.body).toMatchObject({ field: 'speed' });
    const tw = await server.call('PATCH', '/api/queues/work/tenants/shop-1', { token: t.operator, body: { weight: 4 } });
    expect(tw.body).toMatchObject({ tenant: 'shop-1', weight: 4 });
  });

  it("a queue's stored retry policy: set part by part, shown, bad parts named, null unsets it", async () => {
    type R = { retry: Record<string, number | null>; concurrency: number | null };
    const set = await server.call<R>('PATCH', '/api/queues/work', { token: t.operator, body: { retry: { maxAttempts: 2, baseMs: 500 } } });
    expect(set.status).toBe(200);
    expect(set.body.retry).toEqual({ maxAttempts: 2, baseMs: 500, maxMs: null, jitter: null });
    const more = await server.call<R>('PATCH', '/api/queues/work', { token: t.operator, body: { retry: { maxMs: 500, jitter: 0 } } });
    expect(more.body.retry).toEqual({ maxAttempts: 2, baseMs: 500, maxMs: 500, jitter: 0 });
    const list = await server.call<{ items: Array<R & { queue: string }> }>('GET', '/api/queues', { token: t.viewer });
    expect(list.body.items.find((q) => q.queue === 'work')?.retry).toEqual({ maxAttempts: 2, baseMs: 500, maxMs: 500, jitter: 0 });
    expect((await rota.getJob((await rota.enqueue('work', { n: 1 }, { delayMs: 60_000 })).id))?.maxAttempts).toBe(2);

    for (const [retry, field] of [
      [{ maxAttempts: 0 }, 'retry.maxAttempts'],
      [{ jitter: 1.5 }, 'retry.jitter'],
      [{ baseMs: -1 }, 'retry.baseMs'],
      [{ tries: 3 }, 'retry.tries'],
    ] as const) {
      const bad = await server.call('PATCH', '/api/queues/work', { token: t.operator, body: { concurrency: 1, retry } });
      expect(bad.status).toBe(400);
      expect(bad.body).toMatchObject({ error: 'invalid', field });
    }
    expect((await rota.queue('work').info()).concurrency).toBe(7);
    expect((await server.call('PATCH', '/api/queues/work', { token: t.viewer, body: { retry: null } })).status).toBe(403);
    const cleared = await server.call<R>('PATCH', '/api/queues/work', { token: t.operator, body: { retry: null } });
    expect(cleared.body.retry).toEqual({ maxAttempts: null, baseMs: null, maxMs: null, jitter: null });
  });

  it('lists tenants sorted and paginated; a tenant token sees itself only', async () => {
    await rota.enqueueMany(
      'many',
      Array.from({ length: 60 }, (_, i) => ({ payload: i, tenant: `t-${String(i % 12).padStart(2, '0')}`, delayMs: 60_000 })),
    );
    await rota.enqueueMany(
      'many',
      Array.from({ length: 7 }, (_, i) => ({ payload: i, tenant: 't-03', delayMs: 60_000 })),
    );
    // Fold the journal so tenant_state rows exist (a claim does it).
    const w = rota.work('many', { concurrency: 1 }, async () => {});
    await sleep(150);
    await w.stop();
    const names: string[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 10; i++) {
      const r: { body: { items: Array<{ tenant: string; backlog: number }>; nextCursor: string | null } } = await server.call(
        'GET',
        `/api/queues/many/tenants?sort=name&limit=5${cursor ? `&cursor=${cursor}` : ''}`,
        { token: t.viewer },
      );
      names.push(...r.body.items.map((x) => x.tenant));
      cursor = r.body.nextCursor;
      if (!cursor) break;
    }
    expect(names).toEqual(Array.from({ length: 12 }, (_, i) => `t-${String(i).padStart(2, '0')}`));
    const top = await server.call<{ items: Array<{ tenant: string; backlog: number }> }>(
      'GET',
      '/api/queues/many/tenants?sort=backlog&limit=2',
      {
        token: t.viewer,
      },
    );
    expect(top.body.items[0]).toEqual(expect.objectContaining({ tenant: 't-03', backlog: 12 }));
    const search = await server.call<{ items: unknown[] }>('GET', '/api/queues/many/tenants?search=t-1', { token: t.viewer });
    expect(search.body.items).toHaveLength(2);
    const bad = await server.call('GET', '/api/queues/many/tenants?sort=size', { token: t.viewer });
    expect(bad.body).toMatchObject({ field: 'sort' });
    const scoped = await server.call<{ items: Array<{ tenant: string }> }>('GET', '/api/queues/work/tenants', { token: t.tenant });
    expect(scoped.body.items.map((x) => x.tenant)).toEqual(['shop-1']);
  });
});

describe('schedules, scheduler, workers, connections, breakers', () => {
  it('creates, updates, triggers, disables and deletes a schedule; cycles are paginated', async () => {
    const c = await server.call('POST', '/api/schedules', {
      token: t.operator,
      body: { name: 'nightly', cron: '0 3 * * *', queue: 'reports', payload: { kind: 'nightly' } },
    });
    expect(c.status).toBe(201);
    const badCron = await server.call('POST', '/api/schedules', {
      token: t.operator,
      body: { name: 'x', cron: 'never', queue: 'q', payload: 1 },
    });
    expect(badCron.status).toBe(400);
    expect(badCron.body).toMatchObject({ field: 'cron' });
    const u = await server.call('PATCH', '/api/schedules/nightly', { token: t.operator, body: { cron: '0 4 * * *', tenant: 'ops' } });
    expect(u.body).toMatchObject({ cron: '0 4 * * *', tenant: 'ops', queue: 'reports', payload: { kind: 'nightly' } });
    for (let i = 0; i < 3; i++)
      expect((await server.call('POST', '/api/schedules/nightly/trigger', { token: t.operator })).status).toBe(200);
    const p1 = await server.call<{ items: Array<{ source: string }>; nextCursor: string }>('GET', '/api/schedules/nightly/cycles?limit=2', {
      token: t.viewer,
    });
    expect(p1.body.items).toHaveLength(2);
    const p2 = await server.call<{ items: unknown[]; nextCursor: null }>(
      'GET',
      `/api/schedules/nightly/cycles?limit=2&cursor=${p1.body.nextCursor}`,
      {
        token: t.viewer,
      },
    );
    expect(p2.body.items).toHaveLength(1);
    expect(p2.body.nextCursor).toBeNull();
    expect((await server.call('POST', '/api/schedules/nightly/disable', { token: t.operator })).body).toMatchObject({ enabled: false });
    const list = await server.call<{ items: Array<{ name: string; status: unknown }> }>('GET', '/api/schedules', { token: t.viewer });
    expect(list.body.items.map((s) => s.name)).toEqual(['nightly']);
    expect((await server.call('DELETE', '/api/schedules/nightly', { token: t.operator })).status).toBe(200);
    expect((await server.call('DELETE', '/api/schedules/nightly', { token: t.operator })).status).toBe(404);
  });

  it('pausing the schedulers stops every one of them; resuming restarts them', async () => {
    const handle = rota.startScheduler({ pollMs: 50 });
    const paused = await server.call('POST', '/api/scheduler/pause', { token: t.operator });
    expect(paused.body).toMatchObject({ paused: true });
    await rota.schedule('tick', '* * * * * *', 'ticks', {});
    await sleep(1_500);
    expect(await rota.scheduleCycles({ schedule: 'tick' })).toEqual([]);
    const state = await server.call<{ lagMs: number }>('GET', '/api/scheduler', { token: t.viewer });
    expect(state.body.lagMs).toBeGreaterThan(0);
    await server.call('POST', '/api/scheduler/resume', { token: t.operator });
    await waitFor(async () => (await rota.scheduleCycles({ schedule: 'tick' })).length > 0);
    await handle.stop();
    await rota.unschedule('tick');
  });

  it("queue throughput comes from the workers' heartbeats", async () => {
    const fast = makeRota(dbUrl, { leaseMs: 600 });
    const w = fast.work('tput', { concurrency: 4 }, async () => {});
    await fast.enqueueMany(
      'tput',
      Array.from({ length: 200 }, (_, i) => ({ payload: i })),
    );
    await waitFor(async () => {
      const q = await server.call<{ finishedPerSec: number }>('GET', '/api/queues/tput', { token: t.viewer });
      return q.body.finishedPerSec > 0;
    });
    const scoped = await server.call<{ finishedPerSec: number | null }>('GET', '/api/queues/tput', { token: t.tenant });
    expect(scoped.body.finishedPerSec).toBeNull();
    await w.stop();
  });

  it('workers and connections', async () => {
    const w = rota.work('alive', { concurrency: 3 }, async () => {});
    type WorkerItem = { queues: string[]; stats: { concurrency?: Record<string, number>; running?: Record<string, number> } };
    const worker = await waitFor(async () => {
      const items = (await server.call<{ items: WorkerItem[] }>('GET', '/api/workers', { token: t.viewer })).body.items;
      return items.find((i) => i.queues.includes('alive') && i.stats.concurrency?.alive !== undefined);
    });
    // Each queue's concurrency and jobs in flight, as the process last registered them.
    expect(worker.stats.concurrency?.alive).toBe(3);
    expect(worker.stats.running?.alive).toBe(0);
    const c = await server.call<{
      maxConnections: number;
      used: number;
      available: number;
      reserved: number;
      byApplication: Array<{ application: string }>;
    }>('GET', '/api/connections', { token: t.viewer });
    expect(c.body.used).toBeGreaterThan(0);
    expect(c.body.available).toBe(c.body.maxConnections - c.body.reserved - c.body.used);
    expect(c.body.byApplication.map((a) => a.application)).toContain('rota');
    await w.stop();
  });

  it('breakers: open, history, configure, reset', async () => {
    const o = await server.call('POST', '/api/breakers/dependency:payments/open', { token: t.operator, body: { reason: 'incident 42' } });
    expect(o.body).toMatchObject({ state: 'open', forced: 'open' });
    const list = await server.call<{ items: Array<{ name: string }> }>('GET', '/api/breakers', { token: t.viewer });
    expect(list.body.items.map((b) => b.name)).toContain('payments');
    const cfg = await server.call('PATCH', '/api/breakers/dependency:payments', { token: t.operator, body: { minCalls: 5 } });
    expect(cfg.body).toMatchObject({ minCalls: 5 });
    const reset = await server.call('POST', '/api/breakers/dependency:payments/reset', { token: t.operator });
    expect(reset.body).toMatchObject({ state: 'closed', forced: null });
    const h = await server.call<{ items: Array<{ to: string; reason: string }>; nextCursor: string | null }>(
      'GET',
      '/api/breakers/dependency:payments/history?limit=1',
      { token: t.viewer },
    );
    expect(h.body.items).toHaveLength(1);
    expect(h.body.nextCursor).not.toBeNull();
    const bad = await server.call('POST', '/api/breakers/payments/open', { token: t.operator });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ field: 'name' });
  });

  it("a queue breaker's thresholds: stored, shown with the queue; a bad value names its field and writes nothing", async () => {
    const set = await server.call('PATCH', '/api/breakers/queue:work', {
      token: t.operator,
      body: { failureRatio: 0.3, cooldownMs: 2000 },
    });
    expect(set.body).toMatchObject({ kind: 'queue', name: 'work', failureRatio: 0.3, cooldownMs: 2000 });
    const q = await server.call<{ breaker: unknown }>('GET', '/api/queues/work', { token: t.viewer });
    expect(q.body.breaker).toMatchObject({ state: 'closed', forced: null, failureRatio: 0.3, cooldownMs: 2000, minCalls: 20 });
    // Checked against the stored cool-down: the field is the body's, not the library's `settings.` path.
    const below = await server.call('PATCH', '/api/breakers/queue:work', { token: t.operator, body: { maxCooldownMs: 1000 } });
    expect(below.status).toBe(400);
    expect(below.body).toMatchObject({ error: 'invalid', field: 'maxCooldownMs' });
    const ratio = await server.call('PATCH', '/api/breakers/queue:work', { token: t.operator, body: { failureRatio: 2, minCalls: 3 } });
    expect(ratio.status).toBe(400);
    expect(ratio.body).toMatchObject({ field: 'failureRatio' });
    expect(await rota.breakers.get({ queue: 'work' })).toMatchObject({ failureRatio: 0.3, minCalls: 20, maxCooldownMs: 600_000 });
    const viewer = await server.call('PATCH', '/api/breakers/queue:work', { token: t.viewer, body: { minCalls: 3 } });
    expect(viewer.status).toBe(403);
    await rota.breakers.remove({ queue: 'work' });
  });
});
