import { beforeAll, describe, expect, it } from 'vitest';
import type { Rota } from '../../src/index.js';
import { makeRota, migratedDatabase } from '../support/rota.js';
import { startServer, type TestServer, token } from './helpers.js';

type Doc = { paths: Record<string, Record<string, { 'x-access'?: string; 'x-tenant-aware'?: boolean }>> };

let rota: Rota;
let server: TestServer;
let doc: Doc;
const t: Record<string, string> = {};

beforeAll(async () => {
  const db = await migratedDatabase();
  rota = makeRota(db.url);
  server = await startServer(rota);
  for (const role of ['admin', 'operator', 'viewer'] as const) t[role] = await token(rota, `the-${role}`, role);
  t.tenant = await token(rota, 'shop', 'operator', 'shop-1');
  doc = (await server.call<Doc>('GET', '/openapi.json')).body;
});

/** Each route of the document with a concrete path (parameters filled with harmless values). */
function routes(): Array<{ method: string; path: string; access: string; tenantAware: boolean }> {
  return Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({
      method: method.toUpperCase(),
      path: path
        .replace('{id}', '999999')
        .replace('{name}', 'queue:none')
        .replace(/\{\w+\}/g, 'none'),
      access: op['x-access'] as string,
      tenantAware: op['x-tenant-aware'] === true,
    })),
  );
}

const RANK: Record<string, number> = { viewer: 0, operator: 1, admin: 2 };

describe('each role on every route of the document', () => {
  it('declares access on every route', () => {
    for (const r of routes()) expect(['public', 'viewer', 'operator', 'admin'], `${r.method} ${r.path}`).toContain(r.access);
  });

  it('no token: 401; a role below the route: 403; a tenant token on a route that cannot be scoped: 403', async () => {
    for (const r of routes()) {
      if (r.access === 'public') continue;
      const anon = await server.call(r.method, r.path);
      expect(anon.status, `${r.method} ${r.path} without a token`).toBe(401);
      for (const role of ['viewer', 'operator', 'admin']) {
        const res = await server.call(r.method, r.path, {
          token: t[role],
          body: r.method === 'GET' || r.method === 'DELETE' ? undefined : {},
        });
        const allowed = (RANK[role] as number) >= (RANK[r.access] as number);
        if (allowed) expect([401, 403], `${role} → ${r.method} ${r.path}: ${res.text}`).not.toContain(res.status);
        else expect(res.status, `${role} → ${r.method} ${r.path}`).toBe(403);
      }
      const scoped = await server.call(r.method, r.path, {
        token: t.tenant,
        body: r.method === 'GET' || r.method === 'DELETE' ? undefined : {},
      });
      if (!r.tenantAware || r.access === 'admin') expect(scoped.status, `tenant token → ${r.method} ${r.path}`).toBe(403);
      else expect([401, 403], `tenant token → ${r.method} ${r.path}: ${scoped.text}`).not.toContain(scoped.status);
    }
  });
});
