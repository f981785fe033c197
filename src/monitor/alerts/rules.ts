import { ValidationError } from '../../errors.js';
import type { ClusterReader } from '../cluster.js';
import type { AlertRuleName, AlertSeverity } from './types.js';

/** A condition found by a rule in one evaluation. */
export interface Finding {
  type: string;
  severity: AlertSeverity;
  subject: string;
  message: string;
  details: Record<string, unknown>;
}

/** What this process knows about itself (process-scope rules). */
export interface LocalState {
  workerId: string;
  /** How long callers have been waiting for a pool connection without a break, ms. */
  poolWaitingForMs: number;
  pool: { total: number; idle: number; waiting: number };
  /** Status updates written by nobody yet (queued or in flight). */
  unwrittenUpdates: number;
  /** The last status write failed for want of a connection. */
  databaseUnreachable: boolean;
}

export interface RuleContext {
  cluster: ClusterReader;
  local: LocalState;
  /** True while an alert of this type and subject is active: rules then use their clear threshold (hysteresis). */
  isActive(type: string, subject: string): boolean;
}

export interface RuleDef {
  name: AlertRuleName;
  description: string;
  scope: 'cluster' | 'process';
  /** Alert types this rule raises (for auto-resolve). */
  types: readonly string[];
  defaults: Readonly<Record<string, number>>;
  evaluate(t: Record<string, number>, ctx: RuleContext): Promise<Finding[]>;
}

const pct = (x: number) => Math.round(x * 1000) / 10;
/** Rollups are per minute: a window covers the minutes it touches. */
const minutes = (ms: number | undefined) => `${Math.max(1, Math.ceil((ms ?? 0) / 60_000))} min`;

export const RULES: readonly RuleDef[] = [
  {
    name: 'connections',
    description:
      'PostgreSQL connections in use above a share of max_connections (minus reserved slots), with the applications holding them',
    scope: 'cluster',
    types: ['connections'],
    defaults: { warningPercent: 80, criticalPercent: 95, clearMarginPercent: 5 },
    async evaluate(t, ctx) {
      const c = await ctx.cluster.connections();
      const usable = Math.max(1, c.max - c.reserved);
      const used = (100 * c.total) / usable;
      const margin = ctx.isActive('connections', 'postgres') ? (t.clearMarginPercent ?? 0) : 0;
      if (used < (t.warningPercent ?? 80) - margin) return [];
      const severity: AlertSeverity = used >= (t.criticalPercent ?? 95) ? 'critical' : 'warning';
      const apps = new Map<string, number>();
      for (const a of c.byApplication) apps.set(a.application, (apps.get(a.application) ?? 0) + a.count);
      const holders = [...apps].sort((a, b) => b[1] - a[1]).map(([application, count]) => ({ application, count }));
      const top = holders
        .slice(0, 3)
        .map((h) => `${h.application} ${h.count}`)
        .join(', ');
      return [
        {
          type: 'connections',
          severity,
          subject: 'postgres',
          message: `${c.total} of ${usable} usable connections in use (${pct(c.total / usable)} %); most held by ${top}`,
          details: { inUse: c.total, max: c.max, reserved: c.reserved, percent: pct(c.total / usable), holders },
        },
      ];
    },
  },
  {
    name: 'pool_waiting',
    description: "Callers waiting for one of this process's pool connections longer than waitMs",
    scope: 'process',
    types: ['pool_waiting'],
    defaults: { waitMs: 1_000 },
    async evaluate(t, ctx) {
      const l = ctx.local;
      const limit = ctx.isActive('pool_waiting', l.workerId) ? (t.waitMs ?? 1000) / 2 : (t.waitMs ?? 1000);
      if (l.poolWaitingForMs <= limit) return [];
      return [
        {
          type: 'pool_waiting',
          severity: 'warning',
          subject: l.workerId,
          message: `${l.pool.waiting} callers have waited ${Math.round(l.poolWaitingForMs)} ms for a pool connection (${l.pool.total} open, ${l.pool.idle} idle)`,
          details: { ...l.pool, waitingForMs: Math.round(l.poolWaitingForMs) },
        },
      ];
    },
  },
  {
    name: 'updates_in_memory',
    description: 'Job status updates held in memory because the database is unreachable',
    scope: 'process',
    types: ['updates_in_memory'],
    defaults: { minUpdates: 1 },
    async evaluate(t, ctx) {
      const l = ctx.local;
      if (!l.databaseUnreachable || l.unwrittenUpdates < (t.minUpdates ?? 1)) return [];
      return [
        {
          type: 'updates_in_memory',
          severity: 'critical',
          subject: l.workerId,
          message: `${l.unwrittenUpdates} job status updates held in memory: the database is unreachable`,
          details: { updates: l.unwrittenUpdates },
        },
      ];
    },
  },
  {
    name: 'oldest_ready',
    description: 'The oldest ready job of a queue (not paused) has waited longer than ageMs',
    scope: 'cluster',
    types: ['oldest_ready'],
    defaults: { ageMs: 60_000 },
    async evaluate(t, ctx) {
      const out: Finding[] = [];
      for (const g of await ctx.cluster.queueGauges()) {
        const limit = ctx.isActive('oldest_ready', g.queue) ? (t.ageMs ?? 60_000) / 2 : (t.ageMs ?? 60_000);
        // A paused queue's backlog waits on purpose.
        if (!g.paused && g.ready > 0 && g.oldestReadyMs > limit) {
          out.push({
            type: 'oldest_ready',
            severity: 'warning',
            subject: g.queue,
            message: `queue ${g.queue}: oldest ready job waiting ${Math.round(g.oldestReadyMs / 1000)} s (${g.ready} ready, ${g.running} running)`,
            details: { oldestReadyMs: Math.round(g.oldestReadyMs), ready: g.ready, running: g.running },
          });
        }
      }
      return out;
    },
  },
  {
    name: 'failure_ratio',
    description: 'Share of failed attempts of a queue above ratio over windowMs (at least minAttempts)',
    scope: 'cluster',
    types: ['failure_ratio'],
    defaults: { ratio: 0.5, windowMs: 300_000, minAttempts: 20, clearMargin: 0.1 },
    async evaluate(t, ctx) {
      const out: Finding[] = [];
      for (const r of await ctx.cluster.recentOutcomes(t.windowMs ?? 300_000)) {
        const n = r.completed + r.failed;
        if (n < (t.minAttempts ?? 20)) continue;
        const ratio = r.failed / n;
        const limit = (t.ratio ?? 0.5) - (ctx.isActive('failure_ratio', r.queue) ? (t.clearMargin ?? 0) : 0);
        if (ratio < limit) continue;
        out.push({
          type: 'failure_ratio',
          severity: 'warning',
          subject: r.queue,
          message: `queue ${r.queue}: ${pct(ratio)} % of ${n} attempts failed in the last ${minutes(t.windowMs)} (whole minutes of rollups)`,
          details: { failed: r.failed, attempts: n, ratio },
        });
      }
      return out;
    },
  },
  {
    name: 'dead_jobs',
    description: 'Jobs of a queue ended dead (out of attempts) within windowMs (at least minDead)',
    scope: 'cluster',
    types: ['dead_jobs'],
    defaults: { windowMs: 300_000, minDead: 1 },
    async evaluate(t, ctx) {
      const out: Finding[] = [];
      for (const r of await ctx.cluster.recentOutcomes(t.windowMs ?? 300_000)) {
        if (r.dead < (t.minDead ?? 1)) continue;
        out.push({
          type: 'dead_jobs',
          severity: 'warning',
          subject: r.queue,
          message: `queue ${r.queue}: ${r.dead} jobs dead in the last ${minutes(t.windowMs)} (whole minutes of rollups)`,
          details: { dead: r.dead },
        });
      }
      return out;
    },
  },
  {
    name: 'breaker_open',
    description: 'A circuit breaker is open',
    scope: 'cluster',
    types: ['breaker_open'],
    defaults: {},
    async evaluate(_t, ctx) {
      return (await ctx.cluster.breakers())
        .filter((b) => b.state === 'open')
        .map((b) => ({
          type: 'breaker_open',
          severity: 'warning' as const,
          subject: `${b.kind}:${b.name}`,
          message: `${b.kind} breaker ${b.name} is open since ${b.changedAt.toISOString()}`,
          details: { kind: b.kind, name: b.name, since: b.changedAt.toISOString() },
        }));
    },
  },
  {
    name: 'scheduler',
    description:
      'A schedule missed a tick within windowMs, or an enabled schedule is overdue by more than its grace plus slackMs (no scheduler evaluating)',
    scope: 'cluster',
    types: ['scheduler_missed_tick', 'scheduler_not_running'],
    defaults: { windowMs: 600_000, slackMs: 10_000 },
    async evaluate(t, ctx) {
      const out: Finding[] = [];
      const now = Date.now();
      let overdue = 0;
      for (const s of await ctx.cluster.schedules()) {
        if (s.lastMissedAt && now - s.lastMissedAt.getTime() < (t.windowMs ?? 600_000)) {
          out.push({
            type: 'scheduler_missed_tick',
            severity: 'warning',
            subject: s.name,
            message: `schedule ${s.name} missed a tick at ${s.lastMissedAt.toISOString()} (${s.missedTotal} missed in all)`,
            details: { lastMissedAt: s.lastMissedAt.toISOString(), missedTotal: s.missedTotal },
          });
        }
        if (s.enabled && s.overdueMs > s.graceMs + (t.slackMs ?? 10_000)) overdue++;
      }
      // Schedulers paused by an operator evaluate nothing on purpose.
      if (overdue > 0 && !(await ctx.cluster.schedulersPaused())) {
        out.push({
          type: 'scheduler_not_running',
          severity: 'critical',
          subject: 'scheduler',
          message: `${overdue} enabled schedules are overdue: no scheduler is evaluating (start one with rota.startScheduler())`,
          details: { overdue },
        });
      }
      return out;
    },
  },
  {
    name: 'worker_lost',
    description: 'Running jobs held by a worker process that has not heartbeated for staleMs',
    scope: 'cluster',
    types: ['worker_lost'],
    defaults: { staleMs: 60_000 },
    async evaluate(t, ctx) {
      return (await ctx.cluster.lostWorkers(t.staleMs ?? 60_000)).map((w) => ({
        type: 'worker_lost',
        severity: 'critical' as const,
        subject: w.worker,
        message: `worker ${w.worker} stopped heartbeating holding ${w.jobs} running jobs (${w.queues.join(', ')}); they are rescued when their leases expire`,
        details: { jobs: w.jobs, queues: w.queues },
      }));
    },
  },
];

export function ruleDef(name: string): RuleDef {
  const def = RULES.find((r) => r.name === name);
  if (!def) throw new ValidationError('rule', `unknown alert rule ${JSON.stringify(name)} (one of ${RULES.map((r) => r.name).join(', ')})`);
  return def;
}

/** Validates threshold overrides for a rule: known keys, finite non-negative numbers. */
export function validateThresholds(def: RuleDef, input: unknown): Record<string, number> {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) throw new ValidationError('thresholds', 'must be an object');
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(input)) {
    if (!(k in def.defaults)) {
      const known = Object.keys(def.defaults);
      throw new ValidationError(
        `thresholds.${k}`,
        `is not a threshold of rule ${def.name} (${known.length ? known.join(', ') : 'it has none'})`,
      );
    }
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
      throw new ValidationError(`thresholds.${k}`, `must be a non-negative number (got ${JSON.stringify(v)})`);
    out[k] = v;
  }
  return out;
}
