import { EventEmitter } from 'node:events';
import pg from 'pg';
import type { Logger } from '../logger.js';

/**
 * One LISTEN connection per server, shared by the worker runtimes of every group placed
 * on it. Each group's runtime (src/worker/runtime.ts) asks for "a new client" for its
 * LISTEN connection; it gets a ListenHandle, which speaks the three calls the runtime's
 * Listener makes (connect, `LISTEN "channel"`, end) and its three events (notification,
 * error, end), multiplexed onto the server's one real connection. Channel names carry
 * the group's schema (`rota_g003.jobs`), so notifications reach the right group.
 *
 * When the real connection drops, every handle ends; each group's Listener reconnects
 * with its own backoff, and the first of them opens the new real connection. The real
 * connection carries the worker's listener application_name, which is how the other
 * workers of each group on that server tell this process is alive (src/worker/sessions.ts).
 */
export class SharedListener {
  private real: pg.Client | null = null;
  private connecting: Promise<pg.Client> | null = null;
  private readonly handles = new Set<ListenHandle>();
  /** LISTEN / UNLISTEN statements run one after another on the connection (pg wants one query at a time). */
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly config: pg.ClientConfig,
    private readonly log: Logger,
  ) {}

  /** A new, unconnected handle: what the runtime's `newListenerClient` returns. */
  handle(): ListenHandle {
    return new ListenHandle(this);
  }

  /** @internal */
  async attach(h: ListenHandle): Promise<void> {
    await this.connection();
    this.handles.add(h);
  }

  /** @internal */
  async listen(h: ListenHandle, channel: string): Promise<void> {
    const c = this.real;
    if (!c || !this.handles.has(h)) throw new Error('shared LISTEN connection lost');
    h.channels.add(channel);
    await this.run(c, `LISTEN "${channel.replaceAll('"', '""')}"`);
  }

  /** @internal */
  async detach(h: ListenHandle): Promise<void> {
    if (!this.handles.delete(h)) return;
    const c = this.real;
    if (!c) return;
    if (this.handles.size === 0) {
      this.real = null;
      await c.end().catch(() => {});
      return;
    }
    const still = new Set([...this.handles].flatMap((o) => [...o.channels]));
    for (const ch of h.channels) if (!still.has(ch)) await this.run(c, `UNLISTEN "${ch.replaceAll('"', '""')}"`).catch(() => {});
  }

  private run(c: pg.Client, text: string): Promise<unknown> {
    const next = this.chain.then(() => c.query(text));
    this.chain = next.catch(() => {});
    return next;
  }

  private connection(): Promise<pg.Client> {
    if (this.real) return Promise.resolve(this.real);
    this.connecting ??= this.open().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  private async open(): Promise<pg.Client> {
    const c = new pg.Client(this.config);
    c.on('notification', (msg) => {
      for (const h of this.handles) if (h.channels.has(msg.channel)) h.emit('notification', msg);
    });
    const lost = () => {
      if (this.real !== c) return;
      this.real = null;
      const all = [...this.handles];
      this.handles.clear();
      c.end().catch(() => {});
      this.log.debug({ handles: all.length }, 'shared LISTEN connection lost');
      for (const h of all) h.emit('end');
    };
    c.on('error', lost);
    c.on('end', lost);
    try {
      await c.connect();
    } catch (err) {
      await c.end().catch(() => {});
      throw err;
    }
    this.real = c;
    return c;
  }
}

/** A group's view of the shared LISTEN connection (see SharedListener). */
export class ListenHandle extends EventEmitter {
  readonly channels = new Set<string>();

  constructor(private readonly owner: SharedListener) {
    super();
  }

  connect(): Promise<void> {
    return this.owner.attach(this);
  }

  /** Only `LISTEN "channel"` is expected (src/worker/listener.ts). */
  async query(text: string): Promise<void> {
    const m = /^LISTEN "((?:[^"]|"")+)"$/.exec(text);
    if (!m) throw new Error(`shared LISTEN connection: unexpected statement ${text}`);
    await this.owner.listen(this, (m[1] as string).replaceAll('""', '"'));
  }

  end(): Promise<void> {
    return this.owner.detach(this);
  }
}
