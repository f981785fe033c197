/**
 * Queue-wide limits across groups. A queue's concurrency and rate are enforced by each
 * group's own queue_state row (the claim runs unchanged in every group), so a
 * cluster-wide limit C is split into per-group limits whose sum never exceeds C:
 *
 * - concurrency: the target C is kept in `<prefix>_cluster.queue_limits` on the
 *   coordinator. configure() splits it evenly; the rebalancer (every `rebalanceMs` while
 *   a process works) moves slack (limit above a group's running + waiting jobs) to groups
 *   whose demand exceeds their limit, and nothing else (rebalanceByDemand). Changes are
 *   applied decreases first; an increase is granted only out of room
 *   left by what the other groups run or may run (max(running, limit) per group, read
 *   after the decreases committed), so running jobs summed over groups stay <= C at
 *   every instant, not just on average. The price: a group whose share is too small for
 *   its burst waits up to one rebalance period for more.
 * - rate: each group gets the queue's limit over a longer period (period / share), shares
 *   by demand with a 1 % floor spread over idle groups, and a burst of at least 1 per
 *   group, so the sum of the group rates is the queue's rate and the bursts sum to at
 *   most the queue's burst + (groups - 1).
 */
import type { RateLimit } from '../fairness/settings.js';

/** C split as evenly as integers allow (the first C mod n groups get one more). */
export function splitEven(total: number, n: number): number[] {
  const base = Math.floor(total / n);
  const extra = total - base * n;
  return Array.from({ length: n }, (_, g) => base + (g < extra ? 1 : 0));
}

/**
 * C split by demand (running + waiting per group), summing to exactly C: every group
 * gets its demand when all fit, and the spare is spread evenly (so a group where work
 * arrives next can start it at once); otherwise shares are proportional to demand
 * (largest remainders), every group with demand getting at least 1 while C allows.
 */
export function splitByDemand(total: number, demand: readonly number[]): number[] {
  const n = demand.length;
  const sum = demand.reduce((a, b) => a + b, 0);
  if (sum === 0) return splitEven(total, n);
  if (sum <= total) {
    const spare = splitEven(total - sum, n);
    return demand.map((d, g) => d + (spare[g] as number));
  }
  const exact = demand.map((d) => (total * d) / sum);
  const out = exact.map(Math.floor);
  let left = total - out.reduce((a, b) => a + b, 0);
  const order = exact.map((x, g) => ({ g, frac: x - Math.floor(x) })).sort((a, b) => b.frac - a.frac);
  for (const { g } of order) {
    if (left <= 0) break;
    out[g] = (out[g] as number) + 1;
    left--;
  }
  // Each group with demand gets at least one slot, taken from the largest shares.
  for (let g = 0; g < n; g++) {
    if ((demand[g] as number) === 0 || (out[g] as number) > 0) continue;
    let donor = -1;
    for (let h = 0; h < n; h++) if ((out[h] as number) > 1 && (donor < 0 || (out[h] as number) > (out[donor] as number))) donor = h;
    if (donor < 0) break;
    out[donor] = (out[donor] as number) - 1;
    out[g] = 1;
  }
  return out;
}

/**
 * The least change to the current split `limits` (summing to `total`) that serves unmet
 * demand: slack (limit above a group's demand) moves to groups whose demand exceeds
 * their limit, proportionally to what they miss (largest remainders); every other group
 * keeps its limit. When every group is saturated, or none misses anything, nothing moves:
 * moving shares between busy groups gains nothing and each move costs a transition
 * (a lowered group keeps running above its new limit until jobs finish, and raises wait
 * for that room). Falls back to splitByDemand when the current split does not sum to
 * `total` (first split, or the limit changed).
 */
export function rebalanceByDemand(total: number, limits: readonly (number | null)[], demand: readonly number[]): number[] {
  if (limits.some((l) => l === null)) return splitByDemand(total, demand);
  const current = limits as readonly number[];
  const sum = current.reduce((a, b) => a + b, 0);
  if (sum > total) return splitByDemand(total, demand);
  // Slots not handed out yet (a raise the last pass could not grant in full) go first.
  const extra = total - sum;
  const slack = current.map((l, g) => Math.max(0, l - (demand[g] as number)));
  const need = current.map((l, g) => Math.max(0, (demand[g] as number) - l));
  const freeable = slack.reduce((a, b) => a + b, 0);
  const missing = need.reduce((a, b) => a + b, 0);
  const moved = Math.min(freeable + extra, missing);
  const out = [...current];
  // Take what `extra` does not cover from the groups with slack, the most slack first.
  let take = Math.max(0, moved - extra);
  for (const g of slack
    .map((x, i) => ({ x, i }))
    .sort((a, b) => b.x - a.x)
    .map((e) => e.i)) {
    if (take === 0) break;
    const t = Math.min(take, slack[g] as number);
    out[g] = (out[g] as number) - t;
    take -= t;
  }
  // Give `moved` to the groups that miss slots, in proportion to what they miss, never above it.
  const give = need.map((n) => (missing === 0 ? 0 : Math.floor((moved * n) / missing)));
  let left = moved - give.reduce((a, b) => a + b, 0);
  const order = need
    .map((n, g) => ({ g, frac: missing === 0 ? 0 : (moved * n) / missing - (give[g] as number) }))
    .sort((a, b) => b.frac - a.frac);
  for (const { g } of order) {
    if (left === 0) break;
    if ((give[g] as number) < (need[g] as number)) {
      give[g] = (give[g] as number) + 1;
      left--;
    }
  }
  // Extra slots nobody misses are spread evenly, ready for arrivals.
  const spare = splitEven(Math.max(0, extra - moved), current.length);
  const result = out.map((l, g) => l + (give[g] as number) + (spare[g] as number));
  unstarve(result, demand);
  return result;
}

/**
 * A group with work and no slot gets one (in place), from the group holding the most:
 * from one holding more than one when there is such a group, else (fewer slots than
 * groups with work) from one holding its only slot, which then waits its turn at a later
 * pass; so with a limit below the number of busy groups, slots rotate instead of
 * starving a group until the others drain.
 */
function unstarve(limits: number[], demand: readonly number[]): void {
  const starved = limits
    .map((l, g) => ({ g, l, d: demand[g] as number }))
    .filter((x) => x.l === 0 && x.d > 0)
    .sort((a, b) => b.d - a.d)
    .map((x) => x.g);
  const gave = new Set<number>();
  for (const g of starved) {
    let donor = -1;
    for (let h = 0; h < limits.length; h++) {
      const l = limits[h] as number;
      if (h === g || l === 0 || starved.includes(h) || gave.has(h)) continue;
      if (donor < 0 || l > (limits[donor] as number)) donor = h;
    }
    if (donor < 0) return;
    limits[donor] = (limits[donor] as number) - 1;
    limits[g] = 1;
    if (limits[donor] === 0) gave.add(donor);
  }
}

/** Rate shares by demand: a 1 % floor spread over all groups, the rest by demand (even when there is none). */
export function rateShares(demand: readonly number[]): number[] {
  const n = demand.length;
  const sum = demand.reduce((a, b) => a + b, 0);
  if (sum === 0) return demand.map(() => 1 / n);
  return demand.map((d) => 0.01 / n + (0.99 * d) / sum);
}

const MAX_PERIOD_MS = 2_147_483_647;

/** One group's share of a queue's rate: the same limit over a longer period, and its part of the burst. */
export function groupRate(rate: Required<RateLimit>, share: number): Required<RateLimit> {
  const periodMs = Math.min(MAX_PERIOD_MS, Math.max(1, Math.round(rate.periodMs / share)));
  return { limit: rate.limit, periodMs, burst: Math.max(1, Math.round(rate.burst * share)) };
}

export interface GroupLimitState {
  /** The group's current concurrency limit for the queue (null: none). */
  limit: number | null;
  running: number;
}

/**
 * The order to apply new per-group limits in without ever allowing more than `total`
 * running: `lower` now, then, after reading running counts again, `raise(states)` gives
 * each group that gains as much of its target as the room left allows.
 */
export function raisesWithinRoom(total: number, target: readonly number[], states: readonly GroupLimitState[]): Map<number, number> {
  const held = (s: GroupLimitState) => Math.max(s.running, s.limit ?? Number.POSITIVE_INFINITY);
  let used = states.reduce((a, s) => a + held(s), 0);
  const out = new Map<number, number>();
  target.forEach((t, g) => {
    const s = states[g] as GroupLimitState;
    if (s.limit !== null && t <= s.limit) return;
    const room = total - (used - held(s));
    const granted = Math.min(t, Math.max(0, room));
    if (s.limit !== null && granted <= s.limit) return;
    out.set(g, granted);
    used += Math.max(s.running, granted) - held(s);
  });
  return out;
}
