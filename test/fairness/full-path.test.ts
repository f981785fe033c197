// The fairness property tests again with the small claim turned off
// (sql/functions/claim_small.sql): most of their claims are its case, so without this
// file the full claim's fold and allocation would be tested only where the small claim
// declines. Every connection these tests open takes `rota.claim_path = full` from
// PGOPTIONS (node-postgres reads it when it connects), which makes claim_jobs() skip
// the small claim (read when a connection opens, so setting it below the static imports
// is in time). Each file imported below registers its tests in this one.
import pg from 'pg';
import { expect, inject, test } from 'vitest';

process.env.PGOPTIONS = `${process.env.PGOPTIONS ?? ''} -c rota.claim_path=full`.trim();

await import('./claim-property.test.js');
await import('./limits.test.js');
await import('./tenant-running.test.js');
await import('./rotation.test.js');
await import('./arrivals.test.js');
await import('./rate.test.js');
await import('./settings.test.js');
await import('./turns.test.js');

test('connections opened in this file take the full claim path', async () => {
  const c = new pg.Client(inject('adminUrl'));
  await c.connect();
  try {
    const { rows } = await c.query(`SELECT current_setting('rota.claim_path', true) AS path`);
    expect(rows[0].path).toBe('full');
  } finally {
    await c.end();
  }
});
