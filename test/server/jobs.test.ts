import { beforeAll, describe, expect, it } from 'vitest';
import type { Rota } from '../../src/index.js';
import { expectCountersExact } from '../admin/helpers.js';
import type { TestDb } from '../support/db.js';
import { makeRota, migratedDatabase } from '../support/rota.js';
import { startServer, type TestServer, token } from './helpers.js';

let db: TestDb;
let rota: Rota;
let server: TestServer;
const t: Record<string, string> = {};

async function jobRows(): Promise<number> {
  const r = await db.sql.query<{ n: number }>('SELECT (SELECT count(*) FROM rota.jobs) + (SELECT count(*) FROM rota.jobs_done) AS n');
  return Number(r.rows[0]?.n);
}

beforeAll(async () => {
  db = await migratedDatabase();
  rota = makeRota(db.url);
  server = await startServer(rota, { bodyLimit: 64 * 1024 });
  t.admin = await token(rota, 'root', 'admin');
  t.operator = await token(rota, 'ops', 'operator');
  t.viewer = await token(rota, 'eyes', 'viewer');
  t.tenantA = await token(rota, 'store-a', 'operator', 'a');
  await rota.enqueueMany('mail', [
    { payload: { to: 'x@a', n: 1 }, tenant: 'a' },
    { payload: { to: 'y@a', n: 2 }, tenant: 'a' },
    { payload: { to: 'z@b', n: 3 }, tenant: 'b' },
  ]);
});

describe('jobs over REST', () => {
  it('lists, filters and pages with cursors', async () => {
    const p1 = await server.call<{ items: Array<{ id: string; tenant: string }>; nextCursor: string }>(
      'GET',
      '/api/jobs?queue=mail&limit=2',
      {
        token: t.viewer,
      },
    );
    expect(p1.status).toBe(200);
    expect(p1.body.items).toHaveLength(2);
    const p2 = await server.call<{ items: unknown[]; nextCursor: string | null }>(
      'GET',
      `/api/jobs?queue=mail&limit=2&cursor=${p1.body.nextCursor}`,
      {
        token: t.viewer,
      },
    );
    expect(p2.body.items).toHaveLength(1);
    const search = await server.call<{ items: Array<{ tenant: string }> }>(
      'GET',
      `/api/jobs?payload=${encodeURIComponent('{"to":"z@b"}')}&state=available,scheduled`,
      { token: t.viewer },
    );
    expect(search.body.items.map((j) => j.tenant)).toEqual(['b']);
  });

  it('a tenant-scoped token sees only its tenant: lists leave others out, their jobs are 404', async () => {
    const mine = await server.call<{ items: Array<{ id: string; tenant: string }> }>('GET', '/api/jobs?limit=50', { token: t.tenantA });
    expect(mine.body.items.map((j) => j.tenant)).toEqual(['a', 'a']);
    const other = await server.call<{ items: unknown[] }>('GET', '/api/jobs?tenant=b', { token: t.tenantA });
    expect(other.body.items).toEqual([]);
    const all = await server.call<{ items: Array<{ id: string; tenant: string }> }>('GET', '/api/jobs', { token: t.admin });
    const bJob = all.body.items.find((j) => j.tenant === 'b')?.id as string;
    expect((await server.call('GET', `/api/jobs/${bJob}`, { token: t.tenantA })).status).toBe(404);
    expect((await server.call('POST', `/api/jobs/${bJob}/cancel`, { token: t.tenantA })).status).toBe(404);
    expect((await server.call('DELETE', `/api/jobs/${bJob}`, { token: t.tenantA })).status).toBe(404);
    const bulk = await server.call<{ count: number }>('POST', '/api/jobs/bulk/cancel', {
      token: t.tenantA,
      body: { filter: { tenant: 'b' } },
    });
    expect(bulk.body.count).toBe(0);
    expect((await server.call('GET', `/api/jobs/${bJob}`, { token: t.admin })).body).toMatchObject({ state: 'available' });
    const forOther = await server.call('POST', '/api/jobs', { token: t.tenantA, body: { queue: 'mail', payload: {}, tenant: 'b' } });
    expect(forOther.status).toBe(403);
    expect(forOther.body).toMatchObject({ field: 'tenant' });
    const own = await server.call<{ id: string }>('POST', '/api/jobs', { token: t.tenantA, body: { queue: 'mail', payload: { n: 4 } } });
    expect(own.status).toBe(201);
    expect((await server.call('GET', `/api/jobs/${own.body.id}`, { token: t.admin })).body).toMatchObject({ tenant: 'a' });
    // Routes that are not tenant-aware refuse a tenant token.
    expect((await server.call('GET', '/api/tokens', { token: t.tenantA })).status).toBe(403);
  });

  it('roles: a viewer reads but cannot write; an operator writes', async () => {
    expect((await server.call('POST', '/api/jobs', { token: t.viewer, body: { queue: 'mail', payload: 1 } })).status).toBe(403);
    const r = await server.call<{ id: string }>('POST', '/api/jobs', {
      token: t.operator,
      body: { queue: 'mail', payload: { n: 5 }, tenant: 'c' },
    });
    expect(r.status).toBe(201);
    const cancel = await server.call('POST', `/api/jobs/${r.body.id}/cancel`, { token: t.operator });
    expect(cancel.body).toMatchObject({ state: 'cancelled' });
    const again = await server.call('POST', `/api/jobs/${r.body.id}/cancel`, { token: t.operator });
    expect(again.status).toBe(409);
    const retry = await server.call('POST', `/api/jobs/${r.body.id}/retry`, { token: t.operator });
    expect(retry.body).toMatchObject({ state: 'available' });
    await expectCountersExact(db.sql);
    const dry = await server.call('POST', '/api/jobs/bulk/delete', { token: t.operator, body: { filter: { tenant: 'c' }, dryRun: true } });
    expect(dry.body).toEqual({ count: 1, dryRun: true });
    const del = await server.call('POST', '/api/jobs/bulk/delete', { token: t.operator, body: { filter: { tenant: 'c' } } });
    expect(del.body).toEqual({ count: 1, dryRun: false });
    await expectCountersExact(db.sql);
  });

  it('every write is audited with the token name', async () => {
    const audit = await server.call<{ items: Array<{ actor: string; action: string; count: number | null }> }>('GET', '/api/audit', {
      token: t.admin,
    });
    expect(audit.status).toBe(200);
    const actions = audit.body.items.map((a) => `${a.actor}:${a.action}`);
    expect(actions).toEqual(
      expect.arrayContaining(['ops:job.enqueue', 'ops:job.cancel', 'ops:job.retry', 'ops:job.bulk_delete', 'store-a:job.enqueue']),
    );
    expect(actions).not.toContain('ops:job.bulk_delete_dry');
    expect((await server.call('GET', '/api/audit', { token: t.operator })).status).toBe(403);
  });

  it('bad input is a 4xx naming the field, and writes nothing', async () => {
    const before = await jobRows();
    const cases: Array<[string, string, unknown, number, string]> = [
      ['POST', '/api/jobs', '{"queue": "mail", "payload": ', 400, 'body'],
      ['POST', '/api/jobs', { queue: 7, payload: {} }, 400, 'queue'],
      ['POST', '/api/jobs', { queue: 'mail', payload: {}, colour: 'red' }, 400, 'colour'],
      ['POST', '/api/jobs', { queue: 'mail', payload: {}, priority: 'asap' }, 400, 'priority'],
      ['POST', '/api/jobs', { queue: 'mail', payload: 'x'.repeat(70 * 1024) }, 413, 'body'],
      ['POST', '/api/jobs', { queue: 'mail', payload: {}, delayMs: -1 }, 400, 'delayMs'],
      ['POST', '/api/jobs/batch', { queue: 'mail', items: [{ payload: 1 }, { payload: 2, tenant: '' }] }, 400, 'items.1.tenant'],
      ['POST', '/api/jobs/bulk/delete', { filter: { state: 'gone' } }, 400, 'filter.state'],
      ['POST', '/api/jobs/bulk/delete', { filter: {}, dryRun: 'yes' }, 400, 'dryRun'],
      ['POST', '/api/jobs/bulk/delete', { filter: { queue: "mail'; DROP TABLE rota.jobs; --" }, dryRun: false }, 200, ''],
      ['GET', '/api/jobs?limit=0', undefined, 400, 'limit'],
      ['GET', '/api/jobs?limit=abc', undefined, 400, 'limit'],
      ['GET', '/api/jobs?cursor=notacursor', undefined, 400, 'cursor'],
      ['GET', '/api/jobs?payload=%7Bnope', undefined, 400, 'payload'],
      ['GET', '/api/jobs?payload=%5B1%5D', undefined, 400, 'payload'],
      ['GET', '/api/jobs?from=yesterday', undefined, 400, 'from'],
      ['GET', '/api/jobs?sort=id', undefined, 400, 'sort'],
      ['GET', '/api/jobs/abc', undefined, 400, 'id'],
      ['GET', '/api/jobs/99999999', undefined, 404, ''],
    ];
    for (const [method, path, body, status, field] of cases) {
      const r = await server.call(method, path, { token: t.operator, body });
      expect({ path, body: typeof body === 'string' ? body : JSON.stringify(body)?.slice(0, 80), status: r.status }).toEqual({
        path,
        body: typeof body === 'string' ? body : JSON.stringify(body)?.slice(0, 80),
        status,
      });
      if (field) expect(r.body).toMatchObject({ field });
      if (status >= 400) expect(typeof (r.body as { message: string }).message).toBe('string');
    }
    expect(await jobRows()).toBe(before);
    const text = await server.call('POST', '/api/jobs', {
      token: t.operator,
      body: 'queue=mail',
      headers: { 'content-type': 'text/plain' },
    });
    expect(text.status).toBe(415);
  });
});
