/**
 * Who gets claimed: round robin across tenants weighted by their weights, strict
 * priority tiers, newcomers joining the current round, aging for starved tiers, and
 * lanes with only delayed jobs stepping aside. Claims are made directly (a worker's
 * claim without handlers), so the order is exact.
 */
import { describe, expect, it } from 'vitest';
import { claimer, countBy, countsDrift, makeRota, migratedDatabase } from './helpers.js';

const db = await migratedDatabase();
const rota = makeRota(db.url);
const claim = claimer(db.url);

const jobs = (n: number, tenant: string, priority?: 'urgent' | 'high' | 'normal' | 'low') =>
  Array.from({ length: n }, (_, i) => ({ payload: i, tenant, priority }));

describe('round robin across tenants', () => {
  it('a tenant with 50 jobs is not stuck behind one with 2,000', async () => {
    await rota.enqueueMany('rr', jobs(2000, 'big'));
    await rota.enqueueMany('rr', jobs(50, 'small'));
    const first = await claim('rr', 100);
    expect(countBy(first, (r) => r.tenant)).toEqual({ big: 50, small: 50 });
    // Inside a tenant: FIFO.
    const small = first.filter((r) => r.tenant === 'small').map((r) => r.payload);
    expect(small).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('weights 1, 2 and 4 get 1/7, 2/7 and 4/7 of the claims', async () => {
    await rota.queue('weights').configure({}, { create: true });
    for (const [tenant, weight] of [
      ['w1', 1],
      ['w2', 2],
      ['w4', 4],
    ] as const) {
      await rota.tenant('weights', tenant).configure({ weight });
      await rota.enqueueMany('weights', jobs(500, tenant));
    }
    const got = [];
    // Many small claims: the shares hold claim after claim, not only in one big one.
    for (let i = 0; i < 40; i++) got.push(...(await claim('weights', 5)));
    const share = countBy(got, (r) => r.tenant);
    expect(got.length).toBe(200);
    expect(Math.abs((share.w1 ?? 0) - 200 / 7)).toBeLessThanOrEqual(2);
    expect(Math.abs((share.w2 ?? 0) - 400 / 7)).toBeLessThanOrEqual(2);
    expect(Math.abs((share.w4 ?? 0) - 800 / 7)).toBeLessThanOrEqual(2);
  });

  it('a tenant arriving late joins the current round: no burst for the time it was idle', async () => {
    await rota.enqueueMany('late', jobs(400, 'early'));
    for (let i = 0; i < 20; i++) await claim('late', 10); // 'early' is served 200 times alone
    await rota.enqueueMany('late', jobs(100, 'late'));
    const next = countBy(await claim('late', 20), (r) => r.tenant);
    expect(next.late).toBeGreaterThanOrEqual(9);
    expect(next.late).toBeLessThanOrEqual(11);
  });
});

describe('priority tiers', () => {
  it('are strict across tenants; fairness applies inside a tier', async () => {
    await rota.enqueueMany('tiers', [...jobs(30, 'a', 'low'), ...jobs(30, 'a', 'high'), ...jobs(4, 'a', 'urgent')]);
    await rota.enqueueMany('tiers', [...jobs(30, 'b', 'normal'), ...jobs(30, 'b', 'high'), ...jobs(2, 'b', 'urgent')]);
    const got = await claim('tiers', 26);
    const tier = countBy(got, (r) => `${r.priority}`);
    // Every urgent job, then the rest of the claim from high, shared: 6 + 10 + 10.
    expect(tier).toEqual({ 0: 6, 1: 20 });
    expect(
      countBy(
        got.filter((r) => r.priority === 1),
        (r) => r.tenant,
      ),
    ).toEqual({ a: 10, b: 10 });
    const rest = await claim('tiers', 50);
    expect(countBy(rest, (r) => `${r.priority}`)).toEqual({ 1: 40, 2: 10 });
  });

  it('aging lets a starved lower tier through, one tier per agingMs', async () => {
    await rota.queue('aging').configure({ agingMs: 300 }, { create: true });
    await rota.enqueueMany('aging', jobs(5000, 'flood', 'urgent'));
    await rota.enqueueMany('aging', jobs(3, 'patient', 'low'));
    const early = await claim('aging', 10);
    expect(early.every((r) => r.tenant === 'flood')).toBe(true);
    // After three aging periods without a turn, the low lane competes with urgent work.
    const got: string[] = [];
    const deadline = Date.now() + 20_000;
    while (!got.includes('patient') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      got.push(...(await claim('aging', 4)).map((r) => r.tenant));
    }
    expect(got).toContain('patient');
    // Served once, it drops back to its own tier.
    const after = await claim('aging', 10);
    expect(after.every((r) => r.tenant === 'flood')).toBe(true);
  });
});

describe('aging lanes among the candidates', () => {
  it('a lane due for promotion that is also whose turn it is is taken once', async () => {
    // The claim reads candidates from the active lanes and, separately, from the lanes
    // due for promotion: a lane in both must count once (its jobs, its counters).
    await rota.queue('aging-dup').configure({ agingMs: 20 }, { create: true });
    await rota.enqueueMany('aging-dup', [...jobs(6, 'a', 'low'), ...jobs(6, 'b', 'low')]);
    await claim('aging-dup', 0); // folds: both lanes get their promotion time
    await new Promise((r) => setTimeout(r, 60));
    const got = await claim('aging-dup', 4);
    expect(got.length).toBe(4);
    expect(new Set(got.map((r) => r.id)).size).toBe(4);
    expect(countBy(got, (r) => r.tenant)).toEqual({ a: 2, b: 2 });
    expect(await countsDrift(db, 'aging-dup')).toEqual([]);
  });
});

describe('delayed jobs', () => {
  it('a lane holding only delayed jobs steps aside; its jobs are claimed when due', async () => {
    await rota.enqueueMany('delayed', [...jobs(1, 'mixed'), ...jobs(20, 'mixed').map((j) => ({ ...j, delayMs: 400 }))]);
    await rota.enqueueMany('delayed', jobs(30, 'other'));
    // 'mixed' has 21 jobs but one is due: the claim still fills from 'other'.
    const first = await claim('delayed', 20);
    expect(first.length).toBe(20);
    expect(countBy(first, (r) => r.tenant)).toEqual({ mixed: 1, other: 19 });
    await new Promise((r) => setTimeout(r, 500));
    const later = await claim('delayed', 40);
    expect(countBy(later, (r) => r.tenant)).toEqual({ mixed: 20, other: 11 });
  });
});
