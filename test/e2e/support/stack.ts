import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { afterAll } from 'vitest';
import type { Role } from '../../../src/admin/tokens.js';
import { PermanentError, type Rota } from '../../../src/index.js';
import { buildServer } from '../../../src/server/app.js';
import type { ZodApp } from '../../../src/server/types.js';
import { ensureBundle } from '../../../web/scripts/build.mjs';
import { recordingLogger } from '../../support/logger.js';
import { makeRota, migratedDatabase } from '../../support/rota.js';

export const WEB_DIST = fileURLToPath(new URL('../../../web/dist/', import.meta.url));

/** What the e2e workers do with a job: fail for good, fail on every attempt, or sleep a little. */
export interface E2ePayload {
  /** permanent: PermanentError (dead at once); always: a retryable error on every attempt. */
  fail?: 'permanent' | 'always';
  sleepMs?: number;
  [k: string]: unknown;
}

export interface Stack {
  rota: Rota;
  sql: pg.Pool;
  /** The database's URL (for more Rota instances: other worker processes). */
  dbUrl: string;
  /** The server's address (the dashboard is at `${url}/`). */
  url: string;
  app: ZodApp;
  token(name: string, role: Role, tenant?: string): Promise<string>;
}

/**
 * The whole thing for a browser test: a fresh migrated database, the real management
 * server listening on a free loopback port and serving the built bundle, and a Rota whose
 * workers run the queues named in `work` (PermanentError for payloads with
 * fail: 'permanent', so dead jobs exist to look at).
 */
export async function startStack(opts: { work?: string[]; concurrency?: number } = {}): Promise<Stack> {
  await ensureBundle();
  const db = await migratedDatabase();
  const rota = makeRota(db.url, { pollIntervalMs: 100 });
  for (const queue of opts.work ?? []) {
    rota.work<E2ePayload>(queue, { concurrency: opts.concurrency ?? 4, retry: { baseMs: 50, maxMs: 200 } }, async (job, ctx) => {
      if (job.payload.sleepMs) await sleep(job.payload.sleepMs, undefined, { signal: ctx.signal });
      if (job.payload.fail === 'permanent') throw new PermanentError(`item ${String(job.payload.item ?? job.id)} is malformed`);
      if (job.payload.fail === 'always') throw new Error(`attempt ${job.attempt} of item ${String(job.payload.item ?? job.id)} failed`);
      return { ok: true, item: job.payload.item ?? null };
    });
  }
  const app = await buildServer({ rota, logger: recordingLogger(), webRoot: WEB_DIST });
  await app.listen({ port: 0, host: '127.0.0.1' });
  afterAll(async () => {
    await app.close();
    await rota.close();
  });
  const addr = app.server.address();
  if (!addr || typeof addr !== 'object') throw new Error('server did not listen');
  return {
    rota,
    sql: db.sql,
    dbUrl: db.url,
    app,
    url: `http://127.0.0.1:${addr.port}`,
    token: async (name, role, tenant) => (await rota.tokens.create({ name, role, tenant })).secret,
  };
}
