/**
 * Set-up shared by the resilience tests: the suite-wide makeRota (test/support/rota.ts)
 * with breaker syncs as fast as the polls. Not a test file itself.
 */
import type { Rota, RotaOptions } from '../../src/index.js';
import { makeRota as makeTestRota } from '../support/rota.js';

export { type LogLine, recordingLogger } from '../support/logger.js';
export { closeRota } from '../support/rota.js';

/** A Rota with fast test defaults (short polls and breaker syncs), closed after the file. */
export function makeRota(url: string, opts: Partial<RotaOptions> = {}): Rota {
  return makeTestRota(url, { breakerSyncMs: 50, ...opts });
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
