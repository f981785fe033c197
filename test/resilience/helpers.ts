/**
 * Set-up shared by the resilience tests: Rota instances that are always closed and a
 * logger that records instead of printing. Not a test file itself.
 */
import { afterAll } from 'vitest';
import { Rota, type RotaOptions } from '../../src/index.js';
import { recordingLogger } from '../support/logger.js';

export { type LogLine, recordingLogger } from '../support/logger.js';

const open = new Set<Rota>();
afterAll(async () => {
  await Promise.all([...open].map((r) => r.close().catch(() => {})));
});

/** A Rota with fast test defaults (short polls and breaker syncs), closed after the file. */
export function makeRota(url: string, opts: Partial<RotaOptions> = {}): Rota {
  const rota = new Rota({ connectionString: url, logger: recordingLogger(), pollIntervalMs: 50, breakerSyncMs: 50, ...opts });
  open.add(rota);
  return rota;
}

export async function closeRota(rota: Rota): Promise<void> {
  open.delete(rota);
  await rota.close();
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
