/**
 * An enqueue through rota's own pool sends its insert as a named (prepared) statement,
 * parsed and planned once per connection instead of on every call (src/client/enqueue.ts;
 * parse and plan were ~40 % of a one-job enqueue's backend CPU and ~0.25 ms of the
 * enqueue-to-start path). A caller's own client (`opts.client`) gets the plain text: no
 * statement of rota's is left prepared on a connection rota does not own.
 */
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { Rota } from '../../src/index.js';
import { migratedDatabase, recordingLogger } from './helpers.js';

const db = await migratedDatabase();
const pools: pg.Pool[] = [];
afterAll(async () => {
  await Promise.all(pools.map((p) => p.end()));
});

/** A pool of one connection: every statement rota sends through it lands on the same session. */
function onePool(): pg.Pool {
  const pool = new pg.Pool({ connectionString: db.url, max: 1 });
  pools.push(pool);
  return pool;
}

interface Prepared {
  name: string;
  calls: number;
}

async function prepared(q: pg.Pool | pg.Client): Promise<Prepared[]> {
  const r = await q.query<Prepared>(
    `SELECT name, (generic_plans + custom_plans)::int AS calls FROM pg_prepared_statements WHERE name LIKE 'rota_enqueue%' ORDER BY name`,
  );
  return r.rows;
}

async function payloads(schema: string, queue: string): Promise<unknown[]> {
  const r = await db.sql.query<{ payload: unknown }>(`SELECT payload FROM "${schema}".jobs WHERE queue = $1 ORDER BY id`, [queue]);
  return r.rows.map((x) => x.payload);
}

describe('the enqueue statement', () => {
  it("is prepared once on rota's connection and reused by enqueue and enqueueMany", async () => {
    const pool = onePool();
    const rota = new Rota({ pool, logger: recordingLogger() });
    try {
      const a = await rota.enqueue('prep', { n: 1 });
      const b = await rota.enqueue('prep', { n: 2 }, { tenant: 't2', priority: 'high' });
      const many = await rota.enqueueMany('prep', [{ payload: { n: 3 } }, { payload: { n: 4 }, tenant: 't3' }]);
      expect(new Set([a.id, b.id, ...many.map((m) => m.id)]).size).toBe(4);
      expect(await payloads('rota', 'prep')).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }, { n: 4 }]);
      // One statement of that name, executed three times: parsed once, not per call.
      expect(await prepared(pool)).toEqual([{ name: 'rota_enqueue_rota', calls: 3 }]);
      const t2 = await db.sql.query<{ tenant: string; priority: number }>(`SELECT tenant, priority FROM rota.jobs WHERE id = $1`, [b.id]);
      expect(t2.rows[0]).toEqual({ tenant: 't2', priority: 1 });
    } finally {
      await rota.close();
    }
  });

  it('keeps deduplicating through the prepared statement', async () => {
    const pool = onePool();
    const rota = new Rota({ pool, logger: recordingLogger() });
    try {
      const first = await rota.enqueue('prep-dedup', { n: 1 }, { dedupKey: 'k' });
      const again = await rota.enqueue('prep-dedup', { n: 2 }, { dedupKey: 'k' });
      expect(first.deduplicated).toBe(false);
      expect(again).toEqual({ id: first.id, deduplicated: true });
      expect(await payloads('rota', 'prep-dedup')).toEqual([{ n: 1 }]);
      expect((await prepared(pool)).map((p) => p.name)).toEqual(['rota_enqueue_rota']);
    } finally {
      await rota.close();
    }
  });

  it('is prepared per schema: two rotas of different schemas on one connection each insert into their own', async () => {
    const other = new Rota({ connectionString: db.url, schema: 'lat_other', logger: recordingLogger() });
    await other.migrate();
    await other.close();
    const pool = onePool();
    const a = new Rota({ pool, logger: recordingLogger() });
    const b = new Rota({ pool, schema: 'lat_other', logger: recordingLogger() });
    try {
      await a.enqueue('prep-schema', 'a1');
      await b.enqueue('prep-schema', 'b1');
      await a.enqueue('prep-schema', 'a2');
      expect(await payloads('rota', 'prep-schema')).toEqual(['a1', 'a2']);
      expect(await payloads('lat_other', 'prep-schema')).toEqual(['b1']);
      expect(await prepared(pool)).toEqual([
        { name: 'rota_enqueue_lat_other', calls: 1 },
        { name: 'rota_enqueue_rota', calls: 2 },
      ]);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it("leaves nothing prepared on a caller's own client", async () => {
    const rota = new Rota({ connectionString: db.url, logger: recordingLogger() });
    const client = new pg.Client(db.url);
    await client.connect();
    try {
      await client.query('BEGIN');
      await rota.enqueue('prep-client', { n: 1 }, { client });
      await rota.enqueueMany('prep-client', [{ payload: { n: 2 } }, { payload: { n: 3 } }], { client });
      expect(await prepared(client)).toEqual([]);
      await client.query('COMMIT');
      expect(await payloads('rota', 'prep-client')).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    } finally {
      await client.end();
      await rota.close();
    }
  });
});
