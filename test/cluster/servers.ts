import { afterAll } from 'vitest';
import { type EmbeddedServer, startEmbeddedPostgres } from '../../src/db/embedded.js';

/** The servers this file started; destroyed after it. */
const started: EmbeddedServer[] = [];

// Registered when the test file imports this module (top level), like test/support/spawn.ts:
// an afterAll registered from inside startServers (itself called in a beforeAll) never ran,
// and each cluster test file left its three servers running and their folders behind.
afterAll(async () => {
  await Promise.all(started.splice(0).map((s) => s.destroy()));
});

/** `n` throw-away PostgreSQL servers for this file (started in parallel, destroyed after it). */
export async function startServers(n: number): Promise<EmbeddedServer[]> {
  const settings = { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off', max_connections: 100 };
  const servers = await Promise.all(Array.from({ length: n }, () => startEmbeddedPostgres({ settings })));
  started.push(...servers);
  return servers;
}
