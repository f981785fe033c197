/**
 * The small claim (sql/functions/claim_small.sql) leaves exactly what the full claim
 * leaves: randomized scenarios (test/fairness/small-equiv.ts), both paths from the same
 * state at every claim, returned rows and every state row compared. Fails on any
 * difference, and if the small path was not taken (with something to fold) or never
 * declined, so the comparison cannot pass vacuously. More scenarios:
 * bench/experiments/small-claim-equiv.ts.
 */
import { describe, expect, it } from 'vitest';
import { migratedDatabase } from './helpers.js';
import { runEquivalence } from './small-equiv.js';

const db = await migratedDatabase();

describe('small claim', () => {
  it('returns and writes what the full claim does', async () => {
    const report = await runEquivalence(db.url, { scenarios: 12, steps: 30, seed: 20261130 });
    expect(report.mismatches).toEqual([]);
    expect(report.small).toBeGreaterThan(20);
    expect(report.smallFolds).toBeGreaterThan(5);
    expect(Object.keys(report.declined).length).toBeGreaterThan(1);
  }, 120_000);
});
