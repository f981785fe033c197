/**
 * tenant_state.running is kept only for tenants a concurrency limit applies to (issue #9,
 * sql/functions/tenant_running.sql): claims and folds do not write the row of a tenant
 * nothing limits. Turning a limit on (the tenant's own or the queue's tenantConcurrency)
 * while the tenant's jobs run recounts them under the queue's lock, so the limit is exact
 * from the next claim on, also when some of those jobs just ended and no claim has folded
 * that in yet; turning it off stops the counting and frees the tenant at once.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ClaimedRow } from '../../src/worker/attempt.js';
import { claimer, complete, countBy, countsDrift, makeRota, migratedDatabase } from './helpers.js';

const db = await migratedDatabase();
const rota = makeRota(db.url);
const claim = claimer(db.url);

async function stored(queue: string): Promise<Record<string, number | null>> {
  const r = await db.sql.query<{ tenant: string; running: number | null }>(
    'SELECT tenant, running FROM rota.tenant_state WHERE queue = $1 ORDER BY tenant',
    [queue],
  );
  return Object.fromEntries(r.rows.map((x) => [x.tenant, x.running]));
}

async function runningByTenant(queue: string): Promise<Record<string, number>> {
  const r = await db.sql.query<{ tenant: string; n: number }>(
    `SELECT tenant, count(*)::int AS n FROM rota.jobs WHERE queue = $1 AND state = 'running' GROUP BY tenant`,
    [queue],
  );
  return Object.fromEntries(r.rows.map((x) => [x.tenant, x.n]));
}

async function enqueue(queue: string, perTenant: Record<string, number>): Promise<void> {
  for (const [tenant, n] of Object.entries(perTenant))
    await rota.enqueueMany(
      queue,
      Array.from({ length: n }, (_, i) => ({ payload: i, tenant })),
    );
}

describe('running counted only under a limit', () => {
  it('an unlimited tenant is not counted; a limit turned on while its jobs run is exact from the next claim', async () => {
    const queue = 'turn-on';
    await enqueue(queue, { a: 10, b: 10 });
    const first = await claim(queue, 8);
    expect(countBy(first, (r) => r.tenant)).toEqual({ a: 4, b: 4 });
    expect(await stored(queue)).toEqual({ a: null, b: null });
    await complete(
      db,
      first.filter((r) => r.tenant === 'a'),
    );
    const second = await claim(queue, 4);
    expect(countBy(second, (r) => r.tenant)).toEqual({ a: 2, b: 2 });
    // One of a's two ends; no claim folds that in before the limit is set.
    await complete(db, second.filter((r) => r.tenant === 'a').slice(0, 1));

    await rota.tenant(queue, 'a').configure({ concurrency: 2 });
    // One job of a runs, the ended one is still in the journal (the next fold takes it off).
    expect(await stored(queue)).toEqual({ a: 2, b: null });

    // a has one running under a limit of 2: exactly one more; b takes all it has left.
    const third = await claim(queue, 10);
    expect(countBy(third, (r) => r.tenant)).toEqual({ a: 1, b: 4 });
    expect((await runningByTenant(queue)).a).toBe(2);
    expect(await countsDrift(db, queue)).toEqual([]);
    expect(await claim(queue, 5)).toEqual([]);
    await complete(db, [...first.filter((r) => r.tenant === 'b'), ...second.filter((r) => r.tenant === 'b'), ...third]);
    expect(countBy(await claim(queue, 5), (r) => r.tenant)).toEqual({ a: 1 });
    expect(await countsDrift(db, queue)).toEqual([]);
  });

  it('a limit turned off frees the tenant at once and stops counting it', async () => {
    const queue = 'turn-off';
    await rota.queue(queue).configure({}, { create: true });
    await rota.tenant(queue, 'a').configure({ concurrency: 1 });
    await enqueue(queue, { a: 5 });
    expect((await claim(queue, 5)).length).toBe(1);
    expect((await stored(queue)).a).toBe(1);
    await rota.tenant(queue, 'a').configure({ concurrency: null });
    expect((await stored(queue)).a).toBeNull();
    expect((await claim(queue, 5)).length).toBe(4);
    expect(await countsDrift(db, queue)).toEqual([]);
  });

  it("the queue's tenantConcurrency counts every tenant, new ones too, and stops when removed", async () => {
    const queue = 'queue-default';
    await enqueue(queue, { a: 6, b: 6 });
    const first = await claim(queue, 6);
    expect(countBy(first, (r) => r.tenant)).toEqual({ a: 3, b: 3 });
    await complete(
      db,
      first.filter((r) => r.tenant === 'b'),
    );
    await rota.queue(queue).configure({ tenantConcurrency: 2 });
    expect(await stored(queue)).toEqual({ a: 3, b: 3 }); // b's 3 ended, not folded in yet
    await enqueue(queue, { c: 4 }); // a tenant new to the queue: counted from its first fold
    const second = await claim(queue, 10);
    expect(countBy(second, (r) => r.tenant)).toEqual({ b: 2, c: 2 });
    expect(await stored(queue)).toEqual({ a: 3, b: 2, c: 2 });
    expect(await countsDrift(db, queue)).toEqual([]);
    await rota.queue(queue).configure({ tenantConcurrency: null });
    expect(await stored(queue)).toEqual({ a: null, b: null, c: null });
    expect(countBy(await claim(queue, 10), (r) => r.tenant)).toEqual({ a: 3, b: 1, c: 2 });
    expect(await countsDrift(db, queue)).toEqual([]);
  });
});

const stepArb = fc.oneof(
  fc.record({ op: fc.constant('claim' as const), n: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ op: fc.constant('finish' as const), n: fc.integer({ min: 1, max: 6 }) }),
  fc.record({
    op: fc.constant('tenant' as const),
    tenant: fc.integer({ min: 0, max: 2 }),
    limit: fc.option(fc.integer({ min: 0, max: 3 }), { nil: null }),
  }),
  fc.record({ op: fc.constant('queue' as const), limit: fc.option(fc.integer({ min: 1, max: 3 }), { nil: null }) }),
  fc.record({ op: fc.constant('enqueue' as const), tenant: fc.integer({ min: 0, max: 3 }), n: fc.integer({ min: 1, max: 4 }) }),
);

let seq = 0;

describe('limits switched on and off while jobs run (property)', () => {
  it('every claim keeps every limit in force at that moment, and leaves nothing permitted behind', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(stepArb, { minLength: 4, maxLength: 25 }), async (steps) => {
        const queue = `switch-${++seq}`;
        await rota.queue(queue).configure({}, { create: true });
        await enqueue(queue, { t0: 4, t1: 4, t2: 4 });
        const tenantLimit: Record<string, number | null> = {};
        let queueLimit: number | null = null;
        let running: ClaimedRow[] = [];
        for (const s of steps) {
          if (s.op === 'tenant') {
            tenantLimit[`t${s.tenant}`] = s.limit;
            await rota.tenant(queue, `t${s.tenant}`).configure({ concurrency: s.limit });
          } else if (s.op === 'queue') {
            queueLimit = s.limit;
            await rota.queue(queue).configure({ tenantConcurrency: s.limit });
          } else if (s.op === 'enqueue') {
            await enqueue(queue, { [`t${s.tenant}`]: s.n });
          } else if (s.op === 'finish') {
            await complete(db, running.slice(0, s.n));
            running = running.slice(s.n);
          } else {
            const got = await claim(queue, s.n);
            running.push(...got);
            const after = await runningByTenant(queue);
            const gotBy = countBy(got, (r) => r.tenant);
            const limitOf = (t: string) => (t in tenantLimit ? tenantLimit[t] : null) ?? queueLimit;
            for (const [t, n] of Object.entries(gotBy)) {
              const lim = limitOf(t);
              if (lim !== null) expect(after[t] ?? 0, `${t} over its limit ${lim}`).toBeLessThanOrEqual(lim);
              expect(n).toBeGreaterThan(0);
            }
            if (got.length < s.n) {
              // Fewer than asked: every tenant with waiting jobs is at its limit.
              const waiting = await db.sql.query<{ tenant: string }>(
                `SELECT DISTINCT tenant FROM rota.jobs WHERE queue = $1 AND state = 'available'`,
                [queue],
              );
              for (const { tenant } of waiting.rows) {
                const lim = limitOf(tenant);
                expect(lim, `${tenant} has waiting jobs and no limit, yet the claim fell short`).not.toBeNull();
                expect(after[tenant] ?? 0, `${tenant} left behind under its limit`).toBeGreaterThanOrEqual(lim as number);
              }
            }
            expect(await countsDrift(db, queue)).toEqual([]);
          }
        }
      }),
      { numRuns: 40 },
    );
  });
});
