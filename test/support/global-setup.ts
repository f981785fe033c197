import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { type EmbeddedServer, startEmbeddedPostgres } from '../../src/db/embedded.js';

/**
 * One PostgreSQL server for the whole run: the embedded one unless DATABASE_URL is
 * set. Each test file gets its own database (see db.ts), so files run in parallel.
 * The server is stopped in teardown whatever the tests did.
 */
let server: EmbeddedServer | null = null;

export async function setup(project: TestProject): Promise<void> {
  let adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    server = await startEmbeddedPostgres({ settings: { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' } });
    adminUrl = server.url;
  }
  project.provide('adminUrl', adminUrl);
  // Make sure the server answers before any file starts.
  const c = new pg.Client(adminUrl);
  await c.connect();
  await c.end();
}

export async function teardown(): Promise<void> {
  await server?.destroy();
}

declare module 'vitest' {
  export interface ProvidedContext {
    adminUrl: string;
  }
}
