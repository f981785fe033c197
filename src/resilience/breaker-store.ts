import { withSchema } from '../db/sql.js';
import type { Queryable } from '../types.js';

export type BreakerKind = 'queue' | 'dependency';
export type BreakerState = 'closed' | 'open' | 'half_open';

/** Which breaker: a queue's (every job of it) or a dependency's (jobs that call `ctx.breaker(name)`). */
export type BreakerTarget = { queue: string } | { dependency: string };

/** A breaker's settings, stored in the database and shared by every process. */
export interface BreakerSettings {
  /** Open when at least this fraction of the window's calls failed (0 < r <= 1). Default 0.5. */
  failureRatio: number;
  /** ...and the window holds at least this many calls. Default 20. */
  minCalls: number;
  /**
   * Rolling window length (10 buckets). Default 10,000 ms; at least 1,000. A total outage
   * trips the breaker once failures outweigh the successes still in the window: within
   * about half a window (sooner with retries), so keep it short.
   */
  windowMs: number;
  /** First cooldown while open; doubled on every failed probe round. Default 10,000 ms. */
  cooldownMs: number;
  /** Upper bound of the growing cooldown. Default 600,000 ms. */
  maxCooldownMs: number;
  /** Probe jobs let through while half-open, cluster-wide; that many successes close it. Default 1. */
  probes: number;
  /** A probe round whose results never arrive (its process died) is restarted after this. Default 60,000 ms. */
  probeTimeoutMs: number;
}

/** A breaker as stored, with its window's current totals. */
export interface BreakerStatus extends BreakerSettings {
  kind: BreakerKind;
  name: string;
  state: BreakerState;
  /** Set by an operator: the breaker stays in this state until reset. */
  forced: 'open' | 'closed' | null;
  /** Bumped on every transition. */
  generation: number;
  /** Calls and failures in the rolling window (counted while closed). */
  calls: number;
  failures: number;
  /** Openings since the last close (the cooldown doubles with each). */
  trips: number;
  openUntil: Date | null;
  /** While open (not forced): ms until half-open, by the database's clock. */
  openRemainingMs: number | null;
  probesTaken: number;
  probesOk: number;
  changedAt: Date;
  reason: string | null;
}

export interface BreakerHistoryEntry {
  id: string;
  kind: BreakerKind;
  name: string;
  from: BreakerState;
  to: BreakerState;
  reason: string;
  calls: number;
  failures: number;
  cooldownMs: number | null;
  actor: string;
  at: Date;
}

/** One process's outcomes for one breaker since its last sync. */
export interface BreakerDelta {
  kind: BreakerKind;
  name: string;
  ok?: number;
  fail?: number;
  /** Probe results, counted only in round `gen`. */
  gen?: number;
  pok?: number;
  pfail?: number;
  pnone?: number;
}

export interface StatusRow {
  kind: BreakerKind;
  name: string;
  state: BreakerState;
  forced: 'open' | 'closed' | null;
  generation: number;
  failure_ratio: number;
  min_calls: number;
  window_ms: number;
  cooldown_ms: number;
  max_cooldown_ms: number;
  probes: number;
  probe_timeout_ms: number;
  calls: number;
  failures: number;
  trips: number;
  open_until: Date | null;
  open_remaining_ms: number | null;
  probes_taken: number;
  probes_ok: number;
  changed_at: Date;
  reason: string | null;
}

export function toStatus(r: StatusRow): BreakerStatus {
  return {
    kind: r.kind,
    name: r.name,
    state: r.state,
    forced: r.forced,
    generation: r.generation,
    failureRatio: r.failure_ratio,
    minCalls: r.min_calls,
    windowMs: r.window_ms,
    cooldownMs: r.cooldown_ms,
    maxCooldownMs: r.max_cooldown_ms,
    probes: r.probes,
    probeTimeoutMs: r.probe_timeout_ms,
    calls: r.calls,
    failures: r.failures,
    trips: r.trips,
    openUntil: r.open_until,
    openRemainingMs: r.open_remaining_ms,
    probesTaken: r.probes_taken,
    probesOk: r.probes_ok,
    changedAt: r.changed_at,
    reason: r.reason,
  };
}

export function targetKey(kind: BreakerKind, name: string): string {
  return `${kind}:${name}`;
}

/**
 * The breaker tables, through the SQL functions of migration 0004 (the state machine
 * lives there so that every transition happens under the row's lock). Every method is
 * one statement.
 */
export class BreakerStore {
  private readonly sql: Record<'sync' | 'take' | 'force' | 'configure' | 'list' | 'get' | 'remove' | 'history', string>;

  constructor(
    private readonly db: Queryable,
    schema: string,
  ) {
    const q = (s: string) => withSchema(s, schema);
    this.sql = {
      sync: q('SELECT * FROM {{schema}}.breaker_sync($1::jsonb, $2)'),
      take: q('SELECT granted, generation FROM {{schema}}.breaker_take_probes($1, $2, $3, $4)'),
      force: q('SELECT * FROM {{schema}}.breaker_force($1, $2, $3, $4, $5)'),
      configure: q('SELECT * FROM {{schema}}.breaker_configure($1, $2, $3::jsonb)'),
      list: q('SELECT * FROM {{schema}}.breaker_status ORDER BY kind, name'),
      get: q('SELECT * FROM {{schema}}.breaker_status WHERE kind = $1 AND name = $2'),
      remove: q('DELETE FROM {{schema}}.breakers WHERE kind = $1 AND name = $2'),
      // Uses breaker_history_idx (one breaker) or the primary key order (all).
      history: q(`SELECT id, kind, name, from_state, to_state, reason, calls, failures, cooldown_ms, actor, at
                    FROM {{schema}}.breaker_history
                   WHERE $1::text IS NULL OR (kind = $1 AND name = $2)
                   ORDER BY at DESC, id DESC LIMIT $3`),
    };
  }

  /** Sends one process's outcomes and returns every breaker's state. */
  async sync(deltas: BreakerDelta[], actor: string): Promise<BreakerStatus[]> {
    const res = await this.db.query<StatusRow>(this.sql.sync, [JSON.stringify(deltas), actor]);
    return res.rows.map(toStatus);
  }

  /** Takes up to `want` probe tokens of a half-open breaker (cluster-wide at most `probes` per round). */
  async takeProbes(kind: BreakerKind, name: string, want: number, actor: string): Promise<{ granted: number; generation: number }> {
    const res = await this.db.query<{ granted: number; generation: number }>(this.sql.take, [kind, name, want, actor]);
    return res.rows[0] ?? { granted: 0, generation: 0 };
  }

  async force(
    kind: BreakerKind,
    name: string,
    action: 'open' | 'close' | 'reset',
    reason: string | null,
    actor: string,
  ): Promise<BreakerStatus> {
    const res = await this.db.query<StatusRow>(this.sql.force, [kind, name, action, reason, actor]);
    return toStatus(res.rows[0] as StatusRow);
  }

  async configure(kind: BreakerKind, name: string, settings: Partial<BreakerSettings>): Promise<BreakerStatus> {
    const s = settings;
    const json = JSON.stringify({
      failure_ratio: s.failureRatio,
      min_calls: s.minCalls,
      window_ms: s.windowMs,
      cooldown_ms: s.cooldownMs,
      max_cooldown_ms: s.maxCooldownMs,
      probes: s.probes,
      probe_timeout_ms: s.probeTimeoutMs,
    });
    const res = await this.db.query<StatusRow>(this.sql.configure, [kind, name, json]);
    return toStatus(res.rows[0] as StatusRow);
  }

  async list(): Promise<BreakerStatus[]> {
    const res = await this.db.query<StatusRow>(this.sql.list);
    return res.rows.map(toStatus);
  }

  async get(kind: BreakerKind, name: string): Promise<BreakerStatus | null> {
    const res = await this.db.query<StatusRow>(this.sql.get, [kind, name]);
    const row = res.rows[0];
    return row ? toStatus(row) : null;
  }

  async remove(kind: BreakerKind, name: string): Promise<boolean> {
    const res = await this.db.query(this.sql.remove, [kind, name]);
    return (res.rowCount ?? 0) > 0;
  }

  async history(target: { kind: BreakerKind; name: string } | null, limit: number): Promise<BreakerHistoryEntry[]> {
    const res = await this.db.query<HistoryRow>(this.sql.history, [target?.kind ?? null, target?.name ?? null, limit]);
    return res.rows.map(toHistoryEntry);
  }
}

/** A breaker_history row as the queries return it (also read by the admin's paginated history). */
export interface HistoryRow {
  id: string;
  kind: BreakerKind;
  name: string;
  from_state: BreakerState;
  to_state: BreakerState;
  reason: string;
  calls: number;
  failures: number;
  cooldown_ms: number | null;
  actor: string;
  at: Date;
}

export function toHistoryEntry(r: HistoryRow): BreakerHistoryEntry {
  return {
    id: r.id,
    kind: r.kind,
    name: r.name,
    from: r.from_state,
    to: r.to_state,
    reason: r.reason,
    calls: r.calls,
    failures: r.failures,
    cooldownMs: r.cooldown_ms,
    actor: r.actor,
    at: r.at,
  };
}
