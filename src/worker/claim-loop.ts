import { isConnectionError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { ClaimedRow, QueueExecutor } from './executor.js';

export interface ClaimLoopOptions {
  /** Runs claim.sql for these (queue, n) pairs. */
  claim: (queues: string[], counts: number[]) => Promise<ClaimedRow[]>;
  executors: () => readonly QueueExecutor[];
  /** Fallback poll when no notification arrives (delayed and retried jobs). */
  pollIntervalMs: number;
  /** Most jobs a queue may hold beyond its concurrency. */
  maxPrefetch: number;
  /** Seconds of work to keep buffered, at the queue's measured completion rate. */
  prefetchSeconds: number;
  log: Logger;
  /** False while a guard (e.g. the database being away) says not to claim. */
  canClaim?: () => boolean;
}

/**
 * The producer: one loop per process that keeps every queue's local buffer filled
 * with one claim statement for all of them. It claims when woken (a NOTIFY for one of
 * its queues, a slot freed while more work is known to be waiting, or the poll timer),
 * claims again at once while claims come back full, and otherwise sleeps: an idle
 * process sends one claim per poll interval, nothing more.
 *
 * Prefetch adapts: a queue holds its concurrency plus about `prefetchSeconds` of work
 * at its recent completion rate (capped by `maxPrefetch`), so fast jobs are claimed in
 * large batches (few transactions) and slow jobs are not hoarded away from other
 * processes.
 */
export class ClaimLoop {
  private running = false;
  private loopDone: Promise<void> = Promise.resolve();
  private wakeRequested = false;
  private wakeResolve: (() => void) | null = null;
  /** Queues whose last claim came back full: more is waiting. */
  private readonly more = new Set<string>();
  /**
   * Slow start per queue: extra prefetch that doubles whenever a claim came back full
   * while the queue's handlers were starving (idle slots, empty buffer), so a burst is
   * claimed in a handful of growing statements instead of waiting for the rate
   * estimate to warm up. Reset when a claim comes back short (the backlog is drained).
   */
  private readonly boost = new Map<string, number>();
  private outage = false;
  readonly counters = { claims: 0, claimed: 0, emptyClaims: 0 };

  constructor(private readonly opts: ClaimLoopOptions) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loopDone = this.loop();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loopDone;
  }

  wake(): void {
    this.wakeRequested = true;
    const r = this.wakeResolve;
    this.wakeResolve = null;
    r?.();
  }

  /** A handler finished: refill when the buffer runs low and more work is known to wait. */
  slotFreed(ex: QueueExecutor): void {
    if (this.more.has(ex.queue) && ex.buffered <= this.target(ex) / 2) this.wake();
  }

  private target(ex: QueueExecutor): number {
    const byRate = Math.ceil(ex.ratePerSec * this.opts.prefetchSeconds);
    const prefetch = Math.min(this.opts.maxPrefetch, Math.max(byRate, this.boost.get(ex.queue) ?? 0));
    return ex.concurrency + prefetch;
  }

  private async loop(): Promise<void> {
    let backoff = 0;
    while (this.running) {
      this.wakeRequested = false;
      const queues: string[] = [];
      const counts: number[] = [];
      const byQueue = new Map<string, QueueExecutor>();
      if (this.opts.canClaim?.() ?? true) {
        for (const ex of this.opts.executors()) {
          const target = this.target(ex);
          const n = target - ex.buffered - ex.active;
          // Skip crumbs: wait until a quarter of the target is free (at least one slot).
          if (n >= Math.max(1, Math.floor(target / 4))) {
            queues.push(ex.queue);
            counts.push(n);
            byQueue.set(ex.queue, ex);
          }
        }
      }
      if (queues.length > 0) {
        let rows: ClaimedRow[];
        try {
          rows = await this.opts.claim(queues, counts);
          if (this.outage) {
            this.outage = false;
            this.opts.log.warn({}, 'claims resumed');
          }
          backoff = 0;
        } catch (err) {
          if (!this.outage) {
            this.outage = true;
            this.opts.log.warn({ err: String(err), connection: isConnectionError(err) }, 'claim failed; backing off');
          }
          backoff = Math.min(5_000, Math.max(100, backoff * 2));
          await this.sleepOrWake(backoff);
          continue;
        }
        this.counters.claims++;
        this.counters.claimed += rows.length;
        if (rows.length === 0) this.counters.emptyClaims++;
        const got = new Map<string, ClaimedRow[]>();
        for (const row of rows) {
          const list = got.get(row.queue);
          if (list) list.push(row);
          else got.set(row.queue, [row]);
        }
        let anyFull = false;
        queues.forEach((q, i) => {
          const list = got.get(q) ?? [];
          const ex = byQueue.get(q) as QueueExecutor;
          if (list.length >= (counts[i] as number)) {
            this.more.add(q);
            anyFull = true;
            // Judged when the claim returns: idle slots and an empty buffer mean the
            // handlers ran dry during the round trip.
            if (ex.buffered === 0 && ex.active < ex.concurrency) {
              this.boost.set(q, Math.min(this.opts.maxPrefetch, Math.max(ex.concurrency, 2 * (this.boost.get(q) ?? 0))));
            }
          } else {
            this.more.delete(q);
            this.boost.delete(q);
          }
          if (list.length > 0) ex.deliver(list);
        });
        if (anyFull) continue;
      }
      await this.sleepOrWake(this.opts.pollIntervalMs);
    }
  }

  /** Sleeps for `ms` or until woken (a notification, a freed slot, stop()). */
  private async sleepOrWake(ms: number): Promise<void> {
    if (this.wakeRequested || !this.running) return;
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      this.wakeResolve = resolve;
      timer = setTimeout(resolve, ms);
    });
    clearTimeout(timer);
    this.wakeResolve = null;
  }
}
