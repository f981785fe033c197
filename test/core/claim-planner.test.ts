/**
 * The claim planner's memory of arrivals across a failed claim: what a plan was to answer
 * (urgent work, a newcomer tenant, a notification) sizes the next claim when that plan's
 * claim fails. Pure logic (no database): the planner reads only these fields of its
 * queues' executors.
 */
import { describe, expect, it } from 'vitest';
import { ClaimPlanner } from '../../src/worker/claim-planner.js';
import { DeliveryOrder } from '../../src/worker/delivery-order.js';
import type { QueueExecutor } from '../../src/worker/executor.js';

/** A queue whose buffer already holds `buffered` jobs of one tenant ('a'). */
function busyQueue(buffered: number): QueueExecutor {
  const ex = { queue: 'q', concurrency: 10, buffered, active: 10, ratePerSec: 1_000, buffers: (t: string) => t === 'a' };
  return ex as unknown as QueueExecutor;
}

function planner(ex: QueueExecutor): ClaimPlanner {
  return new ClaimPlanner({ executors: () => [ex], maxPrefetch: 1_000, prefetchSeconds: 1, order: new DeliveryOrder() });
}

describe('ClaimPlanner', () => {
  it('sizes the claim after a failed one for the urgent work the failed one was to take', () => {
    const p = planner(busyQueue(1_000));
    // Full buffer, nothing arrived: no claim.
    expect(p.next(undefined).queues).toEqual([]);
    // The listener reports an urgent arrival as a notification and urgent work.
    p.notify('q');
    p.urgentNext('q');
    const plan = p.next(undefined);
    expect(plan.counts).toEqual([10]); // a small claim: its tiers come first
    // Answered: the next plan does not claim again.
    expect(p.next(undefined).queues).toEqual([]);
    // ...unless the claim failed.
    p.restore(plan);
    expect(p.next(undefined).counts).toEqual([10]);
  });

  it("keeps a newcomer tenant's claim across a failed claim", () => {
    const p = planner(busyQueue(1_000));
    p.newcomer('q', 'b', 50);
    const plan = p.next(undefined);
    // Twice what it brought, at least a quarter of the target (10 + 1,000 prefetch).
    expect(plan.counts).toEqual([253]);
    expect(p.next(undefined).queues).toEqual([]);
    p.restore(plan);
    expect(p.next(undefined).counts).toEqual([253]);
    // A tenant the buffer already holds is no newcomer.
    p.newcomer('q', 'a', 50);
    expect(p.next(undefined).queues).toEqual([]);
  });
});
