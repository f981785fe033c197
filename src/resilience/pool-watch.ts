/** The pg.Pool counters the watch reads (a pg.Pool has them all). */
export interface PoolCounters {
  readonly totalCount: number;
  readonly idleCount: number;
  readonly waitingCount: number;
}

export interface PoolExhaustion {
  /** Callers waiting for a connection right now. */
  waiting: number;
  total: number;
  idle: number;
  /** How long callers have been waiting without a break, ms. */
  waitedMs: number;
}

export interface PoolWatchStats {
  /** True while callers have waited longer than the threshold. */
  exhausted: boolean;
  /** Times the pool was found exhausted. */
  episodes: number;
  /** Longest unbroken wait seen, ms. */
  longestWaitMs: number;
  /** The current unbroken wait, ms (0 when nobody waits). */
  waitingForMs: number;
  thresholdMs: number;
}

export interface PoolWatchOptions {
  /** Report when callers have waited for a connection longer than this. */
  thresholdMs: number;
  /** How often the pool's counters are read. Default thresholdMs / 10, at least 10 ms. */
  sampleMs?: number;
  onExhausted: (e: PoolExhaustion) => void;
  onRecovered: (e: PoolExhaustion) => void;
}

/**
 * Detects pool exhaustion: pg.Pool queues callers silently when every connection is
 * checked out, so a slow query or a leaked client shows up only as latency. The watch
 * samples the pool's counters; when callers have been waiting, without the queue ever
 * emptying, for longer than the threshold, it reports once (event, log, metrics) and
 * again when the queue empties. Reading three counters is all it costs.
 */
export class PoolWatch {
  private timer: NodeJS.Timeout | null = null;
  private waitingSince: number | null = null;
  private exhausted = false;
  private episodes = 0;
  private longestWaitMs = 0;

  constructor(
    private readonly pool: PoolCounters,
    private readonly opts: PoolWatchOptions,
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.check(), this.opts.sampleMs ?? Math.max(10, Math.floor(this.opts.thresholdMs / 10)));
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** One sample (called by the timer; `now` injectable for tests). */
  check(now = Date.now()): void {
    const waiting = this.pool.waitingCount;
    if (waiting === 0) {
      if (this.waitingSince !== null) this.longestWaitMs = Math.max(this.longestWaitMs, now - this.waitingSince);
      const waitedMs = this.waitingSince === null ? 0 : now - this.waitingSince;
      this.waitingSince = null;
      if (this.exhausted) {
        this.exhausted = false;
        this.opts.onRecovered(this.snapshot(0, waitedMs));
      }
      return;
    }
    this.waitingSince ??= now;
    const waitedMs = now - this.waitingSince;
    this.longestWaitMs = Math.max(this.longestWaitMs, waitedMs);
    if (!this.exhausted && waitedMs >= this.opts.thresholdMs) {
      this.exhausted = true;
      this.episodes++;
      this.opts.onExhausted(this.snapshot(waiting, waitedMs));
    }
  }

  stats(now = Date.now()): PoolWatchStats {
    return {
      exhausted: this.exhausted,
      episodes: this.episodes,
      longestWaitMs: this.longestWaitMs,
      waitingForMs: this.waitingSince === null ? 0 : now - this.waitingSince,
      thresholdMs: this.opts.thresholdMs,
    };
  }

  private snapshot(waiting: number, waitedMs: number): PoolExhaustion {
    return { waiting, total: this.pool.totalCount, idle: this.pool.idleCount, waitedMs };
  }
}
