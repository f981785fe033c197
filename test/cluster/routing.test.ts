import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fnv1a32, groupIdBase, groupOfJobId, groupOfSchedule, groupOfTenant, groupSchema } from '../../src/cluster/hash.js';
import { groupRate, raisesWithinRoom, rateShares, rebalanceByDemand, splitByDemand, splitEven } from '../../src/cluster/limits.js';

// These vectors pin where tenants, schedules and job ids live: a change here moves
// existing tenants' new jobs to other groups than their old ones. Never update them
// to make a change pass.
describe('routing rules (stored data depends on them)', () => {
  it('FNV-1a 32 matches the published vectors', () => {
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
    expect(fnv1a32('ünïcödé')).toBe(0x30eaf7d2); // UTF-8 bytes
  });

  it('tenants and schedules map to fixed groups', () => {
    expect(groupOfTenant('default', 64)).toBe(30);
    expect(groupOfTenant('store-42', 64)).toBe(31);
    expect(groupOfTenant('tenant-7', 64)).toBe(61);
    expect(groupOfTenant('default', 8)).toBe(6);
    expect(groupOfTenant('store-42', 8)).toBe(7);
    expect(groupOfSchedule('default', 8)).toBe(7);
    expect(groupOfSchedule('store-42', 8)).toBe(0);
  });

  it('job ids carry their group in the bits above 2^48', () => {
    expect(groupIdBase(0)).toBe(281474976710656n);
    expect(groupIdBase(7)).toBe(8n * 281474976710656n);
    expect(groupOfJobId('281474976710656')).toBe(0);
    expect(groupOfJobId('562949953421311')).toBe(0);
    expect(groupOfJobId('562949953421312')).toBe(1);
    expect(groupOfJobId('12345')).toBe(-1); // a pre-cluster id
    expect(groupSchema('rota', 3)).toBe('rota_g003');
    expect(groupSchema('rota', 1000)).toBe('rota_g1000');
  });
});

describe('queue-wide limit split', () => {
  it('splits evenly and by demand, always summing to the limit', () => {
    expect(splitEven(10, 4)).toEqual([3, 3, 2, 2]);
    expect(splitByDemand(10, [0, 0, 0, 0])).toEqual([3, 3, 2, 2]);
    expect(splitByDemand(10, [2, 0, 1, 0])).toEqual([4, 2, 3, 1]); // demand met, spare spread
    expect(splitByDemand(4, [100, 1, 0, 0])).toEqual([3, 1, 0, 0]); // every group with demand gets 1
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 500 }), fc.array(fc.nat(1000), { minLength: 1, maxLength: 40 }), (total, demand) => {
        const out = splitByDemand(total, demand);
        expect(out.reduce((a, b) => a + b, 0)).toBe(total);
        expect(out.every((x) => x >= 0 && Number.isInteger(x))).toBe(true);
      }),
    );
  });

  it('rebalances by moving only slack to unmet demand, and nothing between busy groups', () => {
    expect(rebalanceByDemand(16, [4, 4, 4, 4], [100, 9, 7, 5])).toEqual([4, 4, 4, 4]); // all busy: keep
    expect(rebalanceByDemand(16, [4, 4, 4, 4], [100, 1, 0, 2])).toEqual([13, 1, 0, 2]); // slack to the busy one
    expect(rebalanceByDemand(16, [2, 2, 2, 2], [1, 1, 1, 1])).toEqual([4, 4, 4, 4]); // unassigned slots spread
    expect(rebalanceByDemand(4, [null, null], [3, 1])).toEqual([3, 1]); // first split: by demand
    expect(rebalanceByDemand(6, [3, 3, 0], [50, 50, 9])).toEqual([2, 3, 1]); // a group with work gets a slot
    expect(rebalanceByDemand(2, [1, 1, 0], [5, 5, 5])).toEqual([0, 1, 1]); // fewer slots than busy groups: they rotate
    expect(rebalanceByDemand(2, [0, 1, 1], [5, 5, 5])).toEqual([1, 0, 1]);
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 200 }),
        fc.array(fc.tuple(fc.nat(40), fc.nat(80)), { minLength: 1, maxLength: 16 }),
        (total, pairs) => {
          // A current split summing to at most `total`, as the limit store leaves it.
          const even = splitEven(total, pairs.length);
          const limits = pairs.map(([cut], g) => Math.max(0, (even[g] as number) - (cut % 3)));
          const demand = pairs.map(([, d]) => d);
          const out = rebalanceByDemand(total, limits, demand);
          expect(out.reduce((a, b) => a + b, 0)).toBe(total);
          expect(out.every((x) => Number.isInteger(x) && x >= 0)).toBe(true);
          const unmet = (ls: number[]) => ls.reduce((a, l, g) => a + Math.max(0, (demand[g] as number) - l), 0);
          expect(unmet(out)).toBeLessThanOrEqual(unmet(limits) + pairs.length);
          // A saturated group (demand at or above its limit) loses at most the one slot a
          // starved group takes, and a group with work ends with a slot while any group has two.
          out.forEach((l, g) => {
            if ((demand[g] as number) >= (limits[g] as number)) expect(l).toBeGreaterThanOrEqual((limits[g] as number) - 1);
          });
          if (out.some((l) => l > 1)) for (const [g, l] of out.entries()) if ((demand[g] as number) > 0) expect(l).toBeGreaterThan(0);
        },
      ),
    );
  });

  it('raises only within the room left, so running jobs never sum above the limit', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 50 }),
        fc.array(fc.record({ limit: fc.nat(20), running: fc.nat(25) }), { minLength: 1, maxLength: 12 }),
        fc.array(fc.nat(30), { minLength: 12, maxLength: 12 }),
        (total, states, demand) => {
          const target = splitByDemand(total, demand.slice(0, states.length));
          // After the decreases: limits above target were lowered to it.
          const lowered = states.map((s, g) => ({ limit: Math.min(s.limit, target[g] as number), running: s.running }));
          const raises = raisesWithinRoom(total, target, lowered);
          const before = lowered.reduce((a, s) => a + Math.max(s.running, s.limit), 0);
          const after = lowered.reduce((a, s, g) => a + Math.max(s.running, raises.get(g) ?? s.limit), 0);
          for (const [g, v] of raises) expect(v).toBeLessThanOrEqual(target[g] as number);
          // Never more room handed out than the limit allows (or than was already held).
          expect(after).toBeLessThanOrEqual(Math.max(total, before));
        },
      ),
    );
  });

  it('rate shares sum to the whole rate', () => {
    const shares = rateShares([10, 0, 30, 0]);
    expect(shares.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
    const rate = { limit: 450, periodMs: 60_000, burst: 8 };
    const perSecond = shares.map((s) => groupRate(rate, s)).reduce((a, r) => a + (r.limit * 1000) / r.periodMs, 0);
    expect(perSecond).toBeCloseTo(7.5, 1);
    expect(rateShares([0, 0])).toEqual([0.5, 0.5]);
  });
});
