/**
 * Tenants arriving one after another behind a backlog (issue #9): each one's first job
 * is claimed about when a round robin over the tenants with work would serve it (a
 * newcomer joins the current round: after the tenants not yet served in it, before
 * anyone's next turn), not after the backlog that was there first. In a worker, the
 * buffer then runs tenants in turns (src/fairness/fair-buffer.ts); the end-to-end
 * figure is the fairness benchmark's `arrivals` step.
 */
import { describe, expect, it } from 'vitest';
import { claimer, makeRota, migratedDatabase } from './helpers.js';

const db = await migratedDatabase();
const rota = makeRota(db.url);
const claim = claimer(db.url);

const jobs = (n: number, tenant: string) => Array.from({ length: n }, (_, i) => ({ payload: i, tenant }));

describe('tenants arriving one after another', () => {
  it("each newcomer's first job is in the first claim after it arrives, whatever the backlog", async () => {
    const queue = 'arrive';
    await rota.enqueueMany(queue, jobs(2_000, 'backlog'));
    for (let i = 0; i < 5; i++) await claim(queue, 10);
    for (let k = 1; k <= 8; k++) {
      await rota.enqueueMany(queue, jobs(3, `late-${k}`));
      const next = await claim(queue, 10);
      const tenants = next.map((r) => r.tenant);
      expect(tenants, `late-${k}'s first job`).toContain(`late-${k}`);
      // The backlog is not starved either.
      expect(tenants).toContain('backlog');
    }
  });

  it('a newcomer joins the end of the current round, then takes one turn per round like everyone', async () => {
    const queue = 'round';
    // 10 tenants with deep backlogs and claims of 5: a round takes two claims. After
    // 41 claims half the tenants have had 21 turns, the other half 20.
    for (let t = 0; t < 10; t++) await rota.enqueueMany(queue, jobs(300, `t${t}`));
    const served = new Map<string, number>();
    const take = async () => {
      for (const r of await claim(queue, 5)) served.set(r.tenant, (served.get(r.tenant) ?? 0) + 1);
    };
    for (let i = 0; i < 41; i++) await take();
    expect([...served.values()].sort()).toEqual([20, 20, 20, 20, 20, 21, 21, 21, 21, 21]);
    const atArrival = new Map(served);
    await rota.enqueueMany(queue, jobs(100, 'newcomer'));
    const gains = () => [...served].filter(([t]) => t !== 'newcomer').map(([t, n]) => n - (atArrival.get(t) ?? 0));
    let claims = 0;
    while (!served.has('newcomer')) {
      await take();
      claims++;
      // Before the newcomer's first turn, nobody has a second one since it arrived.
      if (!served.has('newcomer')) expect(Math.max(...gains())).toBeLessThanOrEqual(1);
    }
    // The five tenants waiting for their 21st turn fill at most one claim; the newcomer
    // is in the next one at the latest, not behind a whole round of everyone.
    expect(claims).toBeLessThanOrEqual(2);
    // From then on one turn per round, not a catch-up for the rounds it was not there
    // (it is one round ahead of the tenants that had had their 21st turn when it came,
    // two while a round is under way).
    for (let i = 0; i < 12; i++) {
      await take();
      const g = gains();
      expect(served.get('newcomer')).toBeLessThanOrEqual(Math.min(...g) + 2);
      expect(served.get('newcomer')).toBeGreaterThanOrEqual(Math.max(...g) - 1);
    }
  });
});
