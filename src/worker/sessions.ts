import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { Logger } from '../logger.js';

/** application_name prefix of every worker's LISTEN connection. */
export const LISTENER_APP_PREFIX = 'rota-listener:';

/**
 * The LISTEN connection's application_name: the prefix and 16 hex digits of md5(worker
 * id), so it fits application_name's 63 bytes whatever the id. Registered with the
 * worker (stats.listener), where sql/queries/absent_workers.sql reads it.
 */
export function listenerAppName(workerId: string): string {
  return LISTENER_APP_PREFIX + createHash('md5').update(workerId).digest('hex').slice(0, 16);
}

export interface SessionWatchOptions {
  pool: pg.Pool;
  workerId: string;
  sql: { absentWorkers: string; rescueOrphans: string };
  /** Wakes the workers of these queues (a NOTIFY per queue). */
  notify: (queues: string[]) => Promise<void>;
  log: Logger;
  /** A worker's session must be missing at two checks at least this far apart. */
  confirmMs: number;
  /**
   * False while a missing session may only be a worker still reconnecting: this process
   * is not connected itself, or reconnected a short while ago (after a database restart
   * every worker reconnects within its listener backoff). Nothing is rescued meanwhile.
   */
  mayRescue: () => boolean;
}

/**
 * Rescues the jobs of dead worker processes within about a second, instead of after
 * their lease: a process's database sessions end when it dies (the server sees the
 * socket close), and every worker holds its LISTEN connection for its whole life under
 * a name derived from its id. A live worker that is connected always has that session,
 * so its jobs are never taken from it this way; one whose host vanished (no FIN/RST
 * reaches the server) is left to lease expiry, the fallback.
 */
export class SessionWatch {
  /** Workers seen without a session, and when first. */
  private readonly suspects = new Map<string, number>();
  readonly counters = { checks: 0, rescued: 0, rescuedDead: 0, workersLost: 0 };

  constructor(private readonly opts: SessionWatchOptions) {}

  async check(): Promise<void> {
    const { pool, sql, workerId, log } = this.opts;
    if (!this.opts.mayRescue()) {
      this.suspects.clear();
      return;
    }
    const now = Date.now();
    this.counters.checks++;
    const res = await pool.query<{ id: string }>(sql.absentWorkers, [workerId]);
    const absent = new Set(res.rows.map((r) => r.id));
    for (const id of this.suspects.keys()) if (!absent.has(id)) this.suspects.delete(id);
    const confirmed: string[] = [];
    for (const id of absent) {
      const first = this.suspects.get(id);
      if (first === undefined) this.suspects.set(id, now);
      else if (now - first >= this.opts.confirmMs) confirmed.push(id);
    }
    if (confirmed.length === 0) return;
    const out = await pool.query<{ dead: number; requeued: number; queues: string[] }>(sql.rescueOrphans, [confirmed]);
    for (const id of confirmed) this.suspects.delete(id);
    const row = out.rows[0];
    this.counters.workersLost += confirmed.length;
    if (!row) return;
    this.counters.rescued += row.requeued;
    this.counters.rescuedDead += row.dead;
    log.warn({ workers: confirmed, requeued: row.requeued, dead: row.dead }, 'worker process gone (its sessions ended): its jobs rescued');
    if (row.queues.length > 0) await this.opts.notify(row.queues);
  }
}
