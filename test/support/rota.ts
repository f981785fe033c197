import { afterAll } from 'vitest';
import { Rota, type RotaOptions } from '../../src/index.js';
import { freshDatabase, type TestDb } from './db.js';
import { recordingLogger } from './logger.js';

/** Fast defaults for tests: short polls so delayed and retried jobs are picked up quickly. */
export const FAST: Partial<RotaOptions> = { pollIntervalMs: 50 };

const open = new Set<Rota>();
afterAll(async () => {
  await Promise.all([...open].map((r) => r.close()));
});

/** A Rota on `url` with test defaults (a logger that records, nothing printed); closed after the file whatever the tests did. */
export function makeRota(url: string, opts: Partial<RotaOptions> = {}): Rota {
  const rota = new Rota({ connectionString: url, logger: recordingLogger(), ...FAST, ...opts });
  open.add(rota);
  return rota;
}

/** Closes a Rota made by makeRota now (idempotent). */
export async function closeRota(rota: Rota): Promise<void> {
  open.delete(rota);
  await rota.close();
}

/** A fresh database for this file with rota's schema migrated. */
export async function migratedDatabase(): Promise<TestDb> {
  const db = await freshDatabase();
  const rota = new Rota({ connectionString: db.url, logger: recordingLogger() });
  await rota.migrate();
  await rota.close();
  return db;
}
