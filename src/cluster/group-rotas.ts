import pg from 'pg';
import { ValidationError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { PoolStats, RotaEvents, RotaStats } from '../options.js';
import { Rota } from '../rota.js';
import type { RuntimeHooks } from '../worker/hooks.js';
import { listenerAppName } from '../worker/sessions.js';
import { useListenerClient, useRuntimeHooks } from '../worker-host.js';
import type { ClusterRotaOptions, ResolvedCluster } from './config.js';
import { SharedListener } from './shared-listener.js';

type AnyListener = (...args: never[]) => void;

/** A group's fallback claim poll with the shared runtime, unless `rota.pollIntervalMs` says otherwise. */
export const IDLE_POLL_MS = 5_000;
/** A group's breaker sync with the shared runtime, unless `rota.breakerSyncMs` says otherwise. */
export const BREAKER_SYNC_MS = 2_000;

/**
 * What one process holds of a cluster: a pool and a shared LISTEN connection per server,
 * and a Rota per group it has used (opened on first use, where the placement says; one
 * worker id for all, so every group's workers table names this process alike). Event
 * listeners are attached to every group's Rota, also to groups opened later.
 */
export class GroupRotas {
  private readonly pools = new Map<string, pg.Pool>();
  private readonly listeners = new Map<string, SharedListener>();
  private readonly rotas = new Map<number, Rota>();
  private readonly events: Array<[keyof RotaEvents, AnyListener]> = [];
  private closed = false;

  constructor(
    private readonly cfg: ResolvedCluster,
    private readonly o: {
      workerId: string;
      rota?: ClusterRotaOptions;
      log: Logger;
      schemaOf: (g: number) => string;
      /** The shared worker runtime's hooks for a group on this server (src/cluster/shared-runtime.ts); absent: one independent runtime per group. */
      hooks?: (server: string) => RuntimeHooks;
    },
  ) {
    for (const [name, s] of cfg.servers) {
      const pool = new pg.Pool({ connectionString: s.connectionString, max: s.poolSize, application_name: 'rota' });
      pool.on('error', (err) => o.log.warn({ server: name, err: String(err) }, 'idle pool connection lost'));
      // Every group's Rota on this server adds its own listeners (error, pool watch) to the
      // shared pool: bounded by the group count (any group may be moved here), not a leak.
      pool.setMaxListeners(10 + 4 * (cfg.groups + 1));
      this.pools.set(name, pool);
      const listenerConfig = { connectionString: s.connectionString, application_name: listenerAppName(o.workerId) };
      this.listeners.set(name, new SharedListener(listenerConfig, o.log.child({ server: name })));
    }
  }

  pool(server: string): pg.Pool {
    const p = this.pools.get(server);
    if (!p) throw new ValidationError('server', `names no server (got ${JSON.stringify(server)})`);
    return p;
  }

  /** Group g's Rota (-1: the legacy schema). */
  get(g: number): Rota {
    if (this.closed) throw new Error('rota cluster is closed');
    const { cfg } = this;
    if (!(Number.isInteger(g) && g >= -1 && g < cfg.groups)) throw new ValidationError('group', `must be 0..${cfg.groups - 1} (got ${g})`);
    if (g === -1 && !cfg.legacy) throw new ValidationError('group', 'no legacy schema is configured');
    let r = this.rotas.get(g);
    if (!r) {
      const server = g === -1 ? (cfg.legacy?.server as string) : (cfg.placement[g] as string);
      const schema = g === -1 ? (cfg.legacy?.schema as string) : this.o.schemaOf(g);
      const listener = this.listeners.get(server) as SharedListener;
      r = new Rota({
        // A group's fallback claim poll and breaker sync: NOTIFY wakes a group with new
        // work (and breaker changes), so idle groups are not polled every second.
        ...this.o.rota,
        ...(this.o.hooks
          ? {
              pollIntervalMs: this.o.rota?.pollIntervalMs ?? IDLE_POLL_MS,
              breakerSyncMs: this.o.rota?.breakerSyncMs ?? BREAKER_SYNC_MS,
            }
          : {}),
        pool: this.pool(server),
        schema,
        workerId: this.o.workerId,
        logger: this.o.log.child({ group: g, server }),
      });
      // The listener handle stands in for a pg.Client: it implements what the runtime's Listener calls.
      useListenerClient(r, () => listener.handle() as unknown as pg.Client);
      if (this.o.hooks) useRuntimeHooks(r, this.o.hooks(server));
      for (const [event, fn] of this.events) r.on(event, fn as (...args: unknown[]) => void);
      this.rotas.set(g, r);
    }
    return r;
  }

  /** Closes and forgets group g's Rota: the next get(g) opens it where the placement now says. */
  async drop(g: number): Promise<void> {
    const old = this.rotas.get(g);
    this.rotas.delete(g);
    await old?.close();
  }

  on<E extends keyof RotaEvents>(event: E, listener: (...args: RotaEvents[E]) => void): void {
    this.events.push([event, listener as unknown as AnyListener]);
    for (const r of this.rotas.values()) r.on(event, listener);
  }

  off<E extends keyof RotaEvents>(event: E, listener: (...args: RotaEvents[E]) => void): void {
    const i = this.events.findIndex(([e, fn]) => e === event && fn === (listener as unknown));
    if (i >= 0) this.events.splice(i, 1);
    for (const r of this.rotas.values()) r.off(event, listener);
  }

  stats(): { groups: Record<string, RotaStats>; pools: Record<string, PoolStats> } {
    const groups: Record<string, RotaStats> = {};
    for (const [g, r] of this.rotas) groups[String(g)] = r.stats();
    const pools: Record<string, PoolStats> = {};
    for (const [name, p] of this.pools) pools[name] = { total: p.totalCount, idle: p.idleCount, waiting: p.waitingCount };
    return { groups, pools };
  }

  /** Closes every group's Rota (workers drained, batches flushed), then the pools. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.rotas.values()].map((r) => r.close()));
    this.rotas.clear();
    await Promise.all([...this.pools.values()].map((p) => p.end()));
  }
}
