import type { ClaimedRow } from './attempt.js';

/** Rows held for one queue, and the claims they wait for. */
interface Held {
  rows: ClaimedRow[];
  after: Set<number>;
}

/**
 * Hands claimed rows to the executors in an order that keeps priority tiers exact when
 * two claims of a queue are in flight at once (the loop's, and one sent beside it for
 * urgent work, src/worker/claim-loop.ts).
 *
 * Claims of a queue are serialized by its state row's lock, and each takes the best
 * jobs left when it holds it, so in commit order they hand out tiers in order. Their
 * replies can be handled in another order: the claim that committed first can be read
 * after the one that waited for it (its backend descheduled between its commit, which
 * wakes the waiter, and its reply; or its reply read second by the event loop). An
 * executor with a free slot starts what it is given at once, so a `low` job claimed
 * second could start before an `urgent` one claimed first and not yet delivered
 * (test/core/worker.test.ts, "priority tiers run in order", failed 1 run in 6 that way;
 * test/core/urgent-order.test.ts holds a reply back to show it every time).
 *
 * So rows that come back while another claim of their queue is in flight are held until
 * that claim is back too, then given to the executor together (its buffer orders them
 * by tier): nothing can start out of order in between. Rows of the top tier (urgent)
 * are given at once: no claim can hold anything that should start before them.
 */
export class DeliveryOrder {
  private seq = 0;
  /** Claims in flight and their queues. */
  private readonly open = new Map<number, readonly string[]>();
  private readonly held = new Map<string, Held>();

  /** A claim of `queues` is sent; pass the returned ticket to end(). */
  begin(queues: readonly string[]): number {
    const ticket = ++this.seq;
    this.open.set(ticket, queues);
    return ticket;
  }

  /**
   * The claim `ticket` came back (with `rows` per queue; none when it failed). Returns,
   * per queue, the rows that may be given to its executor now: its own and those held
   * until it came back.
   */
  end(ticket: number, rows: ReadonlyMap<string, ClaimedRow[]>): Map<string, ClaimedRow[]> {
    this.open.delete(ticket);
    const out = new Map<string, ClaimedRow[]>();
    for (const [queue, h] of this.held) {
      h.after.delete(ticket);
      if (h.after.size === 0) {
        this.held.delete(queue);
        out.set(queue, h.rows);
      }
    }
    for (const [queue, list] of rows) {
      if (list.length === 0) continue;
      const others: number[] = [];
      for (const [t, queues] of this.open) if (queues.includes(queue)) others.push(t);
      const now = out.get(queue) ?? [];
      if (others.length === 0) {
        out.set(queue, now.concat(list));
        continue;
      }
      let h = this.held.get(queue);
      if (!h) {
        h = { rows: [], after: new Set() };
        this.held.set(queue, h);
      }
      for (const row of list) (row.priority === 0 ? now : h.rows).push(row);
      for (const t of others) h.after.add(t);
      if (h.rows.length === 0) this.held.delete(queue);
      if (now.length > 0) out.set(queue, now);
    }
    return out;
  }

  /** Rows of `queue` held back (claimed, in no executor yet). */
  heldFor(queue: string): number {
    return this.held.get(queue)?.rows.length ?? 0;
  }

  /** Whether any claimed rows are held back. */
  get holding(): boolean {
    return this.held.size > 0;
  }
}
