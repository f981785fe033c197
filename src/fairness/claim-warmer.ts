import type pg from 'pg';
import type { Logger } from '../logger.js';

export interface ClaimWarmerOptions {
  pool: pg.Pool;
  /** The configured schema's name. */
  schema: string;
  log: Logger;
}

/**
 * Builds the full claim path's plans on each pool connection while the worker has
 * nothing more to claim, so the first claim that needs that path does not pay for them.
 *
 * claim_jobs() plans its statements once per session (force_generic_plan), when a
 * statement first runs. A worker serving one tenant only ever runs the small claim
 * (sql/functions/claim_small.sql), so the first claim over two tenants with work (a
 * tenant arriving behind another's backlog) built the ~60- and ~130-node plans of the
 * full path on the spot: 16-20 ms of that one claim, on the path of the newcomer's first
 * jobs (bench/experiments/behind-claim.ts: 19.7 ms against 3.9 ms in a session that had
 * run the empty claim; docs/perf-notes-behind.md).
 *
 * The warm-up is the empty claim (no queue: the small claim declines, the full path's
 * statements run over nothing; it locks no queue row, folds, claims and writes nothing),
 * once per connection, on the connections idle when a claim came back empty (the worker
 * has nothing to do), all checked out together so each one is reached (the pool hands
 * out its idle connections first), and only while none of them is in use. Not when a claim
 * is merely short, nor while a status write runs, as at the end of a burst: there it took
 * 16-31 ms of a connection and of the CPU the last finishes needed.
 * Never ahead of the first claim, never twice on a connection; whatever needs a
 * connection of the pool meanwhile waits for it, once per connection.
 */
/** How soon, and how many times per idle spell, a busy pool is looked at again. */
const RETRY_MS = 20;
const MAX_RETRIES = 25;

export class ClaimWarmer {
  private readonly warm = new WeakSet<pg.PoolClient>();
  /** Warm connections still in the pool. */
  private live = 0;
  /** A look again scheduled while the pool was in use, and how many this idle spell. */
  private retry: NodeJS.Timeout | null = null;
  private retries = 0;
  /** The warm-up in flight. */
  private running: Promise<void> | null = null;
  /** Set after a warm-up failed (it is only an optimisation, so it is not tried again) and by close(). */
  private off = false;
  private readonly sql: string;
  private readonly removed = (client: pg.PoolClient) => {
    if (this.warm.delete(client)) this.live--;
  };

  constructor(private readonly opts: ClaimWarmerOptions) {
    this.sql = `SELECT count(*) FROM "${opts.schema.replaceAll('"', '""')}".claim_jobs('{}'::text[], '{}'::int[], '', 1)`;
    opts.pool.on('remove', this.removed);
  }

  /** No more warm-ups; waits for the one in flight (its connections are back in the pool after). */
  async close(): Promise<void> {
    this.off = true;
    this.busy();
    this.opts.pool.off('remove', this.removed);
    await this.running;
  }

  /** Connections that have run the warm-up and are still open. */
  get warmConnections(): number {
    return this.live;
  }

  /**
   * The worker has nothing to claim right now: warm the cold connections if the whole pool
   * is idle, or look again shortly (RETRY_MS, up to MAX_RETRIES times) while the worker
   * stays idle: its start-up's own queries often hold a connection when its first,
   * empty, claim returns, and the next empty claim is a poll interval away.
   */
  idle(): void {
    const { pool } = this.opts;
    if (this.off || this.running !== null || this.live >= pool.totalCount) return;
    // Only while the whole pool is idle: no status write (e.g. a burst's last ones) or
    // other query waits for a connection the warm-up holds.
    if (pool.idleCount < pool.totalCount || pool.waitingCount > 0) {
      if (this.retry === null && this.retries < MAX_RETRIES) {
        this.retries++;
        this.retry = setTimeout(() => {
          this.retry = null;
          this.idle();
        }, RETRY_MS);
        this.retry.unref();
      }
      return;
    }
    this.running = this.run().finally(() => {
      this.running = null;
    });
  }

  /** A claim took jobs: the worker is busy, so no look again. */
  busy(): void {
    if (this.retry !== null) clearTimeout(this.retry);
    this.retry = null;
    this.retries = 0;
  }

  private async run(): Promise<void> {
    const { pool } = this.opts;
    const got = await Promise.allSettled(Array.from({ length: pool.idleCount }, () => pool.connect()));
    const held = got.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    await Promise.all(
      held.map(async (client) => {
        if (this.warm.has(client)) {
          client.release();
          return;
        }
        try {
          await client.query(this.sql);
          this.warm.add(client);
          this.live++;
          client.release();
        } catch (err) {
          this.off = true;
          this.opts.log.debug({ err: String(err) }, 'claim warm-up failed; not tried again');
          client.release(err instanceof Error ? err : true);
        }
      }),
    );
  }
}
