import { afterAll } from 'vitest';
import { type EmbeddedServer, startEmbeddedPostgres } from '../../src/db/embedded.js';

/** `n` throw-away PostgreSQL servers for this file (started in parallel, destroyed after it). */
export async function startServers(n: number): Promise<EmbeddedServer[]> {
  const settings = { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off', max_connections: 100 };
  const servers = await Promise.all(Array.from({ length: n }, () => startEmbeddedPostgres({ settings })));
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.destroy()));
  });
  return servers;
}
