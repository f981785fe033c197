import type pg from 'pg';
import type { Logger } from '../logger.js';
import { applyFunctions, forgetFunctions } from './functions.js';
import { loadMigrations, validateSchema, withSchema } from './sql.js';
import { inTransaction } from './transaction.js';

export interface MigrateResult {
  /** Versions applied by this call (empty when the schema was already current). */
  applied: number[];
  /** The schema's version after the call. */
  version: number;
}

/**
 * Applies pending migrations, then the functions in sql/functions whose text changed
 * (src/db/functions.ts), in one transaction under a transaction-scoped advisory lock
 * keyed by the schema name, so any number of processes may call it at once: the first
 * applies, the others wait for it and then find nothing to do.
 */
export async function migrate(pool: pg.Pool, schema: string, log?: Logger): Promise<MigrateResult> {
  validateSchema(schema);
  const migrations = loadMigrations();
  return inTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`rota.migrate:${schema}`]);
    await client.query(withSchema('CREATE SCHEMA IF NOT EXISTS {{schema}}', schema));
    await client.query(
      withSchema(
        `CREATE TABLE IF NOT EXISTS {{schema}}.migrations (
           version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
        schema,
      ),
    );
    const done = await client.query<{ version: number }>(withSchema('SELECT version FROM {{schema}}.migrations', schema));
    const have = new Set(done.rows.map((r) => r.version));
    const applied: number[] = [];
    for (const m of migrations) {
      if (have.has(m.version)) continue;
      await client.query(withSchema(m.up, schema));
      await client.query(withSchema('INSERT INTO {{schema}}.migrations (version, name) VALUES ($1, $2)', schema), [m.version, m.name]);
      applied.push(m.version);
      log?.info({ version: m.version, name: m.name }, 'migration applied');
    }
    await applyFunctions(client, schema, applied.length > 0, log);
    return { applied, version: Math.max(0, ...have, ...applied) };
  });
}

/** Reverts migrations above `target` (newest first) using their .down.sql files. */
export async function migrateDown(pool: pg.Pool, schema: string, target: number): Promise<number[]> {
  validateSchema(schema);
  const byVersion = new Map(loadMigrations().map((m) => [m.version, m]));
  return inTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`rota.migrate:${schema}`]);
    const done = await client.query<{ version: number }>(
      withSchema('SELECT version FROM {{schema}}.migrations WHERE version > $1 ORDER BY version DESC', schema),
      [target],
    );
    const reverted: number[] = [];
    for (const { version } of done.rows) {
      const m = byVersion.get(version);
      if (!m?.down) throw new Error(`migration ${version} has no down migration; cannot go below it`);
      await client.query(withSchema(m.down, schema));
      await client.query(withSchema('DELETE FROM {{schema}}.migrations WHERE version = $1', schema), [version]);
      reverted.push(version);
    }
    if (reverted.length > 0) await forgetFunctions(client, schema);
    return reverted;
  });
}
