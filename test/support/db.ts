import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, inject } from 'vitest';

export interface TestDb {
  /** URL of a fresh database for this test file. */
  url: string;
  /** A client on it for assertions (closed after the file). */
  sql: pg.Pool;
  adminUrl: string;
  name: string;
}

function withDatabase(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

/**
 * Creates a database for the calling test file and drops it afterwards. Tests call
 * `rota.migrate()` themselves (migrations are part of what is tested).
 */
export async function freshDatabase(): Promise<TestDb> {
  const adminUrl = inject('adminUrl');
  const name = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client(adminUrl);
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = withDatabase(adminUrl, name);
  const sql = new pg.Pool({ connectionString: url, max: 3 });
  // pool.end() resolves before its connections have closed, so the DROP DATABASE below can
  // terminate one that is still ending; that is expected here, not an uncaught error.
  sql.on('connect', (client) => client.on('error', () => {}));
  // An idle client's error is re-emitted by the pool itself (pg-pool), which throws without a listener.
  sql.on('error', () => {});
  afterAll(async () => {
    await sql.end();
    const a = new pg.Client(adminUrl);
    await a.connect();
    await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await a.end();
  });
  return { url, sql, adminUrl, name };
}

/** Polls `check` until it returns a truthy value or `timeoutMs` passes (then throws). */
export async function waitFor<T>(check: () => Promise<T> | T, timeoutMs = 20_000, what = 'condition'): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
