import { DatabaseUnavailableError, ValidationError } from '../errors.js';

/**
 * Turns an error from a command into the one line the CLI prints: the common first-run
 * problems (no tables yet, a malformed DATABASE_URL, no server) get a sentence saying
 * what to do instead of the driver's message.
 */
export function explain(err: unknown, schema: string): string {
  if (err instanceof ValidationError) return err.message;
  const code = (err as { code?: unknown } | null)?.code;
  // undefined_table, invalid_schema_name: the schema was never migrated (or migrated down).
  if (code === '42P01' || code === '3F000')
    return `rota's tables are not in schema "${schema}" of this database yet: run \`rota migrate\` first`;
  if (err instanceof DatabaseUnavailableError || code === 'ECONNREFUSED' || code === 'ENOTFOUND')
    return `cannot reach the database at DATABASE_URL (${err instanceof Error ? err.message : String(err)})`;
  return err instanceof Error ? err.message : String(err);
}
