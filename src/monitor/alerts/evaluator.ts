import { isConnectionError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { ClusterReader } from '../cluster.js';
import { type Finding, type LocalState, RULES, type RuleContext, type RuleDef } from './rules.js';
import type { AlertStore } from './store.js';
import type { Alert, AlertEvent } from './types.js';

export interface EvaluatorDeps {
  store: AlertStore;
  cluster: ClusterReader;
  workerId: string;
  log: Logger;
  local: () => LocalState;
  emit: (e: AlertEvent) => void;
  notify: (e: AlertEvent) => Promise<void>;
  /** How long the evaluator lease lasts without renewal (another process takes over after it). */
  leaseMs: number;
  /** Consecutive clear evaluations before an alert resolves (hysteresis). */
  resolveAfter: number;
  /** Prune rollups and resolved alerts (called by the lease holder now and then). */
  prune: () => Promise<void>;
  pruneEveryMs: number;
  /** Bound on the database steps of process rules (settings, writing their alerts). */
  dbTimeoutMs: number;
}

const LEASE = 'alerts';
const key = (type: string, subject: string) => `${type}\u0000${subject}`;

/**
 * One evaluation pass, run on a timer by every process that monitors. Cluster rules
 * run only in the process holding the evaluator lease (a row; any process takes over
 * once it expires). Process rules (this process's pool and unwritten status updates)
 * run everywhere; their alerts live in memory first, so they fire while the database
 * is unreachable, and are written (then resolved) once it answers again.
 */
export class AlertEvaluator {
  private leader = false;
  private readonly memory = new Map<string, Alert & { persisted: boolean }>();
  private readonly clears = new Map<string, number>();
  private settings = new Map<string, { enabled: boolean; thresholds: Record<string, number> }>();
  private lastPrune = 0;
  private dbFailing = false;

  constructor(private readonly deps: EvaluatorDeps) {}

  get isLeader(): boolean {
    return this.leader;
  }

  /** Alerts this process holds in memory (process rules), including ones not yet written. */
  localAlerts(): Alert[] {
    return [...this.memory.values()].map(({ persisted: _, ...a }) => a);
  }

  private thresholds(def: RuleDef): Record<string, number> | null {
    const s = this.settings.get(def.name);
    if (s && !s.enabled) return null;
    return { ...def.defaults, ...s?.thresholds };
  }

  /**
   * Process rules are evaluated first and without the database (settings as last read),
   * so their alerts fire even while the pool is exhausted or the database is gone; every
   * database step after that is bounded by `dbTimeoutMs`.
   */
  async tick(): Promise<void> {
    const { store, log } = this.deps;
    const cleared = await this.observeLocal();
    let dbOk = true;
    try {
      this.settings = await this.bounded(store.ruleSettings());
      if (this.dbFailing) log.info({}, 'alert evaluator: database reachable again');
      this.dbFailing = false;
    } catch (err) {
      dbOk = false;
      if (!this.dbFailing) log.warn({ err: String(err) }, 'alert evaluator: database unreachable; process rules only, kept in memory');
      this.dbFailing = true;
      this.leader = false;
    }
    if (!dbOk) return;
    await this.persistLocal(cleared);
    try {
      this.leader = await store.takeLease(LEASE, this.deps.workerId, this.deps.leaseMs);
      if (!this.leader) return;
      await this.evaluateCluster();
      if (Date.now() - this.lastPrune > this.deps.pruneEveryMs) {
        this.lastPrune = Date.now();
        await this.deps.prune();
      }
    } catch (err) {
      if (!isConnectionError(err)) log.warn({ err: String(err) }, 'alert evaluation failed');
    }
  }

  private bounded<T>(p: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    p.catch(() => {});
    return Promise.race([
      p.finally(() => clearTimeout(timer)),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`the database did not answer within ${this.deps.dbTimeoutMs} ms`)),
          this.deps.dbTimeoutMs,
        );
      }),
    ]);
  }

  private async run(defs: readonly RuleDef[], ctx: RuleContext): Promise<{ findings: Finding[]; types: string[] }> {
    const findings: Finding[] = [];
    const types: string[] = [];
    for (const def of defs) {
      const t = this.thresholds(def);
      // A disabled rule finds nothing, so its alerts resolve.
      if (!t) {
        types.push(...def.types);
        continue;
      }
      try {
        findings.push(...(await def.evaluate(t, ctx)));
        types.push(...def.types);
      } catch (err) {
        // A rule that could not run keeps its alerts as they are.
        this.deps.log.warn({ rule: def.name, err: String(err) }, 'alert rule failed');
      }
    }
    return { findings, types };
  }

  /** Evaluates the process rules (no database): new alerts fire in memory at once. Returns the keys found clear. */
  private async observeLocal(): Promise<Map<string, number>> {
    const ctx: RuleContext = {
      cluster: this.deps.cluster,
      local: this.deps.local(),
      isActive: (type, subject) => this.memory.has(key(type, subject)),
    };
    const { findings } = await this.run(
      RULES.filter((r) => r.scope === 'process'),
      ctx,
    );
    const now = new Date();
    const found = new Set<string>();
    for (const f of findings) {
      const k = key(f.type, f.subject);
      found.add(k);
      this.clears.delete(k);
      const a = this.memory.get(k);
      if (a) {
        Object.assign(a, { severity: f.severity, message: f.message, details: f.details, lastSeen: now, count: a.count + 1 });
        continue;
      }
      const alert = {
        id: null,
        ...f,
        state: 'active' as const,
        firstSeen: now,
        lastSeen: now,
        count: 1,
        resolvedAt: null,
        resolvedBy: null,
      };
      this.memory.set(k, { ...alert, persisted: false });
      this.deps.emit({ action: 'fired', alert });
    }
    const cleared = new Map<string, number>();
    for (const k of this.memory.keys()) {
      if (found.has(k)) continue;
      const n = (this.clears.get(k) ?? 0) + 1;
      this.clears.set(k, n);
      cleared.set(k, n);
    }
    return cleared;
  }

  /**
   * Writes this process's alerts: every sighting while active, and the resolution once
   * clear for `resolveAfter` evaluations. An alert raised while the database was away is
   * written first, then resolved, so the history keeps it.
   */
  private async persistLocal(cleared: Map<string, number>): Promise<void> {
    const { store } = this.deps;
    for (const [k, a] of this.memory) {
      const n = cleared.get(k) ?? 0;
      try {
        if (n === 0 || !a.persisted) {
          const { alert, created } = await this.bounded(store.upsert(a, a.firstSeen));
          a.id = alert.id;
          a.persisted = true;
          if (created) await this.deps.notify({ action: 'fired', alert });
        }
        if (n >= this.deps.resolveAfter) {
          const [resolved] = await this.bounded(store.resolveWhere({ type: a.type, subject: a.subject }, 'auto'));
          this.memory.delete(k);
          this.clears.delete(k);
          const alert = resolved ?? { ...a, state: 'resolved' as const, resolvedAt: new Date(), resolvedBy: 'auto' };
          this.deps.emit({ action: 'resolved', alert });
          await this.deps.notify({ action: 'resolved', alert });
        }
      } catch (err) {
        if (!isConnectionError(err)) this.deps.log.warn({ err: String(err) }, 'process alert could not be written');
        return;
      }
    }
  }

  private async evaluateCluster(): Promise<void> {
    const { store } = this.deps;
    const defs = RULES.filter((r) => r.scope === 'cluster');
    const allTypes = defs.flatMap((d) => d.types);
    const before = await store.active(allTypes);
    const activeKeys = new Set(before.map((a) => key(a.type, a.subject)));
    const ctx: RuleContext = {
      cluster: this.deps.cluster,
      local: this.deps.local(),
      isActive: (type, subject) => activeKeys.has(key(type, subject)),
    };
    const { findings, types } = await this.run(defs, ctx);
    const found = new Set<string>();
    for (const f of findings) {
      const k = key(f.type, f.subject);
      found.add(k);
      this.clears.delete(k);
      const { alert, created } = await store.upsert(f);
      if (created) {
        this.deps.emit({ action: 'fired', alert });
        await this.deps.notify({ action: 'fired', alert });
      }
    }
    const evaluated = new Set(types);
    for (const a of before) {
      const k = key(a.type, a.subject);
      if (found.has(k) || !evaluated.has(a.type)) continue;
      const n = (this.clears.get(k) ?? 0) + 1;
      this.clears.set(k, n);
      if (n < this.deps.resolveAfter) continue;
      this.clears.delete(k);
      for (const alert of await store.resolveWhere({ id: a.id ?? undefined }, 'auto')) {
        this.deps.emit({ action: 'resolved', alert });
        await this.deps.notify({ action: 'resolved', alert });
      }
    }
  }

  /** Gives the lease up (on stop) so another process takes over at once. */
  async release(): Promise<void> {
    if (!this.leader) return;
    this.leader = false;
    await this.deps.store.releaseLease(LEASE, this.deps.workerId).catch(() => {});
  }
}
