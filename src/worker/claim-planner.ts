import type { ClaimedRow } from './attempt.js';
import type { DeliveryOrder } from './delivery-order.js';
import type { QueueExecutor } from './executor.js';
import type { ClaimGate } from './plugin.js';

export interface ClaimPlannerOptions {
  executors: () => readonly QueueExecutor[];
  /** Most jobs a queue may hold beyond its concurrency. */
  maxPrefetch: number;
  /** Seconds of work to keep buffered, at the queue's measured completion rate. */
  prefetchSeconds: number;
  /** Claimed rows held back for tier order count as held by their queue. */
  order: DeliveryOrder;
}

/** One claim statement's share per queue: counts[i] jobs of queues[i]. */
export interface ClaimPlan {
  queues: string[];
  counts: number[];
  byQueue: Map<string, QueueExecutor>;
  /** The arrivals this plan answers (forgotten by next(); restore() puts them back if the claim fails). */
  answers: { notified: string[]; urgent: string[]; newcomers: Array<[string, number]> };
}

/** What a claim's reply says about the queues it claimed for (ClaimBatch, src/worker/claim-loop.ts). */
export interface ClaimReply {
  /** Queues that may have more to give right away. */
  more: readonly string[];
  /** Queues whose claim a concurrency limit cut short. */
  limited: readonly string[];
}

/**
 * Decides what the claim loop's next claim takes of each queue (src/worker/claim-loop.ts
 * decides when to claim). It remembers, per queue, what past claims and notifications
 * said: more work waiting, a limit cutting claims short, urgent work or a new tenant
 * arrived.
 *
 * Prefetch adapts: a queue holds its concurrency plus about `prefetchSeconds` of work
 * at its recent completion rate (capped by `maxPrefetch`), so fast jobs are claimed in
 * large batches (few transactions) and slow jobs are not hoarded away from other
 * processes. Claimed jobs count against concurrency limits while buffered, so a
 * limited queue is claimed for as soon as any room frees rather than in large batches.
 */
export class ClaimPlanner {
  /** Queues whose last claim came back full: more is waiting. */
  private readonly more = new Set<string>();
  /**
   * Slow start per queue: extra prefetch that quadruples whenever a claim came back full
   * while the queue's handlers were starving (idle slots, empty buffer), so a burst is
   * claimed in a handful of growing statements instead of waiting for the rate
   * estimate to warm up (20 → 80 → 320 → 1,280 → 4,000 at concurrency 20: doubling took
   * nine claims to get there, each a round trip with handlers idle). Reset when a claim comes back short (the backlog is drained).
   */
  private readonly boost = new Map<string, number>();
  /** Queues whose last claim a concurrency limit cut short. */
  private readonly limited = new Set<string>();
  /**
   * Limited queues with a job finished here since, and how many more status flushes
   * should wake the loop for them (the flush in flight may predate that job's write).
   */
  private readonly freedLimited = new Map<string, number>();
  /**
   * Queues with newly enqueued jobs since the last claim. Their claim does not wait for
   * the buffer to drain: it takes at least a quarter of the target at once (up to twice
   * the target buffered), so a tenant that just arrived gets its fair share of that claim
   * instead of waiting behind jobs already buffered for others.
   */
  private readonly notified = new Set<string>();
  /**
   * Queues where urgent or high-priority jobs arrived since the last claim. A full buffer
   * of lower-tier jobs must not delay them: their queue is claimed for at once, a small
   * claim (its concurrency) whatever the buffer holds, and the claim takes tiers in
   * order, so they come first; the executor's buffer runs tiers in order too.
   */
  private readonly urgent = new Set<string>();
  /** Queues where a tenant the buffer holds nothing of arrived, and the claim size it gets (see newcomer()). */
  private readonly newcomers = new Map<string, number>();

  constructor(private readonly opts: ClaimPlannerOptions) {}

  /** New jobs arrived in `queue` (see `notified`). */
  notify(queue: string): void {
    this.notified.add(queue);
  }

  /** Urgent or high-priority jobs of `queue` wait for the next claim (see `urgent`). */
  urgentNext(queue: string): void {
    this.urgent.add(queue);
  }

  /** Urgent work or a newcomer waits: claimed for even while ordinary claims pause. */
  get pressing(): boolean {
    return this.urgent.size > 0 || this.newcomers.size > 0;
  }

  /**
   * Jobs of `tenant` arrived in `queue`, and the buffer holds none of its jobs. The
   * ordinary notified claim takes a quarter of the target, and nothing while the buffer
   * is at its cap (twice the target, e.g. topped up by notifications of another tenant's
   * enqueues); the fair claim shares each claim's turns between the tenants with work,
   * so the newcomer got a slice and waited for the buffer to drain for the rest. Claim
   * twice the jobs it brought instead (with one tenant already buffered, the fair claim
   * then gives it all of them), at least a quarter of the target and the concurrency, at
   * most the target, in the loop's next claim. The buffer starts the newcomer's jobs between the others' (round robin). Bounded: the
   * ordinary path never holds more than 2 × (concurrency + maxPrefetch); this stops at 3 ×.
   */
  newcomer(queue: string, tenant: string, jobs: number): void {
    const ex = this.opts.executors().find((e) => e.queue === queue);
    if (!ex || ex.buffers(tenant)) return;
    const target = this.target(ex);
    const held = ex.buffered + ex.active + this.opts.order.heldFor(queue);
    const cap = 3 * (ex.concurrency + this.opts.maxPrefetch);
    if (held >= cap) return;
    const n = Math.min(cap - held, Math.max(ex.concurrency, Math.ceil(target / 4), Math.min(2 * jobs, target)));
    this.newcomers.set(queue, Math.max(n, this.newcomers.get(queue) ?? 0));
  }

  /** A handler of `ex` finished; true when the buffer runs low and more work is known to wait. */
  slotFreed(ex: QueueExecutor): boolean {
    if (this.limited.has(ex.queue)) this.freedLimited.set(ex.queue, 2);
    return this.more.has(ex.queue) && ex.buffered <= this.target(ex) / 2;
  }

  /** Finished jobs' status was written; true when a queue held back by a limit may have room now. */
  flushed(): boolean {
    if (this.freedLimited.size === 0) return false;
    for (const [q, n] of this.freedLimited) {
      if (n <= 1) this.freedLimited.delete(q);
      else this.freedLimited.set(q, n - 1);
    }
    return true;
  }

  private target(ex: QueueExecutor): number {
    const byRate = Math.ceil(ex.ratePerSec * this.opts.prefetchSeconds);
    const prefetch = Math.min(this.opts.maxPrefetch, Math.max(byRate, this.boost.get(ex.queue) ?? 0));
    return ex.concurrency + prefetch;
  }

  /** What the next claim takes of each queue the gate admits; forgets the arrivals it answers. */
  next(gate: ClaimGate | undefined): ClaimPlan {
    const queues: string[] = [];
    const counts: number[] = [];
    const byQueue = new Map<string, QueueExecutor>();
    for (const ex of this.opts.executors()) {
      if (gate && !gate.admits(ex.queue)) continue;
      const target = this.target(ex);
      const held = ex.buffered + ex.active + this.opts.order.heldFor(ex.queue);
      let n = target - held;
      // Skip crumbs: wait until a quarter of the target is free (at least one
      // slot), except where a limit hands out room a slot at a time.
      let least = this.limited.has(ex.queue) ? 1 : Math.max(1, Math.floor(target / 4));
      if (this.notified.has(ex.queue)) {
        n = Math.min(Math.max(n, Math.ceil(target / 4)), 2 * target - held);
        least = 1;
      }
      // Urgent work waiting: a small claim (its tiers come first), so it is back in a
      // few ms rather than after a large batch of the backlog.
      if (this.urgent.has(ex.queue)) n = ex.concurrency;
      const forNewcomer = this.newcomers.get(ex.queue);
      if (forNewcomer !== undefined) {
        n = Math.max(n, forNewcomer);
        least = 1;
      }
      if (n >= least) {
        queues.push(ex.queue);
        counts.push(n);
        byQueue.set(ex.queue, ex);
      }
    }
    const answers = { notified: [...this.notified], urgent: [...this.urgent], newcomers: [...this.newcomers] };
    this.notified.clear();
    this.urgent.clear();
    this.newcomers.clear();
    return { queues, counts, byQueue, answers };
  }

  /**
   * The claim of `plan` failed (an outage): the arrivals it was to answer wait for the
   * next claim again, so that claim is sized for them (urgent work small, a newcomer
   * its share) as this one was.
   */
  restore(plan: ClaimPlan): void {
    for (const q of plan.answers.notified) this.notified.add(q);
    for (const q of plan.answers.urgent) this.urgent.add(q);
    for (const [q, n] of plan.answers.newcomers) this.newcomers.set(q, Math.max(n, this.newcomers.get(q) ?? 0));
  }

  /**
   * The claim of `plan` came back with `got` per queue (before delivery, so the buffers
   * show what the handlers had during the round trip). True when any queue came back
   * full: the loop claims again at once.
   */
  claimed(plan: ClaimPlan, got: ReadonlyMap<string, ClaimedRow[]>, reply: ClaimReply): boolean {
    const limited = new Set(reply.limited);
    const more = new Set(reply.more);
    let anyFull = false;
    plan.queues.forEach((q, i) => {
      const list = got.get(q) ?? [];
      const ex = plan.byQueue.get(q) as QueueExecutor;
      if (list.length >= (plan.counts[i] as number) || more.has(q)) {
        this.more.add(q);
        anyFull = true;
        // Judged when the claim returns: idle slots and an empty buffer mean the
        // handlers ran dry during the round trip.
        if (ex.buffered === 0 && ex.active < ex.concurrency) {
          this.boost.set(q, Math.min(this.opts.maxPrefetch, 4 * Math.max(ex.concurrency, this.boost.get(q) ?? 0)));
        }
      } else {
        this.more.delete(q);
        this.boost.delete(q);
      }
      if (limited.has(q)) this.limited.add(q);
      else {
        this.limited.delete(q);
        this.freedLimited.delete(q);
      }
    });
    return anyFull;
  }

  /**
   * A small claim of `queue` sent beside the loop's came back: `full` when there may be
   * more than it took (the loop's next claim looks), `limited` when a limit cut it short.
   */
  sideClaimed(queue: string, full: boolean, limited: boolean): void {
    if (limited) this.limited.add(queue);
    if (full) {
      this.more.add(queue);
      this.notified.add(queue);
    }
  }
}
