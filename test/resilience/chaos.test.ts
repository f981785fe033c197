/**
 * The chaos suite's slimmer version (the full one: `npm run chaos`): real worker
 * processes SIGKILLed mid-run. Figures are measured by chaos/*.ts; this file asserts
 * only the invariants: no job lost, every job a killed worker held runs again.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { killStorm, recovery } from '../../chaos/kill.js';

const adminUrl = inject('adminUrl');
const created: string[] = [];

async function newDatabase(): Promise<string> {
  const name = `t_chaos_${randomBytes(5).toString('hex')}`;
  const c = new pg.Client(adminUrl);
  await c.connect();
  await c.query(`CREATE DATABASE ${name}`);
  await c.end();
  created.push(name);
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

afterAll(async () => {
  const c = new pg.Client(adminUrl);
  await c.connect();
  for (const name of created) await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await c.end();
});

const quiet = () => {};

describe('chaos (slim)', () => {
  it('SIGKILL storm: workers killed at random and restarted lose no job', async () => {
    const r = await killStorm({
      newDatabase,
      say: quiet,
      jobs: 3_000,
      workers: 2,
      killEveryMs: [600, 1_200],
      concurrency: 10,
      jobMs: 20,
      leaseMs: 2_000,
      rescueIntervalMs: 300,
    });
    expect(r.kills).toBeGreaterThan(0);
    expect(r.lost).toBe(0);
    expect(r.dead).toBe(0);
    expect(r.completedUnrun).toBe(0);
  });

  it('a worker SIGKILLed while holding running and buffered jobs: every one of them runs again elsewhere', async () => {
    const r = await recovery({ newDatabase, say: quiet, leaseMs: 2_000, rescueIntervalMs: 300, concurrency: 3, held: 20 });
    expect(r.running).toBeGreaterThan(0);
    expect(r.allRanAgain).toBe(true);
  });
});
