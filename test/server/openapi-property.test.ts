import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Rota } from '../../src/index.js';
import type { TestDb } from '../support/db.js';
import { makeRota, migratedDatabase } from '../support/rota.js';
import { startServer, type TestServer, token } from './helpers.js';

/**
 * Generates requests for every route of the OpenAPI document (valid-looking ones and
 * broken ones: wrong types, unknown fields, malformed JSON, odd path segments) and
 * checks that none answers 5xx and that no 4xx changed anything in the database.
 */

type Schema = {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: Schema[];
  oneOf?: Schema[];
  minimum?: number;
  maximum?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  additionalProperties?: Schema | boolean;
};
type Operation = {
  parameters?: Array<{ in: 'query' | 'path'; name: string; required?: boolean; schema: Schema }>;
  requestBody?: { content: { 'application/json': { schema: Schema } } };
};
type Doc = { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, Schema> } };

let db: TestDb;
let rota: Rota;
let server: TestServer;
let doc: Doc;
let admin: string;
let viewer: string;

const NAMES = ['q1', 'default', 't1', 'nightly', 'queue:q1', 'dependency:pay', '1', '2', 'prop-viewer'];

function arb(s: Schema | undefined, depth = 0): fc.Arbitrary<unknown> {
  if (!s) return fc.jsonValue({ maxDepth: 2 });
  if (s.$ref) return arb(doc.components.schemas[s.$ref.split('/').at(-1) as string] as Schema, depth);
  const alts = s.anyOf ?? s.oneOf;
  if (alts) return fc.oneof(...alts.map((a) => arb(a, depth)));
  if (s.const !== undefined) return fc.constant(s.const);
  if (s.enum) return fc.constantFrom(...s.enum);
  const type = Array.isArray(s.type) ? s.type.filter((t) => t !== 'null')[0] : s.type;
  switch (type) {
    case 'string':
      if (s.pattern?.includes('1-9'))
        return fc.oneof(
          { weight: 4, arbitrary: fc.integer({ min: 1, max: 50 }).map(String) },
          { weight: 1, arbitrary: fc.string({ maxLength: 5 }) },
        );
      if (s.format === 'date-time')
        return fc.oneof(
          {
            weight: 4,
            arbitrary: fc.date({ min: new Date(2020, 0, 1), max: new Date(2035, 0, 1), noInvalidDate: true }).map((d) => d.toISOString()),
          },
          fc.string({ maxLength: 8 }),
        );
      return fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...NAMES) }, fc.string({ maxLength: Math.min(s.maxLength ?? 20, 20) }));
    case 'integer':
      return fc.oneof(
        { weight: 4, arbitrary: fc.integer({ min: Math.max(s.minimum ?? -5, -1e9), max: Math.min(s.maximum ?? 1000, 1e6) }) },
        fc.integer(),
      );
    case 'number':
      return fc.oneof(fc.double({ noNaN: true, min: -10, max: 10 }), fc.integer());
    case 'boolean':
      return fc.boolean();
    case 'array':
      return depth > 3 ? fc.constant([]) : fc.array(arb(s.items ?? {}, depth + 1), { maxLength: 3 });
    case 'object': {
      if (depth > 3) return fc.constant({});
      const props = s.properties ?? {};
      const required = s.required ?? [];
      // Optional keys are present a quarter of the time, so a valid object is common.
      return fc
        .record(
          Object.fromEntries(
            Object.entries(props).map(([k, v]) => [
              k,
              required.includes(k) ? arb(v, depth + 1) : fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, arb(v, depth + 1)),
            ]),
          ),
        )
        .map((o) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)));
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** Sometimes the right shape, sometimes a wrong one. */
const maybeBroken = (a: fc.Arbitrary<unknown>) =>
  fc.oneof(
    { weight: 4, arbitrary: a },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
    {
      weight: 1,
      arbitrary: a.map((v) => (v && typeof v === 'object' && !Array.isArray(v) ? { ...v, unexpectedField: 1 } : v)),
    },
  );

interface Req {
  method: string;
  path: string;
  body?: unknown;
  token: string;
}

function requestArb(path: string, method: string, op: Operation): fc.Arbitrary<Req> {
  const params = op.parameters ?? [];
  const pathArbs = Object.fromEntries(
    params
      .filter((p) => p.in === 'path')
      .map((p) => [p.name, fc.oneof({ weight: 5, arbitrary: arb(p.schema) }, fc.string({ maxLength: 8 }))]),
  );
  // Optional query parameters are mostly left out, so requests often pass validation.
  const queryArbs = Object.fromEntries(
    params
      .filter((p) => p.in === 'query')
      .map((p) => [
        p.name,
        fc.oneof({ weight: 6, arbitrary: fc.constant(undefined) }, { weight: 3, arbitrary: arb(p.schema) }, fc.jsonValue({ maxDepth: 1 })),
      ]),
  );
  const bodySchema = op.requestBody?.content['application/json'].schema;
  const body: fc.Arbitrary<unknown> = bodySchema
    ? fc.oneof(
        { weight: 6, arbitrary: maybeBroken(arb(bodySchema)) },
        { weight: 1, arbitrary: fc.constantFrom('{"queue": ', '[', 'null', '"x"') },
      )
    : fc.constant(undefined);
  return fc
    .record({
      pathValues: fc.record(pathArbs),
      query: fc.record(queryArbs, { requiredKeys: [] }),
      body,
      token: fc.constantFrom(admin, admin, admin, viewer),
    })
    .map(({ pathValues, query, body, token }) => {
      let url = path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(String(pathValues[name] ?? 'x') || 'x'));
      const qs = Object.entries(query)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => `${k}=${encodeURIComponent(typeof v === 'string' ? v : JSON.stringify(v))}`);
      if (qs.length) url += `?${qs.join('&')}`;
      return { method: method.toUpperCase(), path: url, body, token };
    });
}

async function fingerprint(): Promise<string> {
  const r = await db.sql.query<{ fp: string }>(`SELECT md5(concat_ws('|',
      (SELECT string_agg(concat_ws(':', id, state, attempt, run_at, cancel_requested_at), ',' ORDER BY id) FROM rota.jobs),
      (SELECT string_agg(concat_ws(':', id, state), ',' ORDER BY id) FROM rota.jobs_done),
      (SELECT string_agg(concat_ws(':', queue, concurrency, tenant_concurrency, rate_limit, tenant_rate_limit, aging_ms, held_until), ',' ORDER BY queue) FROM rota.queue_state),
      (SELECT string_agg(concat_ws(':', queue, tenant, weight, concurrency, rate_limit), ',' ORDER BY queue, tenant) FROM rota.tenant_state),
      (SELECT count(*) FROM rota.lane_changes),
      (SELECT string_agg(concat_ws(':', name, cron, queue, payload, tenant, enabled, updated_at), ',' ORDER BY name) FROM rota.schedules),
      (SELECT count(*) FROM rota.schedule_ticks),
      (SELECT string_agg(concat_ws(':', id, name, revoked_at), ',' ORDER BY id) FROM rota.api_tokens),
      (SELECT count(*) FROM rota.audit_log),
      (SELECT string_agg(concat_ws(':', kind, name, state, forced, min_calls, failure_ratio), ',' ORDER BY kind, name) FROM rota.breakers),
      (SELECT count(*) FROM rota.breaker_history),
      (SELECT concat_ws(':', paused, changed_at) FROM rota.scheduler_control))) AS fp`);
  return r.rows[0]?.fp as string;
}

beforeAll(async () => {
  db = await migratedDatabase();
  rota = makeRota(db.url);
  server = await startServer(rota, { bodyLimit: 32 * 1024 });
  admin = await token(rota, 'prop-admin', 'admin');
  viewer = await token(rota, 'prop-viewer', 'viewer');
  await rota.enqueueMany(
    'q1',
    Array.from({ length: 20 }, (_, i) => ({ payload: { n: i }, tenant: i % 2 ? 't1' : 'default' })),
  );
  await rota.schedule('nightly', '0 3 * * *', 'q1', { kind: 'nightly' });
  await rota.breakers.open({ dependency: 'pay' }, { reason: 'seed' });
  doc = (await server.call<Doc>('GET', '/openapi.json')).body;
});

describe('every route of the OpenAPI document, generated requests', () => {
  it('the document lists every route with its responses', () => {
    const ops = Object.values(doc.paths).flatMap((m) => Object.values(m));
    expect(ops.length).toBeGreaterThan(35);
    for (const op of ops) expect(Object.keys((op as { responses: object }).responses).some((code) => /^2\d\d$/.test(code))).toBe(true);
  });

  it('no request answers 5xx, and no 4xx writes anything', async () => {
    const routes = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => requestArb(path, method, op)),
    );
    const seen = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(fc.oneof(...routes), async (req) => {
        const before = await fingerprint();
        const res = await server.call(req.method, req.path, { token: req.token, body: req.body });
        const key = `${req.method} ${req.path.split('?')[0]} ${res.status}`;
        seen.set(key, (seen.get(key) ?? 0) + 1);
        expect(res.status, `${req.method} ${req.path} ${JSON.stringify(req.body)?.slice(0, 200)} → ${res.text.slice(0, 300)}`).toBeLessThan(
          500,
        );
        if (res.status >= 400) {
          expect(await fingerprint(), `${req.method} ${req.path} answered ${res.status} but wrote`).toBe(before);
          expect(res.body).toMatchObject({ error: expect.any(String), message: expect.any(String) });
        }
      }),
      { numRuns: 600 },
    );
    if (process.env.PROP_DEBUG) console.log([...seen.entries()].sort().join('\n'));
    // Both outcomes happened: the generator reaches handlers, not only validation.
    const statuses = [...seen.keys()].map((k) => Number(k.split(' ').at(-1)));
    expect(statuses.some((s) => s < 300)).toBe(true);
    expect(statuses.some((s) => s >= 400)).toBe(true);
  });
});
