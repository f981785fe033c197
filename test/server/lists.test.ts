import { beforeAll, describe, expect, it } from 'vitest';
import type { Rota } from '../../src/index.js';
import { makeRota, migratedDatabase } from '../support/rota.js';
import { type Reply, startServer, type TestServer, token } from './helpers.js';

let rota: Rota;
let server: TestServer;
let admin: string;

beforeAll(async () => {
  const db = await migratedDatabase();
  rota = makeRota(db.url, { pollIntervalMs: 50 });
  server = await startServer(rota);
  for (let i = 0; i < 7; i++) {
    await rota.queue(`pq-${i}`).configure({ concurrency: i + 1 }, { create: true });
    await rota.schedule(`ps-${i}`, '0 3 * * *', `pq-${i}`, { i });
    await rota.breakers.configure(i % 2 ? { queue: `pq-${i}` } : { dependency: `dep-${i}` }, { failureRatio: 0.5 });
    await rota.tokens.create({ name: `pt-${i}`, role: 'viewer' });
  }
  await rota.tokens.revoke('pt-3');
  // Worker process rows as live processes write them with their heartbeat.
  await rota.pool.query(
    `INSERT INTO "${rota.schema}".workers (id, hostname, pid, queues, started_at, heartbeat_at)
     SELECT 'pw-' || i, 'host', 1000 + i, ARRAY['pq-0'], now(), now() FROM generate_series(0, 6) i`,
  );
  admin = await token(rota, 'root', 'admin');
});

type Item = Record<string, unknown>;

/** Every page of `path` at `limit` per page, following nextCursor to the end. */
async function walk(path: string, limit: number): Promise<Item[][]> {
  const pages: Item[][] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 100; i++) {
    const sep = path.includes('?') ? '&' : '?';
    const r: Reply<{ items: Item[]; nextCursor: string | null }> = await server.call(
      'GET',
      `${path}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      { token: admin },
    );
    expect(r.status).toBe(200);
    pages.push(r.body.items);
    cursor = r.body.nextCursor;
    if (!cursor) return pages;
  }
  throw new Error(`${path}: more than 100 pages`);
}

const lists: Array<[string, (i: Item) => string, string[]]> = [
  ['/api/queues', (i) => String(i.queue), Array.from({ length: 7 }, (_, i) => `pq-${i}`)],
  ['/api/schedules', (i) => String(i.name), Array.from({ length: 7 }, (_, i) => `ps-${i}`)],
  ['/api/workers', (i) => String(i.id), Array.from({ length: 7 }, (_, i) => `pw-${i}`)],
  [
    '/api/breakers',
    (i) => `${String(i.kind)}:${String(i.name)}`,
    Array.from({ length: 7 }, (_, i) => (i % 2 ? `queue:pq-${i}` : `dependency:dep-${i}`)),
  ],
  ['/api/tokens?all=true', (i) => String(i.name), [...Array.from({ length: 7 }, (_, i) => `pt-${i}`), 'root']],
];

describe('keyset pagination of every list', () => {
  for (const [path, key, expected] of lists) {
    it(`${path}: pages of 3 hold every row once, in key order, and match one page of all`, async () => {
      const pages = await walk(path, 3);
      expect(pages.length).toBeGreaterThan(2);
      for (const p of pages.slice(0, -1)) expect(p).toHaveLength(3);
      const keys = pages.flat().map(key);
      expect(new Set(keys).size).toBe(keys.length);
      const whole = (await walk(path, 500)).flat().map(key);
      expect(whole.length).toBe(keys.length);
      expect(new Set(keys)).toEqual(new Set(whole));
      for (const k of expected) expect(keys).toContain(k);
      const ours = keys.filter((k) => expected.includes(k));
      const order = path.startsWith('/api/tokens') ? expected : [...expected].sort();
      expect(ours).toEqual(order);
    });

    it(`${path}: a bad cursor or limit is a 400 naming the field`, async () => {
      const sep = path.includes('?') ? '&' : '?';
      for (const cursor of ['not a cursor!', Buffer.from('{"x":1}').toString('base64url'), Buffer.from('[1,2,3]').toString('base64url')]) {
        const r = await server.call('GET', `${path}${sep}cursor=${encodeURIComponent(cursor)}`, { token: admin });
        expect(r.status).toBe(400);
        expect(r.body).toMatchObject({ field: 'cursor' });
      }
      for (const limit of ['0', '501', 'x']) {
        const r = await server.call('GET', `${path}${sep}limit=${limit}`, { token: admin });
        expect(r.status).toBe(400);
        expect(r.body).toMatchObject({ field: 'limit' });
      }
    });
  }

  it('revoked tokens are left out unless all=true; schedules carry their status', async () => {
    const live = (await walk('/api/tokens', 2)).flat().map((t) => t.name);
    expect(live).not.toContain('pt-3');
    expect(live).toContain('pt-4');
    const schedules = (await walk('/api/schedules', 2)).flat();
    expect(schedules.length).toBeGreaterThanOrEqual(7);
    for (const s of schedules) expect(s.status).toMatchObject({ name: s.name, missedTotal: 0, nextRunAt: expect.any(String) });
  });

  it('a tenant-scoped caller pages the queues too', async () => {
    const shop = await token(rota, 'shop', 'viewer', 'shop-1');
    const r = await server.call<{ items: Item[]; nextCursor: string | null }>('GET', '/api/queues?limit=2', { token: shop });
    expect(r.status).toBe(200);
    expect(r.body.items).toHaveLength(2);
    expect(r.body.nextCursor).not.toBeNull();
  });
});
