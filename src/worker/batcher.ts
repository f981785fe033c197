import { isConnectionError } from '../errors.js';
import type { Logger } from '../logger.js';

/** 'rate-limit' / 'rate-limit-queue': a snooze that also holds the job's tenant / queue (finish_batch.sql). */
export type FinishKind = 'complete' | 'dead' | 'retry' | 'release' | 'snooze' | 'rate-limit' | 'rate-limit-queue';

/** One status write for one claimed job. `result`/`error` are JSON text (or null). */
export interface FinishUpdate {
  id: string;
  attempt: number;
  kind: FinishKind;
  result: string | null;
  error: string | null;
  delayMs: number | null;
}

export interface FlushStats {
  size: number;
  durationMs: number;
  /** 'batch': one statement; 'rows': the per-row fallback ran; 'retry': connection lost, kept for later. */
  mode: 'batch' | 'rows' | 'retry';
}

export interface BatcherOptions {
  /** Runs finish_batch.sql with these parameters (finishParams); resolves when committed. */
  write: (params: string[]) => Promise<void>;
  log: Logger;
  /** Flush as soon as this many updates are queued. Default 100. */
  batchSize?: number;
  /** Flush queued updates after at most this many ms. Default 5. */
  intervalMs?: number;
  /** Upper bound of rows per statement; a bigger backlog goes in several. Default MAX_STATEMENT_ROWS. */
  maxStatementRows?: number;
  /**
   * Whether a second statement may go out while one is in flight (a pool connection is
   * spare: the claim loop is not using it). Without it, one statement at a time.
   */
  spare?: () => boolean;
  onFlush?: (stats: FlushStats) => void;
}

/**
 * Rows per finish statement at most. A finish's PostgreSQL CPU per job is flat up to
 * about 1,000 rows and grows beyond (bench/experiments/finish-cost.ts, backend CPU per
 * job: 250 rows 20 µs, 1,000 19.5, 2,000 27, 4,000 52): the backlog at the end of a
 * burst (4,000–8,000 queued updates) went out as two statements of 3,000–4,500 rows
 * that took 200–240 ms (docs/performance.md, fourth pass).
 */
const MAX_STATEMENT_ROWS = 1_000;

/** A second statement in flight only for this many batches' worth of queued updates. */
const BACKLOG_BATCHES = 10;

/** One element of a PostgreSQL array literal: quoted, `\` and `"` escaped. */
function quoted(text: string): string {
  // Most results (JSON null, numbers, booleans) have nothing to escape: skip the regex.
  if (!text.includes('"') && !text.includes('\\')) return `"${text}"`;
  return `"${text.replace(/[\\"]/g, '\\$&')}"`;
}

/**
 * finish_batch.sql's parameters: six array literals (ids, attempts, kinds, results,
 * errors, delays), one position per update. PostgreSQL parses them far more cheaply
 * than one JSON document of the same moves (docs/performance.md, "Finish"). A null
 * result is stored as JSON null (as with the JSON input before), a null error as none.
 * One pass over the batch (a burst writes ~20,000 updates a second through here).
 */
export function finishParams(batch: readonly FinishUpdate[]): string[] {
  let ids = '';
  let attempts = '';
  let kinds = '';
  let results = '';
  let errors = '';
  let delays = '';
  for (let n = 0; n < batch.length; n++) {
    const u = batch[n] as FinishUpdate;
    const sep = n === 0 ? '' : ',';
    ids += sep + u.id;
    attempts += sep + String(u.attempt);
    kinds += `${sep}"${u.kind}"`; // FinishKind: letters and '-' only
    results += sep + (u.result === null ? '"null"' : quoted(u.result));
    errors += sep + (u.error === null ? 'NULL' : quoted(u.error));
    delays += sep + (u.delayMs === null ? 'NULL' : String(u.delayMs));
  }
  return [`{${ids}}`, `{${attempts}}`, `{${kinds}}`, `{${results}}`, `{${errors}}`, `{${delays}}`];
}

/**
 * Group-commits job status writes. Updates are queued in memory and written as one
 * statement per batch: when `batchSize` are queued, or `intervalMs` after the first
 * one, whichever comes first. While a flush is in flight new updates accumulate, so
 * under load batches grow by themselves (classic group commit) and the transaction
 * count per job falls. When a backlog (BACKLOG_BATCHES batches) is queued behind the
 * statement in flight and `spare()` says a connection is free, a second statement goes
 * out beside it: a finish costs PostgreSQL about twice what a claim does per job, so at
 * the end of a burst (claims done, thousands of finishes queued) one connection alone
 * was the tail of the burn-down (docs/performance.md, third pass). Only for a backlog:
 * the second statement holds the pool's last connection, and the heartbeat (lease
 * renewal) waits for it; a steady flow of finishes never takes it. Batches never share
 * a job (one finish per attempt), so the order in which they commit does not matter.
 *
 * Failure handling, in order:
 * - connection lost: the batch goes back to the front of the queue and is retried with
 *   backoff (50 ms doubling to 5 s); nothing is dropped, and one warning is logged per
 *   outage, not per attempt. The statement is idempotent (each row is guarded by its
 *   attempt), so a batch whose commit reply was lost can be sent again safely.
 * - any other error (a poisoned row, e.g. a result jsonb rejects): the rows are written
 *   one by one so the good ones land; a row that still fails is retried once with its
 *   result/error replaced by a note saying why, and if even that fails it is logged and
 *   left to the lease rescuer, which gives the job back (it runs again: at least once).
 */
export class StatusBatcher {
  private queue: FinishUpdate[] = [];
  private timer: NodeJS.Timeout | null = null;
  /** The statements in flight (at most two) and their rows. */
  private readonly inFlight = new Map<Promise<void>, FinishUpdate[]>();
  private retryDelayMs = 0;
  private outage = false;
  private readonly batchSize: number;
  /** Queued updates from which a second statement may go out (a burst's backlog, not a steady flow). */
  private readonly backlog: number;
  private readonly intervalMs: number;
  private readonly maxRows: number;
  /** Counters for metrics: flushes, rows written, rows abandoned to the rescuer. */
  readonly counters = { flushes: 0, rows: 0, fallbackRows: 0, abandoned: 0, retries: 0 };

  constructor(private readonly opts: BatcherOptions) {
    this.batchSize = opts.batchSize ?? 100;
    this.backlog = BACKLOG_BATCHES * this.batchSize;
    this.intervalMs = opts.intervalMs ?? 5;
    this.maxRows = opts.maxStatementRows ?? MAX_STATEMENT_ROWS;
  }

  get pending(): number {
    return this.queue.length;
  }

  /**
   * Updates not yet committed (queued or in flight). The lease keeper renews their
   * jobs' leases until they land, so a status write held through a database outage is
   * not overtaken by a rescuer that requeues the job.
   */
  unwritten(): FinishUpdate[] {
    return [...[...this.inFlight.values()].flat(), ...this.queue];
  }

  push(update: FinishUpdate): void {
    this.queue.push(update);
    this.schedule();
  }

  /**
   * Writes everything queued so far, waiting out connection failures until `deadline`
   * (epoch ms; none by default). Returns how many updates are still unwritten.
   */
  async flush(deadline = Number.POSITIVE_INFINITY): Promise<number> {
    this.clearTimer();
    while (this.queue.length > 0 || this.inFlight.size > 0) {
      if (Date.now() >= deadline) break;
      if (this.inFlight.size > 0) {
        await Promise.race(this.inFlight.keys());
        continue;
      }
      if (this.retryDelayMs > 0) await sleep(this.retryDelayMs);
      await this.runFlush();
    }
    return this.queue.length;
  }

  private schedule(): void {
    if (this.retryDelayMs > 0) return; // the failed flush reschedules
    if (this.inFlight.size > 0) {
      // A second statement beside the one in flight, when a connection is spare.
      if (this.inFlight.size === 1 && this.queue.length >= this.backlog && this.opts.spare?.()) void this.runFlush();
      return; // otherwise the running flush reschedules
    }
    if (this.queue.length >= this.batchSize) {
      this.clearTimer();
      void this.runFlush();
    } else if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = null;
        if (this.inFlight.size === 0) void this.runFlush(); // else its end reschedules
      }, this.intervalMs);
    }
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private runFlush(): Promise<void> {
    if (this.queue.length === 0) return Promise.resolve();
    // A backlog two statements can share (a connection is spare): half now, the rest
    // beside it at once (schedule(), below), rather than all of it on one connection.
    const share =
      this.inFlight.size === 0 && this.queue.length >= 2 * this.backlog && this.opts.spare?.()
        ? Math.ceil(this.queue.length / 2)
        : this.queue.length;
    const batch = this.queue.splice(0, Math.min(share, this.maxRows));
    const p: Promise<void> = this.writeBatch(batch).finally(() => {
      this.inFlight.delete(p);
      if (this.queue.length > 0 && this.inFlight.size === 0) {
        if (this.retryDelayMs > 0) {
          this.timer ??= setTimeout(() => {
            this.timer = null;
            if (this.inFlight.size === 0) void this.runFlush();
          }, this.retryDelayMs);
        } else {
          this.schedule();
        }
      } else if (this.queue.length > 0) {
        this.schedule();
      }
    });
    this.inFlight.set(p, batch);
    if (this.queue.length > 0) this.schedule();
    return p;
  }

  private async writeBatch(batch: FinishUpdate[]): Promise<void> {
    const started = performance.now();
    try {
      await this.opts.write(finishParams(batch));
      this.recovered();
      this.report(batch.length, started, 'batch');
    } catch (err) {
      if (isConnectionError(err)) {
        this.requeue(batch, err);
        this.report(batch.length, started, 'retry');
        return;
      }
      this.opts.log.warn({ err, size: batch.length }, 'status batch failed; writing its rows one by one');
      await this.writeRows(batch);
      this.report(batch.length, started, 'rows');
    }
  }

  private async writeRows(batch: FinishUpdate[]): Promise<void> {
    for (let i = 0; i < batch.length; i++) {
      const u = batch[i] as FinishUpdate;
      try {
        await this.opts.write(finishParams([u]));
        this.counters.fallbackRows++;
      } catch (err) {
        if (isConnectionError(err)) {
          this.requeue(batch.slice(i), err);
          return;
        }
        await this.writeSanitized(u, err);
      }
    }
    this.recovered();
  }

  private async writeSanitized(u: FinishUpdate, cause: unknown): Promise<void> {
    const note = JSON.stringify({
      attempt: u.attempt,
      at: new Date().toISOString(),
      name: 'UnstorableValue',
      message:
        `rota could not store this job's ${u.result !== null ? 'result' : 'error'}: ${String((cause as Error)?.message ?? cause)}`.replaceAll(
          '\u0000',
          '',
        ),
    });
    const safe: FinishUpdate = { ...u, result: u.result === null ? null : 'null', error: note };
    try {
      await this.opts.write(finishParams([safe]));
      this.counters.fallbackRows++;
      this.opts.log.warn({ jobId: u.id, err: cause }, 'job status written without its unstorable value');
    } catch (err) {
      if (isConnectionError(err)) {
        this.requeue([u], err);
        return;
      }
      this.counters.abandoned++;
      this.opts.log.error({ jobId: u.id, err }, 'job status could not be written; the lease rescuer will give the job back');
    }
  }

  private requeue(rows: FinishUpdate[], err: unknown): void {
    this.queue.unshift(...rows);
    this.counters.retries++;
    this.retryDelayMs = Math.min(5_000, Math.max(50, this.retryDelayMs * 2));
    if (!this.outage) {
      this.outage = true;
      this.opts.log.warn(
        { err: String(err), pending: this.queue.length },
        'database unreachable; status updates kept in memory and retried',
      );
    }
  }

  private recovered(): void {
    this.retryDelayMs = 0;
    if (this.outage) {
      this.outage = false;
      this.opts.log.warn({ pending: this.queue.length }, 'database reachable again; writing queued status updates');
    }
  }

  private report(size: number, started: number, mode: FlushStats['mode']): void {
    const durationMs = performance.now() - started;
    if (mode !== 'retry') {
      this.counters.flushes++;
      this.counters.rows += size;
    }
    this.opts.log.debug({ size, durationMs, mode }, 'status flush');
    this.opts.onFlush?.({ size, durationMs, mode });
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
