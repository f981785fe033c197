import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ValidationError } from '../errors.js';

/** sql/ at the package root, from src/db or dist/db alike. */
const SQL_DIR = fileURLToPath(new URL('../../sql/', import.meta.url));

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,47}$/;

/**
 * The schema name is operator configuration, not user input, but it is the one name
 * that appears in SQL text, so it is held to a strict identifier pattern and quoted.
 */
export function validateSchema(schema: string): string {
  if (!SCHEMA_NAME.test(schema)) {
    throw new ValidationError('schema', `must match ${SCHEMA_NAME} (got ${JSON.stringify(schema)})`);
  }
  return schema;
}

export function withSchema(text: string, schema: string): string {
  return text.replaceAll('{{schema}}', `"${validateSchema(schema)}"`);
}

/** One hot query from sql/queries/NAME.sql, its header comment stripped. */
export function loadQuery(name: string, schema: string): string {
  const text = readFileSync(`${SQL_DIR}queries/${name}.sql`, 'utf8');
  return withSchema(text, schema);
}

export interface MigrationFile {
  version: number;
  name: string;
  up: string;
  down: string | null;
}

/** Numbered, append-only migrations in sql/migrations (NNNN_name.sql, optional NNNN_name.down.sql). */
export function loadMigrations(): MigrationFile[] {
  const dir = `${SQL_DIR}migrations/`;
  const files = readdirSync(dir).sort();
  const ups = files.filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f) && !f.endsWith('.down.sql'));
  return ups.map((f) => {
    const version = Number(f.slice(0, 4));
    const downName = f.replace(/\.sql$/, '.down.sql');
    return {
      version,
      name: f.replace(/^\d{4}_|\.sql$/g, ''),
      up: readFileSync(dir + f, 'utf8'),
      down: files.includes(downName) ? readFileSync(dir + downName, 'utf8') : null,
    };
  });
}

export interface FunctionFile {
  file: string;
  text: string;
}

/** sql/functions/*.sql in name order (src/db/functions.ts applies them). */
export function loadFunctionFiles(): FunctionFile[] {
  const dir = `${SQL_DIR}functions/`;
  return readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((file) => ({ file, text: readFileSync(dir + file, 'utf8') }));
}
