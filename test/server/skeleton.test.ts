import { beforeAll, describe, expect, it } from 'vitest';
import type { Rota } from '../../src/index.js';
import { makeRota, migratedDatabase } from '../support/rota.js';
import { startServer, type TestServer, token } from './helpers.js';

let rota: Rota;
let server: TestServer;

beforeAll(async () => {
  const db = await migratedDatabase();
  rota = makeRota(db.url);
  server = await startServer(rota);
});

describe('management server skeleton (real listening server)', () => {
  it('without any token, a loopback caller is the local admin', async () => {
    const r = await server.call('GET', '/api/me');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ name: 'local', role: 'admin', tenant: null });
  });

  it('serves OpenAPI 3.1 and the docs UI without a token', async () => {
    const doc = await server.call<{ openapi: string; paths: Record<string, unknown> }>('GET', '/openapi.json');
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toBe('3.1.0');
    expect(Object.keys(doc.body.paths)).toContain('/api/me');
    const docs = await fetch(`${server.url}/docs/`);
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain('swagger');
  });

  it('once a token exists, every protected route needs one', async () => {
    const secret = await token(rota, 'ops', 'operator');
    const anon = await server.call('GET', '/api/me');
    expect(anon.status).toBe(401);
    expect(anon.body).toMatchObject({ error: 'unauthorized', field: 'authorization' });
    const me = await server.call('GET', '/api/me', { token: secret });
    expect(me.body).toEqual({ name: 'ops', role: 'operator', tenant: null });
    const bad = await server.call('GET', '/api/me', { token: 'rota_not-a-real-token' });
    expect(bad.status).toBe(401);
    const malformed = await server.call('GET', '/api/me', { headers: { authorization: 'Basic abc' } });
    expect(malformed.status).toBe(401);
    expect(malformed.body).toMatchObject({ field: 'authorization' });
    // The docs stay public.
    expect((await server.call('GET', '/openapi.json')).status).toBe(200);
  });

  it('a revoked token stops working at once; a tenant token says its tenant', async () => {
    const secret = await token(rota, 'temp', 'viewer');
    expect((await server.call('GET', '/api/me', { token: secret })).status).toBe(200);
    await rota.tokens.revoke('temp');
    // The server verifies through rota.tokens, whose revoke clears its cache.
    expect((await server.call('GET', '/api/me', { token: secret })).status).toBe(401);
    const t = await token(rota, 'store-42', 'viewer', 'store-42');
    expect((await server.call('GET', '/api/me', { token: t })).body).toEqual({ name: 'store-42', role: 'viewer', tenant: 'store-42' });
  });

  it('unknown paths are JSON 404s', async () => {
    const r = await server.call('GET', '/api/nope', { token: await token(rota, 'v2', 'viewer') });
    expect(r.status).toBe(404);
    expect(r.body).toMatchObject({ error: 'not_found' });
  });
});
