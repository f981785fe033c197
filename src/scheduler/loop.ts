import { isUnavailable } from '../errors.js';
import { pruneCycles, settleCycles } from './cycles.js';
import type { SchedulerDeps } from './deps.js';
import { EvaluationError, evaluateDue } from './evaluator.js';
import type { SchedulerHandle, SchedulerOptions, SchedulerStats } from './types.js';

export interface LoopConfig {
  pollMs: number;
  batchSize: number;
  settleIntervalMs: number;
  historyMs: number;
}

const PRUNE_INTERVAL_MS = 60_000;
const PRUNE_BATCH = 10_000;
const PRUNE_BATCHES = 10;
const BACKOFF_MIN_MS = 100;
const BACKOFF_MAX_MS = 5_000;
/** How long a schedule that cannot be evaluated is left out by this process. */
const QUARANTINE_MS = 60_000;
/** After a batch fails for a reason other than the connection, evaluate one schedule per transaction for this long. */
const ISOLATE_MS = 60_000;

export function loopConfig(opts: SchedulerOptions = {}): LoopConfig {
  return {
    pollMs: opts.pollMs ?? 1_000,
    batchSize: opts.batchSize ?? 500,
    settleIntervalMs: opts.settleIntervalMs ?? 5_000,
    historyMs: opts.historyMs ?? 30 * 86_400_000,
  };
}

/**
 * The evaluation loop of one process. Each step polls one index entry (the earliest
 * cursor, with the database's clock); when something is due it runs one evaluation
 * transaction, then sleeps until the next known cursor, at most `pollMs`. Any number
 * of processes may run it: they split due schedules with SKIP LOCKED, and the tick's
 * primary key keeps each tick to one job whatever they do. It uses the shared pool
 * (one connection per step), and survives the database going away: one log line per
 * distinct error, exponential backoff, one line when it is back.
 */
export class SchedulerLoop implements SchedulerHandle {
  readonly stats: SchedulerStats = {
    evaluations: 0,
    schedulesEvaluated: 0,
    enqueued: 0,
    caughtUp: 0,
    missed: 0,
    errors: 0,
    evaluationMs: 0,
  };
  private stopped = false;
  private running: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly quarantine = new Map<string, number>();
  private isolateUntil = 0;
  private failures = 0;
  private loggedErrors = new Set<string>();
  private lastSettle = 0;
  private lastPrune = 0;
  /** Schedules claimed since this loop last wrote its scheduler_evaluators row, and when that was. */
  private unnoted = 0;
  private notedAt = 0;

  constructor(
    private readonly deps: SchedulerDeps,
    private readonly config: LoopConfig,
  ) {}

  start(): this {
    this.running ??= this.run();
    return this;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.wake?.();
    await this.running;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      let delay: number;
      try {
        delay = await this.step();
        if (this.failures > 0) {
          this.deps.log.info({ failures: this.failures }, 'scheduler: database reachable again');
          this.failures = 0;
          this.loggedErrors.clear();
        }
      } catch (err) {
        delay = this.onError(err);
      }
      if (delay > 0 && !this.stopped) await this.sleep(delay);
    }
  }

  /**
   * Records this process as an evaluator (GET /api/scheduler): after the evaluation's
   * commit, so no evaluation waits on it, and at most once a second per loop.
   */
  private async noteEvaluator(claimed: number): Promise<void> {
    this.unnoted += claimed;
    if (Date.now() - this.notedAt < 1_000) return;
    await this.deps.pool.query(this.deps.sql.evaluator, [this.deps.workerId, this.unnoted]);
    this.notedAt = Date.now();
    this.unnoted = 0;
  }

  /** One poll (and evaluation when due); returns how long to sleep. */
  private async step(): Promise<number> {
    await this.maintain();
    const excluded = this.excluded();
    const peek = await this.deps.pool.query<{ now: Date; next: Date | null }>(this.deps.sql.peek, [excluded]);
    const { now, next } = peek.rows[0] as { now: Date; next: Date | null };
    if (next === null) return this.config.pollMs;
    if (next > now) return Math.min(next.getTime() - now.getTime(), this.config.pollMs);

    const batchSize = Date.now() < this.isolateUntil ? 1 : this.config.batchSize;
    const started = performance.now();
    const result = await evaluateDue(this.deps, batchSize, excluded);
    this.stats.evaluations++;
    this.stats.evaluationMs += performance.now() - started;
    this.stats.schedulesEvaluated += result.claimed;
    if (result.claimed > 0) await this.noteEvaluator(result.claimed);
    const late = new Map<string, { missed: number; caughtUp: number; from: Date; to: Date }>();
    for (const e of result.events) {
      if (e.status === 'enqueued') this.stats.enqueued++;
      else {
        if (e.status === 'caught_up') this.stats.caughtUp++;
        else this.stats.missed++;
        const l = late.get(e.schedule) ?? { missed: 0, caughtUp: 0, from: e.tickAt, to: e.tickAt };
        if (e.status === 'caught_up') l.caughtUp++;
        else l.missed++;
        l.to = e.tickAt;
        late.set(e.schedule, l);
      }
      this.deps.onTick(e);
    }
    // One line per schedule and evaluation, however long the outage was.
    for (const [schedule, l] of late) this.deps.log.warn({ schedule, ...l }, 'schedule: ticks not enqueued in time');
    if (result.claimed >= batchSize) return 0;
    // Nothing claimed: the due rows are held by another evaluator, which is handling them.
    if (result.now === null || result.wakeAt === null) return result.claimed === 0 ? Math.min(50, this.config.pollMs) : 0;
    return Math.max(0, Math.min(result.wakeAt.getTime() - result.now.getTime(), this.config.pollMs));
  }

  /** Settling and pruning ride on the loop at their own cadence; several processes split the work (SKIP LOCKED). */
  private async maintain(): Promise<void> {
    const now = Date.now();
    if (now - this.lastSettle >= this.config.settleIntervalMs) {
      this.lastSettle = now;
      await settleCycles(this.deps);
    }
    if (now - this.lastPrune >= PRUNE_INTERVAL_MS) {
      this.lastPrune = now;
      // Bounded batches, so one prune never holds the loop for long; up to 100k rows a minute.
      for (let i = 0; i < PRUNE_BATCHES; i++) {
        if ((await pruneCycles(this.deps, this.config.historyMs, PRUNE_BATCH)) < PRUNE_BATCH) break;
      }
    }
  }

  private excluded(): string[] {
    const now = Date.now();
    for (const [id, until] of this.quarantine) if (until <= now) this.quarantine.delete(id);
    return [...this.quarantine.keys()];
  }

  private onError(err: unknown): number {
    this.stats.errors++;
    if (err instanceof EvaluationError) {
      // Something about these schedules (a stored value the enqueue rejects, say)
      // breaks the transaction. Isolate: one per transaction until the culprit is found
      // and left out for a while; the others keep running. Its ticks become missed.
      if (err.schedules.length === 1) {
        const s = err.schedules[0] as { id: string; name: string };
        this.quarantine.set(s.id, Date.now() + QUARANTINE_MS);
        this.deps.log.error(
          { schedule: s.name, err: String(err.cause), retryInMs: QUARANTINE_MS },
          'scheduler: schedule cannot be evaluated',
        );
      } else {
        this.isolateUntil = Date.now() + ISOLATE_MS;
        this.deps.log.warn(
          { err: String(err.cause), schedules: err.schedules.length },
          'scheduler: batch failed; evaluating one schedule at a time',
        );
      }
      return 0;
    }
    this.failures++;
    const message = err instanceof Error ? err.message : String(err);
    if (!this.loggedErrors.has(message)) {
      this.loggedErrors.add(message);
      const level = isUnavailable(err) ? 'warn' : 'error';
      this.deps.log[level]({ err: message }, 'scheduler: step failed; backing off and retrying');
    }
    return Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** Math.min(this.failures - 1, 10));
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wake = () => {
        this.wake = null;
        resolve();
      };
      this.timer = setTimeout(() => this.wake?.(), ms);
    });
  }
}
