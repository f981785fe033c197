import { isConnectionError } from '../errors.js';
import type { Logger } from '../logger.js';
import { PRIORITIES } from '../types.js';
import type { ClaimedRow } from './attempt.js';
import { ClaimPlanner } from './claim-planner.js';
import { DeliveryOrder } from './delivery-order.js';
import type { QueueExecutor } from './executor.js';
import type { ClaimGate, ProbeRequest } from './plugin.js';

/** What one claim returned (src/fairness/claimer.ts). */
export interface ClaimBatch {
  rows: ClaimedRow[];
  /** Queues that may have more to give right away (the claim stopped short of finding out). */
  more: string[];
  /**
   * Queues whose claim a concurrency limit cut short: this process's own finished
   * jobs free room, so the loop claims again once their status is written.
   */
  limited: string[];
  /** Local epoch ms at which held-back work (a delayed job, a token, a hold's end) may start. */
  wakeAt: number | null;
}

export interface ClaimLoopOptions {
  /** Claims up to counts[i] jobs of queues[i]. */
  claim: (queues: string[], counts: number[]) => Promise<ClaimBatch>;
  executors: () => readonly QueueExecutor[];
  /** Fallback poll when no notification arrives. */
  pollIntervalMs: number;
  /** Most jobs a queue may hold beyond its concurrency. */
  maxPrefetch: number;
  /** Seconds of work to keep buffered, at the queue's measured completion rate. */
  prefetchSeconds: number;
  log: Logger;
  /** Which queues may be claimed for now (src/worker/plugin.ts); all when absent. */
  gate?: ClaimGate;
  /** Gives claimed rows back unrun, attempt not charged. */
  release: (rows: ClaimedRow[]) => void;
  /** Status writes of finished jobs queued behind the one in flight (the batcher's backlog). */
  unwritten?: () => number;
}

/** Priority rank of 'normal': lower ranks are urgent and high. */
const NORMAL_RANK = PRIORITIES.indexOf('normal');

/**
 * What one claim statement may take, at the measured cost per claimed job: claims of a
 * process run one after another, and urgent work that arrives during one waits for it
 * (the claim holds its queues' state rows until it commits). Bigger claims save little:
 * the fixed cost of a claim is a couple of ms.
 */
const CLAIM_BUDGET_MS = 25;
/**
 * Never fewer jobs than this per claim because of the budget. A claim costs a fixed part
 * (~3 ms: the lock, the fold, initialising its plan, the commit) plus a part per job that
 * is higher over many tenants, so sizing by the average cost per job made many-tenant
 * claims small on a loaded machine (~230 jobs: twice the claims of one tenant, each
 * paying the fixed part). At 500, a claim over 10,000 tenants costs ~13 ms of backend CPU
 * (one tenant: ~5), inside the budget; the many-tenant burn-downs used 6-23 % less
 * PostgreSQL CPU per job than at 200 (bench/experiments/tenants-cpu.ts,
 * docs/performance.md, fifth pass).
 */
const MIN_CLAIM = 500;

/**
 * Ordinary claims wait while this many status writes are queued (two finish statements'
 * worth, src/worker/batcher.ts): the batcher then has the claim's connection for a second
 * statement, and a burst's finishes keep pace with its claims instead of piling up
 * behind them (docs/performance.md, fourth pass). Urgent work, newcomers and probes
 * are still claimed.
 */
const BACKLOG_PAUSE = 2_000;

/** Shortest sleep before a timed wake-up, so a wake time that is already due cannot spin. */
const MIN_SLEEP_MS = 5;

/**
 * The producer: one loop per process that keeps every queue's local buffer filled
 * with one claim for all of them. It claims when woken (a NOTIFY for one of its
 * queues, a slot freed while more work is known to be waiting, a status flush while a
 * concurrency limit held a queue back, the time the claim said held-back work may
 * start, or the poll timer), claims again at once while claims come back full, and
 * otherwise sleeps: an idle process sends one claim per poll interval, nothing more.
 * What each claim takes of each queue is the planner's call (claim-planner.ts).
 */
export class ClaimLoop {
  private running = false;
  private loopDone: Promise<void> = Promise.resolve();
  private wakeRequested = false;
  private wakeResolve: (() => void) | null = null;
  /**
   * Urgent claims sent beside the loop's claim in flight (at most one per queue), and the
   * queues to claim for again when theirs returns (more urgent work arrived meanwhile).
   */
  private readonly sideClaims = new Map<string, Promise<void>>();
  private readonly sideAgain = new Set<string>();
  /** The loop's claim statement is in flight. */
  private claiming = false;
  /** Rows of claims in flight together reach the executors in tier order (delivery-order.ts). */
  private readonly order = new DeliveryOrder();
  private readonly planner: ClaimPlanner;
  /** Probe claims asked for (one per queue at a time), made at the top of the next round. */
  private readonly probes = new Map<string, ProbeRequest>();
  private outage = false;
  /** Waiting for the batcher's backlog to come down (BACKLOG_PAUSE). */
  private paused = false;
  private inFlight = 0;
  private firstDone: () => void = () => {};
  /** Settles once the first claim came back (or failed), or the loop stopped. */
  readonly firstClaim: Promise<void> = new Promise((resolve) => {
    this.firstDone = resolve;
  });
  /** Moving average of a claim's duration per job claimed (ms), from claims of at least MIN_CLAIM jobs. */
  private msPerJob = 0;
  readonly counters = { claims: 0, claimed: 0, emptyClaims: 0 };

  constructor(private readonly opts: ClaimLoopOptions) {
    this.planner = new ClaimPlanner({
      executors: () => opts.executors(),
      maxPrefetch: opts.maxPrefetch,
      prefetchSeconds: opts.prefetchSeconds,
      order: this.order,
    });
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loopDone = this.loop();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.firstDone();
    this.wake();
    await this.loopDone;
    while (this.sideClaims.size > 0) await Promise.all(this.sideClaims.values());
    for (const req of this.probes.values()) req.done([], 0);
    this.probes.clear();
  }

  /**
   * Claim statements sent whose rows have not been delivered yet. Their jobs are this
   * worker's in the database but in no executor: the rescue must not take them.
   */
  get claimsInFlight(): number {
    return this.inFlight + (this.order.holding ? 1 : 0);
  }

  /** Waiting for a wake-up (no claim in flight, none about to start): its connection is free. */
  get sleeping(): boolean {
    return this.wakeResolve !== null && !this.wakeRequested;
  }

  /** Claims exactly what `req` grants for its queue, ahead of the next ordinary claim. */
  probe(req: ProbeRequest): void {
    if (!this.running || this.probes.has(req.queue)) {
      req.done([], 0);
      return;
    }
    this.probes.set(req.queue, req);
    this.wake();
  }

  /**
   * Claims at once; with `queue`, new jobs arrived there (ClaimPlanner.notify()), the best of
   * them of priority rank `rank`, `arrived.jobs` of one tenant when the notification names it.
   */
  wake(queue?: string, rank?: number, arrived?: { tenant: string; jobs: number }): void {
    if (queue !== undefined) this.planner.notify(queue);
    if (queue !== undefined && rank !== undefined && rank < NORMAL_RANK) {
      // A claim in flight (up to CLAIM_BUDGET_MS of backlog) would make urgent work wait
      // for it and then for one more round trip: claim beside it instead (claimBeside()).
      // With no claim in flight, the loop's next claim, small (its tiers come first).
      if (this.claiming) this.claimBeside(queue);
      else this.planner.urgentNext(queue);
    } else if (queue !== undefined && arrived) this.planner.newcomer(queue, arrived.tenant, arrived.jobs);
    this.wakeRequested = true;
    const r = this.wakeResolve;
    this.wakeResolve = null;
    r?.();
  }

  /** A handler finished: refill when the buffer runs low and more work is known to wait. */
  slotFreed(ex: QueueExecutor): void {
    if (this.planner.slotFreed(ex)) this.wake();
  }

  /** Ordinary claims wait for the status writes (BACKLOG_PAUSE); nothing urgent or new is waiting. */
  private backedUp(): boolean {
    const unwritten = this.opts.unwritten;
    return unwritten !== undefined && unwritten() >= BACKLOG_PAUSE && !this.planner.pressing && this.probes.size === 0;
  }

  /** Finished jobs' status was written: a queue held back by a limit may have room now. */
  flushed(): void {
    if (this.paused && !this.backedUp()) this.wake();
    if (this.planner.flushed()) this.wake();
  }

  /**
   * A claim of `queue` (its concurrency's worth: tiers come first, so the urgent jobs are
   * in it) on the pool's other connection, while the loop's claim is in flight. It queues
   * on the queue's state row behind that claim and runs the moment it commits, with
   * snapshots taken after (claim_jobs.sql), so limits stay exact; it saves the round trip
   * and the delivery of the big claim's rows before a small one is sent. Its rows and the
   * loop claim's reach the executor in tier order whichever reply is read first
   * (delivery-order.ts).
   */
  private claimBeside(queue: string): void {
    if (this.sideClaims.has(queue)) {
      this.sideAgain.add(queue);
      return;
    }
    const ex = this.opts.executors().find((e) => e.queue === queue);
    if (!ex || (this.opts.gate && !this.opts.gate.admits(queue))) {
      this.planner.urgentNext(queue);
      return;
    }
    const count = ex.concurrency;
    const ticket = this.order.begin([queue]);
    this.inFlight++;
    const p = this.opts
      .claim([queue], [count])
      .then(
        (batch) => {
          let { rows } = batch;
          const gate = this.opts.gate;
          if (rows.length > 0 && (!ex.accepting || (gate && !gate.admits(queue)))) {
            this.opts.release(rows);
            rows = [];
          }
          this.countClaim(rows.length);
          // There may be more than this small claim took: the loop's next claim looks.
          this.planner.sideClaimed(queue, rows.length >= count || batch.more.includes(queue), batch.limited.includes(queue));
          this.deliver(this.order.end(ticket, new Map([[queue, rows]])));
        },
        (err: unknown) => {
          this.deliver(this.order.end(ticket, new Map()));
          this.opts.log.warn({ err: String(err), queue }, 'claim beside the one in flight failed; the next claim takes it');
          this.planner.urgentNext(queue);
          this.planner.notify(queue);
        },
      )
      .finally(() => {
        this.inFlight--;
        this.sideClaims.delete(queue);
        if (this.sideAgain.delete(queue) && this.running) {
          if (this.claiming) this.claimBeside(queue);
          else this.planner.urgentNext(queue); // the loop's next claim takes them (tiers first)
        }
        this.wake();
      });
    this.sideClaims.set(queue, p);
  }

  /** Gives rows to their queues' executors (released when the queue is no longer worked here). */
  private deliver(ready: ReadonlyMap<string, ClaimedRow[]>): void {
    if (ready.size === 0) return;
    const executors = this.opts.executors();
    for (const [queue, rows] of ready) {
      const ex = executors.find((e) => e.queue === queue);
      if (ex) ex.deliver(rows);
      else this.opts.release(rows);
    }
  }

  private async runProbes(): Promise<void> {
    for (const req of [...this.probes.values()]) {
      this.probes.delete(req.queue);
      const ex = this.opts.executors().find((e) => e.queue === req.queue);
      let granted = 0;
      let rows: ClaimedRow[] = [];
      let ticket: number | undefined;
      try {
        const free = ex ? ex.concurrency - ex.active - ex.buffered - this.order.heldFor(req.queue) : 0;
        if (free > 0) granted = await req.grant(free);
        if (granted > 0) {
          // Counted until the rows are delivered below, in this same synchronous run.
          this.inFlight++;
          ticket = this.order.begin([req.queue]);
          try {
            rows = (await this.opts.claim([req.queue], [granted])).rows;
          } finally {
            this.inFlight--;
          }
          this.countClaim(rows.length);
        }
      } catch (err) {
        this.opts.log.warn({ err: String(err), queue: req.queue }, 'could not claim probe jobs');
      }
      if (rows.length > 0 && !ex?.accepting) {
        this.opts.release(rows); // the queue's worker stopped meanwhile
        rows = [];
      }
      req.done(
        rows.map((r) => r.id),
        granted,
      );
      if (ticket !== undefined) this.deliver(this.order.end(ticket, new Map([[req.queue, rows]])));
    }
  }

  private async loop(): Promise<void> {
    let backoff = 0;
    while (this.running) {
      this.wakeRequested = false;
      if (this.probes.size > 0) await this.runProbes();
      if (this.backedUp()) {
        // Woken by the flush that brings the backlog down (flushed()), or by urgent work.
        this.paused = true;
        await this.sleepOrWake(this.opts.pollIntervalMs);
        this.paused = false;
        continue;
      }
      const gate = this.opts.gate;
      const plan = this.planner.next(gate);
      const { queues, counts } = plan;
      this.fitBudget(counts);
      let sleepMs = this.opts.pollIntervalMs;
      if (queues.length > 0) {
        let batch: ClaimBatch;
        const ticket = this.order.begin(queues);
        try {
          const started = performance.now();
          // Counted until the rows are delivered below, in this same synchronous run.
          this.inFlight++;
          this.claiming = true;
          try {
            batch = await this.opts.claim(queues, counts);
          } finally {
            this.inFlight--;
            this.claiming = false;
          }
          if (batch.rows.length >= MIN_CLAIM) {
            const sample = (performance.now() - started) / batch.rows.length;
            this.msPerJob = this.msPerJob === 0 ? sample : 0.7 * this.msPerJob + 0.3 * sample;
          }
          if (this.outage) {
            this.outage = false;
            this.opts.log.warn({}, 'claims resumed');
          }
          backoff = 0;
          this.firstDone();
        } catch (err) {
          this.deliver(this.order.end(ticket, new Map()));
          this.planner.restore(plan);
          this.firstDone();
          if (!this.outage) {
            this.outage = true;
            this.opts.log.warn({ err: String(err), connection: isConnectionError(err) }, 'claim failed; backing off');
          }
          backoff = Math.min(5_000, Math.max(100, backoff * 2));
          await this.sleepOrWake(backoff);
          continue;
        }
        let { rows } = batch;
        // The gate can close (a breaker opens, the guard trips) while the claim is in
        // flight: rows of a queue that may no longer run here go straight back.
        if (gate && rows.length > 0 && queues.some((q) => !gate.admits(q))) {
          const back = rows.filter((r) => !gate.admits(r.queue));
          rows = rows.filter((r) => gate.admits(r.queue));
          this.opts.release(back);
        }
        this.countClaim(rows.length);
        const got = new Map<string, ClaimedRow[]>();
        for (const row of rows) {
          const list = got.get(row.queue);
          if (list) list.push(row);
          else got.set(row.queue, [row]);
        }
        const anyFull = this.planner.claimed(plan, got, batch);
        this.deliver(this.order.end(ticket, got));
        if (anyFull) continue;
        if (batch.wakeAt !== null) sleepMs = Math.min(sleepMs, Math.max(MIN_SLEEP_MS, batch.wakeAt - Date.now()));
      }
      await this.sleepOrWake(sleepMs);
    }
  }

  /** Counts one claim that came back (the loop's, a side claim or a probe) and what it took. */
  private countClaim(taken: number): void {
    this.counters.claims++;
    this.counters.claimed += taken;
    if (taken === 0) this.counters.emptyClaims++;
  }

  /** Scales the counts down (in place) to what one claim should take (CLAIM_BUDGET_MS). */
  private fitBudget(counts: number[]): void {
    if (this.msPerJob === 0) return;
    const max = Math.max(MIN_CLAIM, Math.floor(CLAIM_BUDGET_MS / this.msPerJob));
    const total = counts.reduce((a, b) => a + b, 0);
    if (total <= max) return;
    for (let i = 0; i < counts.length; i++) counts[i] = Math.max(1, Math.floor(((counts[i] as number) * max) / total));
  }

  /** Sleeps for `ms` or until woken (a notification, a freed slot, a flush, stop()). */
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
