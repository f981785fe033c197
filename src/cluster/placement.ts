import type pg from 'pg';
import { withSchema } from '../db/sql.js';
import { ValidationError } from '../errors.js';
import type { Logger } from '../logger.js';
import { type MoveResult, moveGroupData } from './move.js';

/**
 * Where each group lives, stored on the coordinator (`<prefix>_cluster.placement`) so
 * that every process follows a move: the config's placement seeds it once (the first
 * `migrate()`), moves update it, and processes read it at migrate(), every
 * `placementRefreshMs` while they work, and when a statement finds its group's schema
 * gone (src/cluster/cluster.ts).
 */
export class PlacementStore {
  constructor(
    private readonly coordinator: pg.Pool,
    private readonly schema: string,
  ) {}

  /** Stores the config's placement for groups that have none yet (a stored placement wins). */
  async seed(placement: readonly string[]): Promise<void> {
    await this.coordinator.query(
      withSchema(
        `INSERT INTO {{schema}}.placement (grp, server)
         SELECT g - 1, s FROM unnest($1::text[]) WITH ORDINALITY AS u(s, g)
         ON CONFLICT (grp) DO NOTHING`,
        this.schema,
      ),
      [placement],
    );
  }

  /** Stored group → server. */
  async read(): Promise<Map<number, string>> {
    const res = await this.coordinator.query<{ grp: number; server: string }>(
      withSchema('SELECT grp, server FROM {{schema}}.placement', this.schema),
    );
    return new Map(res.rows.map((r) => [r.grp, r.server]));
  }

  async set(group: number, server: string): Promise<void> {
    await this.coordinator.query(
      withSchema(
        `INSERT INTO {{schema}}.placement (grp, server, moved_at) VALUES ($1, $2, now())
         ON CONFLICT (grp) DO UPDATE SET server = EXCLUDED.server, moved_at = now()`,
        this.schema,
      ),
      [group, server],
    );
  }
}

/**
 * A statement failed because its group's schema is not on that server (any more):
 * undefined table / schema / function, or a relation dropped while the statement
 * waited for its lock (a move's final step).
 */
export function isGroupGone(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  if (!e) return false;
  if (e.code === '42P01' || e.code === '3F000' || e.code === '42883') return true;
  return typeof e.message === 'string' && /could not open relation with OID/.test(e.message);
}

export interface GroupPlacementOptions {
  store: PlacementStore;
  /** The process's group → server array, changed in place. */
  placement: string[];
  servers: ReadonlyMap<string, { connectionString: string }>;
  schemaOf: (g: number) => string;
  workers: { pause(g: number): Promise<void>; resume(g: number): void };
  /** Closes and forgets group g's Rota: the next use opens it where the placement now says. */
  dropRota: (g: number) => Promise<void>;
  log: Logger;
}

/** Keeps this process's routing in step with the stored placement, and moves groups. */
export class GroupPlacement {
  /** Groups being moved by this process: workers paused, writes refused until the move ends. */
  readonly moving = new Set<number>();

  constructor(private readonly o: GroupPlacementOptions) {}

  /** Stores the config's placement where none is stored yet, then follows what is stored. */
  async seed(): Promise<void> {
    await this.o.store.seed(this.o.placement);
    await this.refresh();
  }

  async refresh(): Promise<number[]> {
    const stored = await this.o.store.read();
    const changed: number[] = [];
    for (const [g, server] of stored) {
      if (g >= this.o.placement.length || this.o.placement[g] === server || this.moving.has(g)) continue;
      if (!this.o.servers.has(server)) {
        this.o.log.warn({ group: g, server }, 'stored placement names a server this process does not know; group left where it was');
        continue;
      }
      changed.push(g);
      await this.reroute(g, server);
    }
    if (changed.length > 0) this.o.log.info({ groups: changed }, 'placement changed: groups routed to their new servers');
    return changed;
  }

  /** Group g's workers here stop, it is routed to `server`, its workers start again there. */
  private async reroute(g: number, server: string): Promise<void> {
    await this.o.workers.pause(g);
    try {
      this.o.placement[g] = server;
      await this.o.dropRota(g);
    } finally {
      this.o.workers.resume(g);
    }
  }

  async move(g: number, to: string): Promise<MoveResult> {
    const n = this.o.placement.length;
    if (!(Number.isInteger(g) && g >= 0 && g < n)) throw new ValidationError('group', `must be 0..${n - 1} (got ${g})`);
    if (!this.o.servers.has(to)) throw new ValidationError('to', `names no server (got ${JSON.stringify(to)})`);
    if (this.moving.has(g)) throw new ValidationError('group', `group ${g} is already being moved`);
    // Move from where the group really is (another process may have moved it).
    await this.refresh();
    const from = this.o.placement[g] as string;
    if (from === to) throw new ValidationError('to', `group ${g} is already on ${to}`);
    this.moving.add(g);
    try {
      await this.o.workers.pause(g);
      const conn = (name: string) => ({ connectionString: this.o.servers.get(name)?.connectionString as string });
      try {
        const result = await moveGroupData({
          schema: this.o.schemaOf(g),
          from: conn(from),
          to: conn(to),
          log: this.o.log.child({ group: g }),
          onCopied: () => this.o.store.set(g, to),
        });
        // Placement first: whatever asks for the group from now on gets it on the new server.
        this.o.placement[g] = to;
        await this.o.dropRota(g);
        return result;
      } finally {
        // On the new server after a move; on the old one (untouched) when it failed.
        this.o.workers.resume(g);
      }
    } finally {
      this.moving.delete(g);
    }
  }
}
