/**
 * The fair claim, as the claim loop sees it: one call of claim_jobs()
 * (sql/functions/claim_jobs.sql, through sql/queries/claim.sql) for all of a
 * process's queues. The function locks the queue rows, folds pending count changes
 * in, and picks jobs in weighted round robin across tenants inside strict priority
 * tiers, within every concurrency and rate limit, in one round trip.
 *
 * A call that came back short for a reason it has just fixed (a lane that turned out
 * to hold only delayed jobs, lanes of tenants found at a limit: both now parked) says
 * `more`, and is repeated at once for the rest (and past MAX_CALLS, the claim loop
 * comes back at once), so a claim that returns fewer jobs than asked and no `more`
 * means nothing more may start now.
 */
import type pg from 'pg';
import type { Logger } from '../logger.js';
import type { ClaimedRow } from '../worker/attempt.js';
import type { ClaimBatch } from '../worker/claim-loop.js';
import { claimTypes } from '../worker/timestamps.js';
import { ClaimWarmer } from './claim-warmer.js';

export interface FairClaimerOptions {
  pool: pg.Pool;
  schema: string;
  workerId: string;
  leaseMs: number;
  /** sql/queries/claim.sql, loaded for the schema. */
  claimSql: string;
  /**
   * Build the full claim path's plans on idle pool connections (claim-warmer.ts); a
   * worker's claimer does, with this logger.
   */
  warm?: { log: Logger };
}

/** claim.sql's row: a claimed job, or (id null) a note about one queue. */
interface Row extends Omit<ClaimedRow, 'id'> {
  id: string | null;
  more: boolean | null;
  limited: boolean | null;
  wake_at: number | null;
}

/** Calls per claim; past that the claim loop is told to come back at once (`more`). */
const MAX_CALLS = 4;

export class FairClaimer {
  private readonly known = new Set<string>();
  /** Builds the full claim path's plans on idle connections (claim-warmer.ts). */
  readonly warmer: ClaimWarmer | null;

  constructor(private readonly opts: FairClaimerOptions) {
    this.warmer = opts.warm ? new ClaimWarmer({ pool: opts.pool, schema: opts.schema, log: opts.warm.log }) : null;
  }

  /** The worker stops: no more warm-ups (claim-warmer.ts), the one in flight awaited. */
  async close(): Promise<void> {
    await this.warmer?.close();
  }

  /** Claims up to counts[i] jobs of queues[i]. */
  async claim(queues: readonly string[], counts: readonly number[]): Promise<ClaimBatch> {
    const { pool, schema } = this.opts;
    const fresh = queues.filter((q) => !this.known.has(q));
    if (fresh.length > 0) {
      // A worked queue is a known queue (configure accepts it) even before its first job.
      await pool.query(`INSERT INTO "${schema}".queue_state (queue) SELECT unnest($1::text[]) ON CONFLICT (queue) DO NOTHING`, [fresh]);
      for (const q of fresh) this.known.add(q);
    }
    const rows: ClaimedRow[] = [];
    const limited = new Set<string>();
    let wakeAt = Number.POSITIVE_INFINITY;
    let askQueues = [...queues];
    let askCounts = counts.map((n) => Math.max(0, Math.floor(n)));
    for (let call = 0; call < MAX_CALLS && askQueues.length > 0; call++) {
      const res = await pool.query<Row>({
        name: `rota_claim_${schema}`,
        text: this.opts.claimSql,
        values: [askQueues, askCounts, this.opts.workerId, this.opts.leaseMs],
        // Two timestamps per job, read by position (src/worker/timestamps.ts).
        types: claimTypes,
      });
      const got = new Map<string, number>();
      const again = new Set<string>();
      for (const r of res.rows) {
        if (r.id !== null) {
          rows.push(r as ClaimedRow);
          got.set(r.queue, (got.get(r.queue) ?? 0) + 1);
          continue;
        }
        if (r.more) again.add(r.queue);
        if (r.limited) limited.add(r.queue);
        else limited.delete(r.queue);
        // The database's clock, read as ours: wake-ups are hints, a few ms off is fine.
        if (r.wake_at !== null) wakeAt = Math.min(wakeAt, r.wake_at);
      }
      const nextQueues: string[] = [];
      const nextCounts: number[] = [];
      askQueues.forEach((q, i) => {
        const left = (askCounts[i] as number) - (got.get(q) ?? 0);
        if (again.has(q) && left > 0) {
          nextQueues.push(q);
          nextCounts.push(left);
        }
      });
      askQueues = nextQueues;
      askCounts = nextCounts;
    }
    // Nothing to claim: the worker is idle (not at the end of a burst, whose last claims
    // come back short while its finishes still need the connections and the CPU).
    if (askQueues.length === 0 && rows.length === 0) this.warmer?.idle();
    else if (rows.length > 0) this.warmer?.busy();
    return { rows, more: askQueues, limited: [...limited], wakeAt: Number.isFinite(wakeAt) ? wakeAt : null };
  }
}
