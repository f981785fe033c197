import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { Logger } from '../logger.js';
import { loadFunctionFiles, withSchema } from './sql.js';

/**
 * The PL/pgSQL and SQL functions (the claim, the trigger functions, the breakers) live
 * in sql/functions/*.sql, not in migrations: changing the claim is a diff of one file.
 * migrate() re-applies a file when its text differs from what was last applied here
 * (sha256 of the schema-substituted text), after the migrations and inside their
 * transaction and advisory lock, so concurrent callers apply each change once.
 * Each file is CREATE OR REPLACE, so re-applying one is harmless.
 *
 * `force` re-applies every file: after migrations ran, a migration may have created an
 * older copy of a function (the first migrations defined them inline).
 */
export async function applyFunctions(client: pg.ClientBase, schema: string, force: boolean, log?: Logger): Promise<string[]> {
  await client.query(
    withSchema(
      `CREATE TABLE IF NOT EXISTS {{schema}}.functions (
         file text PRIMARY KEY, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
      schema,
    ),
  );
  const stored = await client.query<{ file: string; checksum: string }>(
    withSchema('SELECT file, checksum FROM {{schema}}.functions', schema),
  );
  const have = new Map(stored.rows.map((r) => [r.file, r.checksum]));
  const applied: string[] = [];
  for (const f of loadFunctionFiles()) {
    const text = withSchema(f.text, schema);
    const checksum = createHash('sha256').update(text).digest('hex');
    if (!force && have.get(f.file) === checksum) continue;
    await client.query(text);
    await client.query(
      withSchema(
        `INSERT INTO {{schema}}.functions (file, checksum) VALUES ($1, $2)
         ON CONFLICT (file) DO UPDATE SET checksum = EXCLUDED.checksum, applied_at = now()`,
        schema,
      ),
      [f.file, checksum],
    );
    applied.push(f.file);
  }
  if (applied.length > 0) log?.info({ files: applied }, 'database functions applied');
  return applied;
}

/** After down migrations dropped functions: forget what was applied, so migrate() applies everything again. */
export async function forgetFunctions(client: pg.ClientBase, schema: string): Promise<void> {
  await client.query(withSchema('DROP TABLE IF EXISTS {{schema}}.functions', schema));
}
