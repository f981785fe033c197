import type pg from 'pg';
import type { Logger } from '../logger.js';

export interface ListenerOptions {
  /** A new, unconnected client for the LISTEN connection. */
  newClient: () => pg.Client;
  channel: string;
  onNotify: (payload: string) => void;
  /** More channels on the same connection (e.g. circuit breaker changes). */
  also?: Record<string, (payload: string) => void>;
  /**
   * Called after every (re)connect: notifications may have been missed meanwhile.
   * `recovered`: attempts failed or the connection was lost before this one.
   */
  onConnect: (recovered: boolean) => void;
  /** Called when the connection is lost. */
  onDisconnect?: () => void;
  log: Logger;
}

/**
 * The process's one LISTEN connection, held for the worker's whole life: its session in
 * pg_stat_activity is how other workers know this one is alive (src/worker/sessions.ts).
 * When it drops (database restart, network), it
 * reconnects with backoff (100 ms doubling to 5 s), logging once per outage, and
 * re-LISTENs; the claim loop's poll covers the gap.
 */
/** The longest wait between two reconnect attempts of a listener. */
export const LISTENER_MAX_BACKOFF_MS = 5_000;

export class Listener {
  private client: pg.Client | null = null;
  private stopped = false;
  private backoff = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  private outage = false;

  constructor(private readonly opts: ListenerOptions) {}

  async start(): Promise<void> {
    await this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const c = this.client;
    this.client = null;
    if (c) await c.end().catch(() => {});
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const client = this.opts.newClient();
    client.on('notification', (msg) => {
      if (msg.channel === this.opts.channel) this.opts.onNotify(msg.payload ?? '');
      else this.opts.also?.[msg.channel]?.(msg.payload ?? '');
    });
    client.on('error', () => this.lost(client));
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      for (const channel of [this.opts.channel, ...Object.keys(this.opts.also ?? {})]) {
        await client.query(`LISTEN "${channel.replaceAll('"', '""')}"`);
      }
    } catch (err) {
      await client.end().catch(() => {});
      this.retry(err);
      return;
    }
    if (this.stopped) {
      await client.end().catch(() => {});
      return;
    }
    this.client = client;
    this.backoff = 0;
    const recovered = this.outage;
    if (recovered) {
      this.outage = false;
      this.opts.log.warn({}, 'listener reconnected');
    }
    this.opts.onConnect(recovered);
  }

  private lost(client: pg.Client): void {
    if (this.client !== client) return;
    this.client = null;
    this.opts.onDisconnect?.();
    client.end().catch(() => {});
    this.retry(new Error('listener connection lost'));
  }

  private retry(err: unknown): void {
    if (this.stopped || this.retryTimer) return;
    if (!this.outage) {
      this.outage = true;
      this.opts.log.warn({ err: String(err) }, 'listener disconnected; reconnecting with backoff (polling meanwhile)');
    }
    this.backoff = Math.min(LISTENER_MAX_BACKOFF_MS, Math.max(100, this.backoff * 2));
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.connect();
    }, this.backoff);
  }
}
