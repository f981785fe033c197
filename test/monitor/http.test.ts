/** The monitoring routes on a real listening server. */
import { describe, expect, it } from 'vitest';
import { startServer, token } from '../server/helpers.js';
import { waitFor } from '../support/db.js';
import { makeRota, migratedDatabase } from '../support/rota.js';

/** The monitoring routes through the management server (buildServer), on a real listening port. */
const db = await migratedDatabase();
const rota = makeRota(db.url, { leaseMs: 600, monitor: { topTenants: 5 } });
const server = await startServer(rota);

const get = (path: string) => fetch(server.url + path);

describe('monitoring routes', () => {
  it('/health/live and /health/ready answer with every check', async () => {
    const live = await get('/health/live');
    expect(live.status).toBe(200);
    expect(await live.json()).toEqual({ status: 'ok' });
    const ready = await get('/health/ready');
    const body = (await ready.json()) as { status: string; checks: Array<{ name: string; ok: boolean }> };
    expect(ready.status).toBe(200);
    expect(body.checks.map((c) => [c.name, c.ok])).toEqual([
      ['database', true],
      ['migrations', true],
      ['pool', true],
      ['connections', true],
    ]);
    const summary = await get('/health');
    expect(((await summary.json()) as { worker: string }).worker).toBe(rota.workerId);
  });

  it('/metrics keeps tenant labels to the top N plus other, whatever the tenant count', async () => {
    rota.work('metered', { concurrency: 10 }, async () => null);
    // 200 tenants; 5 of them busier.
    const items = Array.from({ length: 400 }, (_, i) => ({ payload: i, tenant: i < 200 ? `t${i}` : `hot${i % 5}` }));
    await rota.enqueueMany('metered', items);
    await waitFor(
      async () => {
        const text = await (await get('/metrics')).text();
        return text.includes('rota_jobs_completed_total{queue="metered"} 400');
      },
      30_000,
      'the completed counter to reach 400',
    );
    const res = await get('/metrics');
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    for (const family of [
      'rota_jobs_enqueued_total',
      'rota_jobs_failed_total',
      'rota_jobs_retried_total',
      'rota_jobs_dead_total',
      'rota_job_run_duration_seconds_bucket',
      'rota_job_queue_wait_seconds_count',
      'rota_queue_jobs',
      'rota_queue_oldest_ready_age_seconds',
      'rota_postgres_connections',
      'rota_postgres_max_connections',
      'rota_pool_connections',
      'rota_status_updates_in_memory',
      'rota_batcher_flush_rows',
      'rota_batcher_flush_duration_seconds',
    ]) {
      expect(text, family).toContain(family);
    }
    expect(text).toContain('rota_jobs_enqueued_total{queue="metered"} 400');
    expect(text).toContain('rota_job_run_duration_seconds_count{queue="metered"} 400');
    const tenants = new Set([...text.matchAll(/rota_tenant_jobs_finished_5m\{queue="metered",tenant="([^"]+)"/g)].map((m) => m[1]));
    expect(tenants.size).toBeLessThanOrEqual(6);
    expect(tenants.has('other')).toBe(true);
    for (let i = 0; i < 5; i++) expect(tenants.has(`hot${i}`)).toBe(true);
  });

  it('/api/timeseries reads the rollups; bad input is a 400 naming the field', async () => {
    const res = await get('/api/timeseries?queue=metered');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { points: Array<{ completed: number; run: { p95: number | null } }> };
    expect(body.points.reduce((n, p) => n + p.completed, 0)).toBe(400);
    expect(body.points.some((p) => p.run.p95 !== null)).toBe(true);
    const bad = await get('/api/timeseries?stepSec=90');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ field: 'stepSec' });
  });

  it('alert rules are listed and configured; unknown thresholds are rejected and nothing is written', async () => {
    const rules = (await (await get('/api/alert-rules')).json()) as { items: Array<{ rule: string }> };
    expect(rules.items.map((r) => r.rule)).toContain('connections');
    const patch = (rule: string, body: unknown) =>
      fetch(`${server.url}/api/alert-rules/${rule}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const ok = await patch('oldest_ready', { enabled: false, thresholds: { ageMs: 5000 } });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ rule: 'oldest_ready', enabled: false, thresholds: { ageMs: 5000 } });
    const bad = await patch('oldest_ready', { thresholds: { agems: 1 } });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: 'invalid', field: 'thresholds.agems' });
    const unknown = await patch('nope', { enabled: true });
    expect(await unknown.json()).toMatchObject({ field: 'rule' });
    const after = (await rota.alerts.rules()).find((r) => r.rule === 'oldest_ready');
    expect(after).toMatchObject({ enabled: false, thresholds: { ageMs: 5000 } });
    const doc = (await (await get('/openapi.json')).json()) as { paths: Record<string, unknown> };
    for (const path of ['/api/alerts', '/api/alerts/{id}/resolve', '/api/alert-rules/{rule}', '/api/timeseries', '/health/ready']) {
      expect(Object.keys(doc.paths)).toContain(path);
    }
    const list = await get('/api/alerts?state=active');
    expect(await list.json()).toEqual({ items: [], nextCursor: null });
  });

  it('access: public probes, viewer reads, operator configures; tenant-scoped tokens are refused', async () => {
    const viewer = await token(rota, 'v', 'viewer');
    const operator = await token(rota, 'o', 'operator');
    const tenant = await token(rota, 'tn', 'viewer', 'store-1');
    // Once a token exists, loopback callers are no longer the local admin.
    expect((await server.call('GET', '/health/live')).status).toBe(200);
    expect((await server.call('GET', '/health/ready')).status).toBe(200);
    expect((await server.call('GET', '/metrics')).status).toBe(401);
    expect((await server.call('GET', '/metrics', { token: viewer })).status).toBe(200);
    expect((await server.call('GET', '/api/alerts', { token: viewer })).status).toBe(200);
    expect((await server.call('GET', '/metrics', { token: tenant })).status).toBe(403);
    expect((await server.call('GET', '/api/timeseries', { token: tenant })).status).toBe(403);
    const patch = { thresholds: { ageMs: 9000 } };
    expect((await server.call('PATCH', '/api/alert-rules/oldest_ready', { token: viewer, body: patch })).status).toBe(403);
    expect((await server.call('PATCH', '/api/alert-rules/oldest_ready', { token: operator, body: patch })).status).toBe(200);
    expect((await server.call('POST', '/api/alerts/resolve', { token: operator, body: { type: 'dead_jobs' } })).body).toEqual({ count: 0 });
    expect((await server.call('POST', '/api/alerts/123/resolve', { token: operator })).status).toBe(404);
    expect((await server.call('GET', '/api/alert-webhooks', { token: operator })).status).toBe(403);
  });
});
