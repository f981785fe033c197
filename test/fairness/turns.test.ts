/**
 * Turns (issue #9): past 128 tenants with work in a queue, a claim serves the round
 * robin in turns of a quantum, ceil(size / 128) jobs per unit of weight, so that one
 * claim touches about 128 lanes whatever the number of tenants. Shares stay those of
 * the weighted round robin (no tenant is a whole turn ahead of another), a newcomer
 * still joins the end of the current round, and below 128 tenants nothing changes.
 * Claims are made directly, so the order is exact.
 */
import { describe, expect, it } from 'vitest';
import { claimer, countBy, countsDrift, makeRota, migratedDatabase } from './helpers.js';

const db = await migratedDatabase();
const rota = makeRota(db.url);
const claim = claimer(db.url);

const TENANTS = 200;
/** ceil(1,000 / 128): the quantum of a claim of 1,000. */
const QUANTUM = 8;

async function fill(queue: string, tenants: number, perTenant: number): Promise<void> {
  const all = Array.from({ length: tenants * perTenant }, (_, i) => ({ payload: i, tenant: `t${i % tenants}` }));
  for (let i = 0; i < all.length; i += 1_000) await rota.enqueueMany(queue, all.slice(i, i + 1_000));
}

/** served / weight per tenant: the round robin's progress of each. */
const progress = (served: Map<string, number>, weight: (t: string) => number, tenants: readonly string[]) =>
  tenants.map((t) => (served.get(t) ?? 0) / weight(t));

describe('claims over many tenants', () => {
  it('serve turns of a quantum per unit of weight; no tenant is a whole turn ahead of another', async () => {
    const queue = 'turns';
    await rota.queue(queue).configure({}, { create: true });
    await rota.tenant(queue, 't0').configure({ weight: 2 });
    await fill(queue, TENANTS, 40);
    const weight = (t: string) => (t === 't0' ? 2 : 1);
    const tenants = Array.from({ length: TENANTS }, (_, i) => `t${i}`);
    const served = new Map<string, number>();
    for (let i = 0; i < 4; i++) {
      const rows = await claim(queue, 1_000);
      expect(rows).toHaveLength(1_000);
      const got = countBy(rows, (r) => r.tenant);
      // About 128 lanes per claim, not 1,000 (and not 200: a turn is a quantum).
      expect(Object.keys(got).length).toBeLessThanOrEqual(128);
      for (const [t, n] of Object.entries(got)) {
        expect(n, `${t} in claim ${i + 1}`).toBeLessThanOrEqual(QUANTUM * weight(t));
        served.set(t, (served.get(t) ?? 0) + n);
      }
      const p = progress(served, weight, tenants);
      expect(Math.max(...p) - Math.min(...p), `spread after claim ${i + 1}`).toBeLessThanOrEqual(QUANTUM);
    }
    // 4,000 jobs over 201 units of weight: t0 had twice everyone's turns.
    expect(served.get('t0')).toBeGreaterThanOrEqual(2 * Math.min(...tenants.slice(1).map((t) => served.get(t) ?? 0)));
    expect(await countsDrift(db, queue)).toEqual([]);
  });

  it('a newcomer joins the end of the current round and takes a turn, not a catch-up', async () => {
    const queue = 'turns-late';
    await fill(queue, TENANTS, 40);
    const served = new Map<string, number>();
    const take = async () => {
      for (const r of await claim(queue, 1_000)) served.set(r.tenant, (served.get(r.tenant) ?? 0) + 1);
    };
    // 2,000 jobs: one round of 8 each (1,600), then 50 tenants have had a second turn.
    await take();
    await take();
    expect(countBy([...served.values()], String)).toEqual({ 8: 150, 16: 50 });
    const atArrival = new Map(served);
    await rota.enqueueMany(
      queue,
      Array.from({ length: 40 }, (_, i) => ({ payload: i, tenant: 'newcomer' })),
    );
    let claims = 0;
    while (!served.has('newcomer')) {
      await take();
      claims++;
      if (!served.has('newcomer')) {
        // Before its first turn, nobody has had a turn more than the round in progress.
        const gains = [...served].map(([t, n]) => n - (atArrival.get(t) ?? 0));
        expect(Math.max(...gains)).toBeLessThanOrEqual(QUANTUM);
      }
    }
    // The 150 tenants still owed their second turn fill at most 1,200 jobs: the
    // newcomer comes in the second claim at the latest, with one turn.
    expect(claims).toBeLessThanOrEqual(2);
    expect(served.get('newcomer')).toBeLessThanOrEqual(QUANTUM);
    // Nobody had a third turn before the newcomer's first.
    expect(Math.max(...served.values())).toBeLessThanOrEqual(2 * QUANTUM + QUANTUM);
  });

  it('below 128 tenants with work, or in claims of at most 128 jobs, one job per lane per round as before', async () => {
    const few = 'turns-few';
    await fill(few, 100, 20);
    const got = countBy(await claim(few, 1_000), (r) => r.tenant);
    expect(Object.keys(got)).toHaveLength(100);
    expect(new Set(Object.values(got))).toEqual(new Set([10]));

    const small = 'turns-small';
    await fill(small, TENANTS, 5);
    const first = countBy(await claim(small, 100), (r) => r.tenant);
    expect(Object.keys(first)).toHaveLength(100);
    expect(new Set(Object.values(first))).toEqual(new Set([1]));
    // The next claim serves the 100 tenants not served yet.
    const second = countBy(await claim(small, 100), (r) => r.tenant);
    expect(Object.keys(second).filter((t) => t in first)).toEqual([]);
  });
});
