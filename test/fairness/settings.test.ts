/**
 * Settings: bad values are rejected with an error naming the setting and change
 * nothing; good ones are stored, shown, and applied by running workers without a
 * restart. And the CLI commands over them.
 */
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/index.js';
import { runCli } from '../support/cli.js';
import { waitFor } from '../support/db.js';
import { claimer, countBy, makeRota, migratedDatabase } from './helpers.js';

const db = await migratedDatabase();
const rota = makeRota(db.url);
const claim = claimer(db.url);

async function rejection(p: Promise<unknown>): Promise<ValidationError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ValidationError);
  return err as ValidationError;
}

describe('bad settings', () => {
  it('are rejected with the setting named, and nothing changes', async () => {
    await rota.queue('strict').configure({ concurrency: 3, rate: { limit: 10, periodMs: 1000 } }, { create: true });
    await rota.tenant('strict', 'acme').configure({ weight: 2, concurrency: 1 });

    expect((await rejection(rota.queue('strict').configure({ concurrency: -1 }))).field).toBe('concurrency');
    expect((await rejection(rota.queue('strict').configure({ tenantConcurrency: 1.5 }))).field).toBe('tenantConcurrency');
    expect((await rejection(rota.queue('strict').configure({ rate: { limit: 0, periodMs: 1000 } }))).field).toBe('rate.limit');
    expect((await rejection(rota.queue('strict').configure({ rate: { limit: 5 } as never }))).field).toBe('rate.periodMs');
    expect((await rejection(rota.queue('strict').configure({ agingMs: 0 }))).field).toBe('agingMs');
    expect((await rejection(rota.queue('strict').configure({ concurency: 2 } as never))).field).toBe('settings.concurency');
    // One bad value in a call: the good ones in it are not applied either.
    expect((await rejection(rota.queue('strict').configure({ concurrency: 5, tenantConcurrency: -2 }))).field).toBe('tenantConcurrency');
    expect((await rejection(rota.tenant('strict', 'acme').configure({ weight: 0 }))).field).toBe('weight');
    expect((await rejection(rota.tenant('strict', 'acme').configure({ weight: 2.5 }))).field).toBe('weight');
    expect((await rejection(rota.tenant('strict', 'acme').configure({ concurrency: 1, weight: -3 }))).field).toBe('weight');

    const q = await rota.queue('strict').info();
    expect(q).toMatchObject({ concurrency: 3, tenantConcurrency: null, rate: { limit: 10, periodMs: 1000, burst: 10 }, agingMs: null });
    expect(await rota.tenant('strict', 'acme').info()).toMatchObject({ weight: 2, concurrency: 1 });
  });

  it('an unknown queue is an error, unless created on purpose', async () => {
    const err = await rejection(rota.queue('no-such-queue').configure({ concurrency: 1 }));
    expect(err.field).toBe('queue');
    expect(err.message).toMatch(/unknown queue "no-such-queue"/);
    const tenantErr = await rejection(rota.tenant('no-such-queue', 'acme').configure({ weight: 2 }));
    expect(tenantErr.field).toBe('queue');
    // Tenant settings take no `create`: the hint says how to create the queue instead.
    expect(tenantErr.message).toContain(`rota.queue("no-such-queue").configure({}, { create: true })`);
    expect((await rejection(rota.queue('no-such-queue').info())).field).toBe('queue');
    const rows = await db.sql.query(`SELECT 1 FROM rota.queue_state WHERE queue = 'no-such-queue'`);
    expect(rows.rowCount).toBe(0);
    expect((await rota.queue('no-such-queue').configure({ concurrency: 1 }, { create: true })).concurrency).toBe(1);
    expect(() => rota.queue('')).toThrow(ValidationError);
  });
});

describe('changes at run time', () => {
  it('running workers apply new limits on their next claim', async () => {
    const queue = 'live';
    await rota.queue(queue).configure({ concurrency: 0 }, { create: true }); // paused
    let running = 0;
    let max = 0;
    let done = 0;
    const worker = makeRota(db.url, { pollIntervalMs: 1000 });
    worker.work(queue, { concurrency: 10 }, async () => {
      max = Math.max(max, ++running);
      await new Promise((r) => setTimeout(r, 30));
      running--;
      done++;
    });
    await rota.enqueueMany(
      queue,
      Array.from({ length: 30 }, (_, i) => ({ payload: i, tenant: `t${i % 3}` })),
    );
    await new Promise((r) => setTimeout(r, 300));
    expect(done).toBe(0);

    await rota.queue(queue).configure({ concurrency: 2 });
    await waitFor(() => done >= 10, 20_000, 'jobs to run once the queue is unpaused');
    expect(max).toBeLessThanOrEqual(2);

    await rota.queue(queue).configure({ concurrency: null, tenantConcurrency: 1 });
    await waitFor(() => done === 30, 20_000, 'the rest to run');
    // At most one per tenant with three tenants: never above three at once.
    expect(max).toBeLessThanOrEqual(3);
    const info = await rota.queue(queue).info();
    expect(info).toMatchObject({ concurrency: null, tenantConcurrency: 1, ready: 0 });
  });

  it('a new weight applies from the next claim', async () => {
    const queue = 'reweigh';
    await rota.enqueueMany(queue, [
      ...Array.from({ length: 300 }, (_, i) => ({ payload: i, tenant: 'a' })),
      ...Array.from({ length: 300 }, (_, i) => ({ payload: i, tenant: 'b' })),
    ]);
    expect(countBy(await claim(queue, 20), (r) => r.tenant)).toEqual({ a: 10, b: 10 });
    await rota.tenant(queue, 'b').configure({ weight: 3 });
    const after = countBy([...(await claim(queue, 20)), ...(await claim(queue, 20))], (r) => r.tenant);
    expect(after.b).toBeGreaterThanOrEqual(29);
    expect(after.b).toBeLessThanOrEqual(31);
  });
});

describe('CLI', () => {
  async function cli(args: string[]): Promise<{ code: number; out: string }> {
    const r = await runCli(args, { DATABASE_URL: db.url });
    return { code: r.code, out: r.stdout + r.stderr };
  }

  it('rota queue configure / show and rota tenant configure', async () => {
    await rota.enqueue('cli-q', 1, { tenant: 'store-1' });
    const set = await cli(['queue', 'configure', 'cli-q', '--concurrency', '3', '--tenant-concurrency', '1', '--rate', '450/min']);
    expect(set.code).toBe(0);
    expect(set.out).toMatch(/concurrency\s+3/);
    expect(set.out).toMatch(/rate\s+450\/1m \(burst 8\)/);
    const tenant = await cli(['tenant', 'configure', 'cli-q', 'store-1', '--weight', '3', '--rate', '60/1m', '--json']);
    expect(tenant.code).toBe(0);
    expect(JSON.parse(tenant.out)).toMatchObject({ tenant: 'store-1', weight: 3, rate: { limit: 60, periodMs: 60_000, burst: 1 } });
    const show = await cli(['queue', 'show', 'cli-q', '--json']);
    expect(JSON.parse(show.out)).toMatchObject({ queue: 'cli-q', concurrency: 3, tenantConcurrency: 1, ready: 1 });

    const bad = await cli(['queue', 'configure', 'cli-q', '--concurrency', '-1']);
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(/concurrency: must be an integer from 0/);
    expect((await rota.queue('cli-q').info()).concurrency).toBe(3);
  });
});
