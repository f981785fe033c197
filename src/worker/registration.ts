import { hostname } from 'node:os';
import type pg from 'pg';

export interface WorkerRowOptions {
  pool: pg.Pool;
  schema: string;
  workerId: string;
  /** The queues worked, written with the row. */
  queues: () => string[];
  /** Whether the row may be written: only once the LISTEN session exists (src/worker/sessions.ts). */
  ready: () => boolean;
  /** The rest of the row's stats (pool, batcher, claims, sessions, running, ...). */
  stats: () => Record<string, unknown>;
}

/**
 * This worker's row in `workers` (the management API, the dashboard, and other workers'
 * dead-session check read it): written at start, with every heartbeat and when a queue
 * is added; deleted at shutdown, never written again after that.
 */
export class WorkerRow {
  /** Attempts finished per queue, and at the last registration: the throughput the row reports. */
  private readonly finished = new Map<string, number>();
  private last = { at: Date.now(), finished: new Map<string, number>() };
  /** Registrations in flight: unregister() waits for them, so none lands after the row is deleted. */
  private readonly inFlight = new Set<Promise<void>>();
  private gone = false;

  constructor(private readonly opts: WorkerRowOptions) {}

  /** One attempt of `queue` finished here. */
  countFinished(queue: string): void {
    this.finished.set(queue, (this.finished.get(queue) ?? 0) + 1);
  }

  register(): Promise<void> {
    if (this.gone) return Promise.resolve();
    const p = this.upsert().finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
    return p;
  }

  /** Deletes the row for good (call it before the LISTEN session ends, or others take this worker for dead). */
  async unregister(): Promise<void> {
    this.gone = true;
    await Promise.allSettled([...this.inFlight]);
    await this.opts.pool.query(`DELETE FROM "${this.opts.schema}".workers WHERE id = $1`, [this.opts.workerId]).catch(() => {});
  }

  /** Attempts finished per second and queue since the last registration (the management API sums these). */
  private throughput(): Record<string, number> {
    const now = Date.now();
    const secs = Math.max(0.001, (now - this.last.at) / 1000);
    const out: Record<string, number> = {};
    for (const [queue, n] of this.finished) out[queue] = Math.round(((n - (this.last.finished.get(queue) ?? 0)) / secs) * 10) / 10;
    this.last = { at: now, finished: new Map(this.finished) };
    return out;
  }

  private async upsert(): Promise<void> {
    const { pool, schema, workerId } = this.opts;
    if (!this.opts.ready()) return;
    const stats = { ...this.opts.stats(), throughput: this.throughput() };
    await pool.query(
      `INSERT INTO "${schema}".workers (id, hostname, pid, queues, stats) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (id) DO UPDATE SET queues = EXCLUDED.queues, heartbeat_at = now(), stats = EXCLUDED.stats`,
      [workerId, hostname(), process.pid, this.opts.queues(), JSON.stringify(stats)],
    );
  }
}
