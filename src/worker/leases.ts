import type pg from 'pg';
import type { Logger } from '../logger.js';
import type { FinishUpdate } from './batcher.js';
import type { QueueExecutor } from './executor.js';
import { LISTENER_MAX_BACKOFF_MS } from './listener.js';

/**
 * After the database was unreachable, how long this worker takes nobody for dead (by a
 * missing session or an expired lease): every live worker reconnects its listener within
 * its backoff (at most LISTENER_MAX_BACKOFF_MS after the server is back) and renews its
 * leases at its next heartbeat. Twice the longest backoff, whatever the lease.
 */
const RECONNECT_GRACE_MS = 2 * LISTENER_MAX_BACKOFF_MS;

export interface LeaseKeeperOptions {
  pool: pg.Pool;
  sql: { heartbeat: string; rescue: string };
  schema: string;
  workerId: string;
  leaseMs: number;
  /** The executors whose held jobs are this process's (working and draining). */
  executors: () => Iterable<QueueExecutor>;
  /** Finished jobs whose status write has not landed yet. */
  unwritten: () => FinishUpdate[];
  /** Claim statements sent whose rows are not delivered yet (ClaimLoop.claimsInFlight). */
  claimsInFlight: () => number;
  /** Wakes the workers of these queues, as an enqueue would. */
  notify: (queues: string[]) => Promise<void>;
  log: Logger;
}

/**
 * This process's leases: renews them (the heartbeat), gives back other processes' expired
 * ones (the rescue), and decides when a rescue must wait because this process has just
 * been cut off from the database and so may be the one behind.
 */
export class LeaseKeeper {
  readonly counters = { rescued: 0, rescuedDead: 0, leasesLost: 0 };
  /** When a background statement last failed for want of a connection (rescues hold off after it). */
  private lastConnectionErrorAt = 0;
  /** Until when dead-session rescue holds off (after this process's own listener reconnected). */
  private sessionHoldOffUntil = 0;

  constructor(private readonly opts: LeaseKeeperOptions) {}

  /** A background statement failed for want of a connection. */
  connectionError(): void {
    this.lastConnectionErrorAt = Date.now();
  }

  /** The listener is back from an outage: the other workers may still be reconnecting. */
  listenerRecovered(): void {
    this.sessionHoldOffUntil = Date.now() + RECONNECT_GRACE_MS;
  }

  /** Whether a missing session may be taken for a dead worker now (src/worker/sessions.ts), as far as outages go. */
  get sessionsTrusted(): boolean {
    const now = Date.now();
    return now >= this.sessionHoldOffUntil && now - this.lastConnectionErrorAt >= RECONNECT_GRACE_MS;
  }

  /** Renews the lease of every held job in one statement; aborts jobs whose lease was lost. */
  async renew(): Promise<void> {
    const { pool, sql, schema, workerId, leaseMs } = this.opts;
    const ids: string[] = [];
    const attempts: number[] = [];
    const owner = new Map<string, QueueExecutor>();
    for (const [id, attempt, ex] of this.held()) {
      ids.push(id);
      attempts.push(attempt);
      if (ex) owner.set(id, ex);
    }
    if (ids.length === 0) return;
    const res = await pool.query<{ id: string; cancel: boolean }>({
      name: `rota_heartbeat_${schema}`,
      text: sql.heartbeat,
      values: [ids, attempts, workerId, leaseMs],
    });
    // Cancels whose NOTIFY this process missed (e.g. sent while its listener reconnected).
    for (const r of res.rows) if (r.cancel) owner.get(r.id)?.cancel(r.id);
    if (res.rows.length < ids.length) {
      const kept = new Set(res.rows.map((r) => r.id));
      for (const id of ids) {
        const ex = owner.get(id);
        if (!kept.has(id) && ex) {
          this.counters.leasesLost++;
          ex.leaseLost(id);
        }
      }
    }
  }

  /** Gives back jobs whose lease expired (their process died or lost the database for longer than the lease). */
  async rescue(): Promise<void> {
    const { pool, sql, workerId, leaseMs, log } = this.opts;
    // Right after the database was unreachable, every lease may look expired because no
    // process could renew it. Hold off one lease length, and at least the reconnect grace,
    // so live workers reconnect, renew theirs and flush their queued status updates first;
    // only leases of dead workers are rescued.
    if (Date.now() - this.lastConnectionErrorAt < Math.max(leaseMs, RECONNECT_GRACE_MS)) return;
    // Never this process's own jobs: one frozen for a while (stopped, a VM paused, a long
    // GC) finds its leases expired when it wakes, and its next heartbeat renews them;
    // rescuing them would run them twice. Read when the statement is sent, not before
    // it waited for a connection.
    const client = await pool.connect();
    let res: pg.QueryResult<{ dead: number; requeued: number; queues: string[] }>;
    try {
      // With a claim in flight, jobs just claimed are this worker's and in no executor yet: spare all of its jobs.
      const own = this.opts.claimsInFlight() > 0 ? null : Array.from(this.held(), ([id]) => id);
      res = await client.query(sql.rescue, [1000, workerId, own]);
    } catch (err) {
      client.release(err as Error); // a connection that failed is not given back to the pool
      throw err;
    }
    client.release();
    const row = res.rows[0];
    if (!row || (row.dead === 0 && row.requeued === 0)) return;
    this.counters.rescued += row.requeued;
    this.counters.rescuedDead += row.dead;
    log.warn({ requeued: row.requeued, dead: row.dead }, 'rescued jobs whose lease expired');
    await this.opts.notify(row.queues);
  }

  /**
   * Every job this process holds, with its attempt and its executor: buffered or running,
   * then finished with its status write pending (e.g. held through an outage; no executor).
   */
  private *held(): Generator<[id: string, attempt: number, owner: QueueExecutor | null]> {
    for (const ex of this.opts.executors()) for (const [id, attempt] of ex.heldJobs()) yield [id, attempt, ex];
    for (const u of this.opts.unwritten()) yield [u.id, u.attempt, null];
  }
}
