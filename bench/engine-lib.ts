/** Shared by the engine benchmarks: run bench/engine-child.ts in a fresh database. */
import { runChild } from './child.js';
import { type BenchServer, databaseName, dropDatabase, waitForNoClients } from './lib.js';
import type { ChildEnv } from './proc/protocol.js';

const CHILD_TIMEOUT_MS = 5 * 60_000;

/** bench/engine-child.ts with ENGINE_* variables (runChild's env type is the core driver's). */
export function engineChild<R>(env: Record<string, string | number>): Promise<R> {
  const vars = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v)]));
  return runChild({
    node: process.execPath,
    script: 'bench/engine-child.ts',
    timeoutMs: CHILD_TIMEOUT_MS,
    env: vars as unknown as ChildEnv,
  }) as unknown as Promise<R>;
}

/** A fresh database, migrated and holding `jobs` jobs over `tenants` tenants, dropped after `fn`. */
export async function withJobs<T>(server: BenchServer, jobs: number, tenants: number, fn: (url: string) => Promise<T>): Promise<T> {
  const url = await server.freshDatabase('engine');
  try {
    await engineChild({ ENGINE_DB_URL: url, ENGINE_MODE: 'setup', ENGINE_JOBS: jobs, ENGINE_TENANTS: tenants });
    await waitForNoClients(server.adminUrl, databaseName(url));
    return await fn(url);
  } finally {
    await dropDatabase(server.adminUrl, databaseName(url));
  }
}
