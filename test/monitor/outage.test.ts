/**
 * Connection exhaustion and a database outage, seen by health checks and alerts. This
 * file starts its own PostgreSQL server (small max_connections, and it is stopped
 * mid-test), so the shared one never sees either.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedServer, startEmbeddedPostgres } from '../../src/db/embedded.js';
import { type AlertEvent, DatabaseUnavailableError, type Rota } from '../../src/index.js';
import { waitFor } from '../support/db.js';
import { closeRota, makeRota } from '../support/rota.js';

let server: EmbeddedServer;
const hogs: pg.Client[] = [];

beforeAll(async () => {
  server = await startEmbeddedPostgres({ settings: { fsync: 'off', synchronous_commit: 'off', max_connections: 20 } });
}, 120_000);

afterAll(async () => {
  await Promise.all(hogs.map((c) => c.end().catch(() => {})));
  await server?.destroy();
}, 60_000);

function events(rota: Rota): AlertEvent[] {
  const seen: AlertEvent[] = [];
  rota.on('alert', (e) => seen.push(e));
  return seen;
}

describe('connection use', () => {
  it('fires as connections are opened towards max_connections, names who holds them, and resolves when they close', async () => {
    const rota = makeRota(server.url, { monitor: { resolveAfter: 2 } });
    await rota.migrate();
    await rota.alerts.configure('connections', { thresholds: { warningPercent: 50, criticalPercent: 80, clearMarginPercent: 10 } });
    const seen = events(rota);
    const ready = async () => (await rota.monitor.health()).checks.find((c) => c.name === 'connections')?.ok;
    expect(await ready()).toBe(true);
    // Open connections one by one until the rule fires.
    while (!seen.some((e) => e.alert.type === 'connections')) {
      expect(hogs.length).toBeLessThan(16);
      const c = new pg.Client({ connectionString: server.url, application_name: 'hog' });
      await c.connect();
      hogs.push(c);
      await rota.monitor.evaluate();
    }
    const { connections } = await rota.monitor.cluster.connections().then((c) => ({ connections: c }));
    const usable = connections.max - connections.reserved;
    const fired = seen[0]?.alert;
    expect(fired).toMatchObject({ type: 'connections', severity: 'warning', subject: 'postgres' });
    // It fired at the first connection that took use to 50 % or more, not before.
    expect((100 * connections.total) / usable).toBeGreaterThanOrEqual(50);
    expect((100 * (connections.total - 1)) / usable).toBeLessThan(50);
    expect(fired?.details.holders).toContainEqual({ application: 'hog', count: hogs.length });
    // Past the critical threshold readiness fails on the connections check.
    while ((100 * (await rota.monitor.cluster.connections()).total) / usable < 80) {
      const c = new pg.Client({ connectionString: server.url, application_name: 'hog' });
      await c.connect();
      hogs.push(c);
    }
    expect(await ready()).toBe(false);
    await rota.monitor.evaluate();
    expect((await rota.alerts.list({ state: 'active', type: 'connections' })).items[0]?.severity).toBe('critical');
    // Closing them: one clear evaluation is not enough (hysteresis), two are.
    await Promise.all(hogs.splice(0).map((c) => c.end()));
    await rota.monitor.evaluate();
    expect(seen.filter((e) => e.action === 'resolved')).toEqual([]);
    await rota.monitor.evaluate();
    expect(seen.filter((e) => e.action === 'resolved').map((e) => e.alert.type)).toEqual(['connections']);
    expect(await ready()).toBe(true);
    await closeRota(rota);
  });
});

describe('database outage', () => {
  it('readiness fails and the in-memory updates alert fires while the database is down, then both clear', async () => {
    const rota = makeRota(server.url, {
      leaseMs: 20_000,
      monitor: { evaluateIntervalMs: 100, resolveAfter: 2, healthTimeoutMs: 1_000 },
    });
    await rota.migrate();
    const seen = events(rota);
    let ran = 0;
    rota.work('through', { concurrency: 4 }, async () => {
      await new Promise((r) => setTimeout(r, 20));
      ran++;
    });
    await rota.enqueueMany(
      'through',
      Array.from({ length: 400 }, (_, i) => ({ payload: i })),
    );
    const monitor = rota.monitor.start({ webhooks: false });
    await waitFor(() => ran >= 40, 30_000, 'the run to be under way');
    expect((await rota.monitor.health()).ok).toBe(true);

    await server.stop();
    const down = await waitFor(
      async () => {
        const h = await rota.monitor.health();
        return h.ok ? null : h;
      },
      20_000,
      'readiness to fail',
    );
    expect(down.checks.find((c) => c.name === 'database')?.ok).toBe(false);
    const fired = await waitFor(
      () => seen.find((e) => e.action === 'fired' && e.alert.type === 'updates_in_memory'),
      30_000,
      'the in-memory updates alert',
    );
    // Raised in memory: the database has not seen it (yet).
    expect(fired.alert).toMatchObject({ id: null, severity: 'critical', subject: rota.workerId });
    expect(rota.monitor.localAlerts().map((a) => a.type)).toEqual(['updates_in_memory']);
    // /metrics says the database is unavailable (a typed error the server answers 503 with).
    await expect(rota.monitor.metrics()).rejects.toBeInstanceOf(DatabaseUnavailableError);

    await server.start();
    await waitFor(async () => (await rota.monitor.health()).ok, 30_000, 'readiness to recover');
    const resolved = await waitFor(
      () => seen.find((e) => e.action === 'resolved' && e.alert.type === 'updates_in_memory'),
      30_000,
      'the in-memory alert to resolve',
    );
    expect(resolved.alert).toMatchObject({ state: 'resolved', resolvedBy: 'auto' });
    expect(resolved.alert.id).not.toBeNull();
    // Written to the history once the database was back.
    const history = await rota.alerts.list({ type: 'updates_in_memory' });
    expect(history.items.map((a) => a.state)).toEqual(['resolved']);
    expect(rota.monitor.localAlerts()).toEqual([]);
    await monitor.stop();
    await closeRota(rota);
  });
});
