import type pg from 'pg';
import type { Logger } from '../logger.js';
import type { JobOutcome } from '../worker/executor.js';
import { bucketOf, emptyBuckets } from './histogram.js';

const MINUTE_MS = 60_000;
/** Key under which tenants beyond the top N are summed. */
export const OTHER_TENANTS = '~other';

interface Cell {
  queue: string;
  minute: number;
  enqueued: number;
  completed: number;
  failed: number;
  retried: number;
  dead: number;
  snoozed: number;
  rateLimited: number;
  wait: number[];
  run: number[];
  waitSum: number;
  runSum: number;
  /** tenant → [completed, failed] (every tenant seen this minute; trimmed to top N when written). */
  tenants: Map<string, [number, number]>;
  /** Changed since the last successful write. */
  dirty: boolean;
}

export interface RollupOptions {
  workerId: string;
  /** Tenants kept per (queue, minute, process). Default 10. */
  topTenants?: number;
  /** Minutes kept in memory while writes fail (an outage); older ones are dropped. Default 60. */
  maxMinutes?: number;
  log: Logger;
  now?: () => number;
}

/**
 * In-process aggregation of job outcomes into per-(queue, minute) cells: counts, wait
 * and run histograms, and per-tenant counts. `record` is a few map and array updates
 * per job; `write` sends every changed cell in one statement (called with the worker's
 * heartbeat), and forgets closed minutes once they are written.
 */
export class RollupAggregator {
  private readonly cells = new Map<string, Cell>();
  private readonly topN: number;
  private readonly maxMinutes: number;
  private readonly now: () => number;
  private droppedWarned = false;
  private writing = false;

  constructor(private readonly opts: RollupOptions) {
    this.topN = opts.topTenants ?? 10;
    this.maxMinutes = opts.maxMinutes ?? 60;
    this.now = opts.now ?? Date.now;
  }

  /** Jobs this process enqueued (deduplicated ones excluded). */
  enqueued(queue: string, n: number): void {
    if (n > 0) this.cell(queue, this.now()).enqueued += n;
  }

  record(o: JobOutcome): void {
    if (o.kind === 'release') return;
    const now = this.now();
    const cell = this.cell(o.job.queue, now);
    let failed = 0;
    switch (o.kind) {
      case 'complete':
        cell.completed++;
        break;
      case 'retry':
        cell.retried++;
        failed = 1;
        break;
      case 'dead':
        cell.dead++;
        failed = 1;
        break;
      case 'snooze':
        cell.snoozed++;
        break;
      default:
        cell.rateLimited++;
    }
    cell.failed += failed;
    const run = Math.max(0, o.durationMs);
    const wait = Math.max(0, now - run - o.job.runAt.getTime());
    const rb = bucketOf(run);
    const wb = bucketOf(wait);
    cell.run[rb] = (cell.run[rb] ?? 0) + 1;
    cell.wait[wb] = (cell.wait[wb] ?? 0) + 1;
    cell.runSum += run;
    cell.waitSum += wait;
    if (o.kind !== 'complete' && failed === 0) return; // snoozes do not rank tenants
    const t = cell.tenants.get(o.job.tenant);
    if (t) {
      t[0] += 1 - failed;
      t[1] += failed;
    } else {
      cell.tenants.set(o.job.tenant, [1 - failed, failed]);
    }
  }

  private cell(queue: string, now: number): Cell {
    const minute = now - (now % MINUTE_MS);
    const key = `${queue}\u0000${minute}`;
    let cell = this.cells.get(key);
    if (!cell) {
      // Once per new (queue, minute): bounds memory in a process whose rollups are never written.
      this.dropOld();
      cell = {
        queue,
        minute,
        enqueued: 0,
        completed: 0,
        failed: 0,
        retried: 0,
        dead: 0,
        snoozed: 0,
        rateLimited: 0,
        wait: emptyBuckets(),
        run: emptyBuckets(),
        waitSum: 0,
        runSum: 0,
        tenants: new Map(),
        dirty: true,
      };
      this.cells.set(key, cell);
    }
    cell.dirty = true;
    return cell;
  }

  /** Cells not yet written (for tests and stats). */
  get pendingCells(): number {
    let n = 0;
    for (const c of this.cells.values()) if (c.dirty) n++;
    return n;
  }

  /** Writes every changed cell in one statement; keeps them on failure (the next heartbeat retries). */
  async write(pool: pg.Pool | pg.PoolClient, sql: string): Promise<number> {
    this.writing = true;
    this.dropOld();
    const dirty = [...this.cells.values()].filter((c) => c.dirty);
    if (dirty.length > 0) {
      const rows = dirty.map((c) => ({
        q: c.queue,
        m: c.minute,
        e: c.enqueued,
        c: c.completed,
        f: c.failed,
        r: c.retried,
        d: c.dead,
        s: c.snoozed,
        l: c.rateLimited,
        wb: c.wait,
        rb: c.run,
        ws: c.waitSum,
        rs: c.runSum,
        t: this.topTenantsOf(c),
      }));
      for (const c of dirty) c.dirty = false;
      try {
        await pool.query(sql, [JSON.stringify(rows), this.opts.workerId]);
      } catch (err) {
        for (const c of dirty) c.dirty = true;
        throw err;
      }
    }
    // Closed minutes that are written will not change again.
    const current = this.now() - (this.now() % MINUTE_MS);
    for (const [k, c] of this.cells) if (!c.dirty && c.minute < current) this.cells.delete(k);
    return dirty.length;
  }

  private topTenantsOf(c: Cell): Record<string, [number, number]> {
    const sorted = [...c.tenants].sort((a, b) => b[1][0] + b[1][1] - (a[1][0] + a[1][1]));
    const out: Record<string, [number, number]> = {};
    const other: [number, number] = [0, 0];
    sorted.forEach(([tenant, v], i) => {
      if (i < this.topN) out[tenant] = [v[0], v[1]];
      else {
        other[0] += v[0];
        other[1] += v[1];
      }
    });
    if (sorted.length > this.topN) out[OTHER_TENANTS] = other;
    return out;
  }

  private dropOld(): void {
    const oldest = this.now() - this.maxMinutes * MINUTE_MS;
    for (const [k, c] of this.cells) {
      if (c.minute < oldest) {
        this.cells.delete(k);
        if (this.writing && !this.droppedWarned) {
          this.droppedWarned = true;
          this.opts.log.warn({ maxMinutes: this.maxMinutes }, 'rollups older than the in-memory limit dropped unwritten');
        }
      }
    }
  }
}
