import type pg from 'pg';
import { withSchema } from '../db/sql.js';
import type { Rota } from '../rota.js';
import { groupIdBase } from './hash.js';

export interface GroupMigration {
  group: number;
  schema: string;
  server: string;
  /** Migration versions applied now (empty: the group was current). */
  applied: number[];
  version: number;
  error?: string;
}

/** Runs `task` over `items` with at most `limit` at once; every item is tried, failures are reported, not thrown. */
export async function boundedAll<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await task(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return out;
}

/**
 * Makes group g's job ids start at (g + 1) · 2^48, so an id names its group. Idempotent:
 * the jobs identity sequence only ever moves forward, and only while it is below the base.
 * jobs_done keeps the ids of jobs (it is filled from jobs), so one sequence covers both.
 */
export async function setIdBase(pool: pg.Pool, schema: string, group: number): Promise<void> {
  const base = groupIdBase(group).toString();
  // pg_sequence_last_value is null until the sequence is first used after a setval(…, false).
  await pool.query(
    withSchema(
      `SELECT setval(s.seq, $1::bigint, false)
         FROM (SELECT pg_get_serial_sequence('{{schema}}.jobs', 'id')::regclass AS seq) s
        WHERE coalesce(pg_sequence_last_value(s.seq), 0) < $1::bigint`,
      schema,
    ),
    [base],
  );
}

/** Migrates one group: rota's migrations and functions (idempotent, under their advisory lock), then its id base. */
export async function migrateGroup(rota: Rota, pool: pg.Pool, group: number): Promise<Omit<GroupMigration, 'server'>> {
  const r = await rota.migrate();
  await setIdBase(pool, rota.schema, group);
  return { group, schema: rota.schema, applied: r.applied, version: r.version };
}

/** The cluster's own schema on the coordinator: queue-wide limits (src/cluster/limits.ts) and placement (placement.ts). */
export async function migrateClusterSchema(pool: pg.Pool, schema: string): Promise<void> {
  await pool.query(
    withSchema(
      `CREATE SCHEMA IF NOT EXISTS {{schema}};
       CREATE TABLE IF NOT EXISTS {{schema}}.queue_limits (
         queue          text PRIMARY KEY,
         concurrency    integer CHECK (concurrency >= 0),
         rate_limit     integer CHECK (rate_limit > 0),
         rate_period_ms integer CHECK (rate_period_ms > 0),
         rate_burst     integer CHECK (rate_burst > 0),
         updated_at     timestamptz NOT NULL DEFAULT now());
       CREATE TABLE IF NOT EXISTS {{schema}}.placement (
         grp      integer PRIMARY KEY CHECK (grp >= 0),
         server   text NOT NULL,
         moved_at timestamptz)`,
      schema,
    ),
  );
}

/** Every group's migration, `concurrency` at once; every group is tried, failures are returned with their error. */
export async function migrateGroups(o: {
  groups: number;
  concurrency: number;
  serverOf: (g: number) => string;
  schemaOf: (g: number) => string;
  migrate: (g: number) => Promise<Omit<GroupMigration, 'server'>>;
}): Promise<GroupMigration[]> {
  const groups = Array.from({ length: o.groups }, (_, g) => g);
  const out = await boundedAll(groups, o.concurrency, async (g): Promise<GroupMigration> => {
    const server = o.serverOf(g);
    try {
      return { ...(await o.migrate(g)), server };
    } catch (err) {
      return { group: g, schema: o.schemaOf(g), server, applied: [], version: 0, error: String(err) };
    }
  });
  return out;
}
