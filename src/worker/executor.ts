import { JobCancelledError, LeaseLostError, RateLimitedError, ShutdownAbortError, TimeoutError } from '../errors.js';
import { FairBuffer } from '../fairness/fair-buffer.js';
import type { Handler, Job } from '../types.js';
import { Attempt, type AttemptDeps, type ClaimedRow, completion, errorJson, failure, isThenable, jobOf } from './attempt.js';
import type { FinishUpdate } from './batcher.js';
import type { SlotBudget } from './hooks.js';
import type { RetryPolicy } from './retry.js';

export interface JobOutcome {
  job: Job;
  kind: FinishUpdate['kind'];
  durationMs: number;
  error?: unknown;
  result?: unknown;
}

/** What the executor is given; `log`, `enterBreaker` and `jobLogs` reach each attempt's ctx. */
export interface ExecutorOptions extends AttemptDeps {
  queue: string;
  concurrency: number;
  handler: Handler;
  retry: RetryPolicy;
  /** Default per-attempt timeout for jobs enqueued without one. */
  timeoutMs: number | null;
  /** Hands a finished attempt's status write to the batcher. */
  finish: (update: FinishUpdate) => void;
  /** Called when a slot frees up, so the claim loop can refill the buffer. */
  onSlotFree: () => void;
  onOutcome?: (outcome: JobOutcome) => void;
  /** Slots shared with other executors (src/worker/hooks.ts); each running handler holds one. */
  budget?: SlotBudget;
}

interface Held {
  row: ClaimedRow;
  /** Set once its handler started. */
  attempt: Attempt | null;
}

/**
 * Handlers started per event-loop turn before the executor yields (setImmediate). Fast
 * handlers finish in microtasks, and each finish starts the next job in the same chain:
 * without a yield, a buffer of thousands drains in one turn and nothing else runs
 * meanwhile (no claim result, no flush, no NOTIFY of urgent work is read).
 */
const STARTS_PER_TURN = 100;

/**
 * Runs one queue's handlers: a local buffer of claimed jobs and at most `concurrency`
 * handlers at a time. Every claimed job (buffered or running) is "held": the lease
 * keeper renews its lease until its status write has been handed to the batcher.
 */
export class QueueExecutor {
  /** Claimed, not started: tiers first, then round robin across tenants (src/fairness/fair-buffer.ts). */
  private readonly buffer = new FairBuffer<ClaimedRow>();
  /** Restarts the pump when a local rate-limit hold ends. */
  private holdTimer: NodeJS.Timeout | null = null;
  private running = 0;
  /** Handlers started in this event-loop turn, and whether a resume is scheduled. */
  private startedThisTurn = 0;
  private resumeScheduled = false;
  private readonly held = new Map<string, Held>();
  private idleWaiters: Array<() => void> = [];
  /** Set when the queue stops: rows of a claim that was still in flight go straight back. */
  private closed = false;
  /** Completions in the last second, for adaptive prefetch. */
  private rateWindowStart = Date.now();
  private rateCount = 0;
  ratePerSec = 0;

  constructor(private readonly opts: ExecutorOptions) {}

  get queue(): string {
    return this.opts.queue;
  }
  /** What claims are planned for: the concurrency, or its share of a shared budget (src/worker/hooks.ts). */
  get concurrency(): number {
    return this.opts.budget ? this.opts.budget.share(this) : this.opts.concurrency;
  }
  /** Whether a job of `tenant` waits in the buffer (then new jobs of it need no claim of their own). */
  buffers(tenant: string): boolean {
    return this.buffer.hasTenant(tenant);
  }

  get buffered(): number {
    return this.buffer.size;
  }
  get active(): number {
    return this.running;
  }
  /** False once the queue is stopping: delivered rows go straight back. */
  get accepting(): boolean {
    return !this.closed;
  }

  heldJobs(): Iterable<[string, number]> {
    const out: Array<[string, number]> = [];
    for (const [id, h] of this.held) out.push([id, h.row.attempt]);
    return out;
  }

  deliver(rows: ClaimedRow[]): void {
    if (this.closed) {
      for (const row of rows) {
        this.opts.finish({ id: row.id, attempt: row.attempt, kind: 'release', result: null, error: null, delayMs: 0 });
      }
      return;
    }
    if (this.rateCount === 0 && Date.now() - this.rateWindowStart > 250) {
      // Work after a quiet spell: measure the rate from now, not across the idle time.
      this.rateWindowStart = Date.now();
    }
    for (const row of rows) {
      this.held.set(row.id, { row, attempt: null });
      this.buffer.push(row);
    }
    this.pump();
  }

  /** Another process took over this job (our lease expired): stop it, write nothing. */
  leaseLost(id: string): void {
    const h = this.held.get(id);
    if (!h) return;
    this.held.delete(id);
    if (h.attempt) h.attempt.abort(new LeaseLostError(`lease on job ${id} was lost`));
    else this.buffer.remove(h.row);
    this.opts.log.warn({ jobId: id }, 'lease lost; the job was given to another worker');
  }

  /**
   * An operator cancelled this job (admin API): a running handler's signal aborts, a
   * buffered job ends without running. Either way its finish is written, and
   * finish_batch.sql archives it as cancelled (the row carries cancel_requested_at).
   */
  cancel(id: string): void {
    const h = this.held.get(id);
    if (!h) return;
    const reason = new JobCancelledError(`job ${id} was cancelled by an operator`);
    if (h.attempt) {
      h.attempt.abort(reason);
      return;
    }
    this.held.delete(id);
    this.buffer.remove(h.row);
    this.opts.finish({ id, attempt: h.row.attempt, kind: 'dead', result: null, error: errorJson(reason, h.row.attempt), delayMs: null });
  }

  /** The queue is stopping: buffered jobs go back now, and so do rows of a claim still in flight. */
  close(): number {
    this.closed = true;
    return this.releaseBuffered();
  }

  /** Returns claimed-but-unstarted jobs to the queue without charging an attempt. */
  releaseBuffered(): number {
    const rows = this.buffer.drain();
    for (const row of rows) {
      this.held.delete(row.id);
      this.opts.finish({ id: row.id, attempt: row.attempt, kind: 'release', result: null, error: null, delayMs: 0 });
    }
    return rows.length;
  }

  /** Aborts running handlers (shutdown grace period over); they fail retryably. */
  abortRunning(): void {
    for (const h of this.held.values()) h.attempt?.abort(new ShutdownAbortError('worker shut down before the job finished'));
  }

  /** Resolves when no handler is running. */
  idle(): Promise<void> {
    if (this.running === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** A shared budget's slot may be free (src/worker/hooks.ts). */
  resume(): void {
    this.pump();
  }

  private pump(): void {
    while (this.running < this.opts.concurrency) {
      if (this.startedThisTurn >= STARTS_PER_TURN) {
        this.resumeNextTurn();
        return;
      }
      const budget = this.opts.budget;
      const slot = budget !== undefined && this.buffer.size > 0;
      if (slot && !budget.take(this)) break;
      const row = this.buffer.shift();
      if (!row) {
        if (slot) budget.give();
        break;
      }
      this.running++;
      if (this.startedThisTurn++ === 0) this.resumeNextTurn();
      void this.run(row);
    }
    // Jobs held back by a local rate-limit hold start when it ends.
    if (this.buffer.size > 0 && this.running < this.opts.concurrency && !this.holdTimer) {
      const release = this.buffer.nextRelease();
      if (release !== null) {
        this.holdTimer = setTimeout(() => {
          this.holdTimer = null;
          this.pump();
        }, release - Date.now());
        this.holdTimer.unref();
      }
    }
  }

  /** Starts counting a new turn (and pumps) once the event loop has been through I/O. */
  private resumeNextTurn(): void {
    if (this.resumeScheduled) return;
    this.resumeScheduled = true;
    setImmediate(() => {
      this.resumeScheduled = false;
      this.startedThisTurn = 0;
      this.pump();
    });
  }

  private async run(row: ClaimedRow): Promise<void> {
    const { opts } = this;
    const held = this.held.get(row.id);
    const job = jobOf(row, opts.timeoutMs);
    const attempt = new Attempt(row, job, opts);
    if (held) held.attempt = attempt;
    const started = performance.now();
    let timer: NodeJS.Timeout | null = null;
    let update: FinishUpdate;
    let outcome: JobOutcome;
    try {
      if (job.timeoutMs !== null) {
        const ms = job.timeoutMs;
        timer = setTimeout(() => attempt.abort(new TimeoutError(`job timed out after ${ms} ms`)), ms);
      }
      // Settles on the first of: the handler, its timeout, or an abort (lease lost /
      // shutdown / cancel). A handler that ignores its signal keeps running in the
      // background, but its slot and its job are released: the attempt is recorded as failed.
      const returned = opts.handler(job, attempt);
      const result = isThenable(returned) ? await attempt.settle(returned) : await returned;
      update = completion(row, result, opts.log);
      outcome = { job, kind: 'complete', durationMs: performance.now() - started, result };
    } catch (err) {
      if (err instanceof RateLimitedError) {
        // Hold the tenant (or queue) here at once; finish_batch.sql holds it cluster-wide.
        this.buffer.hold(err.scope === 'queue' ? null : row.tenant, Date.now() + Math.max(0, err.delayMs));
      }
      update = failure(row, err, opts.retry);
      outcome = { job, kind: update.kind, durationMs: performance.now() - started, error: err };
    } finally {
      if (timer) clearTimeout(timer);
    }
    if (this.held.delete(row.id)) opts.finish(update);
    opts.onOutcome?.(outcome);
    this.countRate();
    this.running--;
    opts.budget?.give();
    this.pump();
    if (this.running === 0 && this.idleWaiters.length > 0) {
      for (const w of this.idleWaiters.splice(0)) w();
    }
    opts.onSlotFree();
  }

  private countRate(): void {
    this.rateCount++;
    const now = Date.now();
    // Every 250 ms, or sooner once `concurrency` jobs have finished: fast jobs get their
    // prefetch within milliseconds of a cold start; slow ones are never hoarded.
    const elapsed = now - this.rateWindowStart;
    if (elapsed >= 250 || (elapsed >= 5 && this.rateCount >= this.opts.concurrency)) {
      this.ratePerSec = (this.rateCount * 1000) / (now - this.rateWindowStart);
      this.rateWindowStart = now;
      this.rateCount = 0;
    }
  }
}
