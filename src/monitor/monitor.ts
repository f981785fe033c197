import type pg from 'pg';
import { positiveInt } from '../client/validate.js';
import { loadQuery, withSchema } from '../db/sql.js';
import { asUnavailable, isConnectionError, ValidationError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { RotaStats } from '../options.js';
import type { EnqueueOptions, Handler } from '../types.js';
import type { FlushStats } from '../worker/batcher.js';
import type { JobOutcome } from '../worker/executor.js';
import { Alerts } from './alerts/alerts.js';
import { AlertEvaluator } from './alerts/evaluator.js';
import { ruleDef } from './alerts/rules.js';
import { AlertStore } from './alerts/store.js';
import type { AlertEvent } from './alerts/types.js';
import { WEBHOOK_QUEUE, WebhookNotifier, type WebhookPayload, webhookHandler } from './alerts/webhooks.js';
import { ClusterReader } from './cluster.js';
import { checkHealth, type HealthReport } from './health.js';
import { quantile } from './histogram.js';
import { ProcessMetrics, renderMetrics } from './metrics.js';
import type { MonitorOptions } from './options.js';
import { RollupAggregator } from './rollup.js';

export type { MonitorOptions } from './options.js';

const MINUTE_MS = 60_000;
/**
 * Rollup rows are folded into the totals after this long: well past the hour a process
 * keeps unwritten cells in memory (RollupAggregator.maxMinutes), so no process rewrites
 * a folded row.
 */
const FOLD_AFTER_MS = 2 * 3_600_000;

export interface MonitorDeps {
  pool: pg.Pool;
  schema: string;
  workerId: string;
  log: Logger;
  options: MonitorOptions | undefined;
  stats: () => RotaStats;
  unwrittenUpdates: () => number;
  emit: (e: AlertEvent) => void;
  enqueue: (queue: string, payload: WebhookPayload, opts: EnqueueOptions) => Promise<unknown>;
  work: (
    queue: string,
    opts: { concurrency: number; retry: { baseMs: number; maxMs: number } },
    handler: Handler<WebhookPayload>,
  ) => { stop(): Promise<void> };
}

export interface TimeseriesPoint {
  t: Date;
  completed: number;
  failed: number;
  retried: number;
  dead: number;
  snoozed: number;
  rateLimited: number;
  /** Milliseconds; null when nothing ran in the step. */
  wait: { p50: number | null; p95: number | null; p99: number | null };
  run: { p50: number | null; p95: number | null; p99: number | null };
}

export interface MonitorHandle {
  /** Stops evaluating (and the webhook worker), gives the evaluator lease up. */
  stop(): Promise<void>;
}

/**
 * Monitoring for one Rota instance: rollup aggregation (fed by the executor's
 * outcomes, written with the heartbeat), Prometheus metrics, health checks and alert
 * evaluation. Nothing runs until `start()` (or a worker's heartbeat writes rollups).
 */
export class Monitor {
  readonly cluster: ClusterReader;
  readonly alerts: Alerts;
  private readonly rollups: RollupAggregator;
  private readonly store: AlertStore;
  private readonly processMetrics = new ProcessMetrics();
  private readonly notifier: WebhookNotifier;
  private readonly evaluator: AlertEvaluator;
  private readonly sql: { write: string; fold: string };
  private readonly o: Required<Omit<MonitorOptions, 'webhookRetry'>> & { webhookRetry: { baseMs: number; maxMs: number } };
  private lastFlushMode: FlushStats['mode'] = 'batch';
  private running: { timer: NodeJS.Timeout; webhooks: { stop(): Promise<void> } | null; busy: Promise<void> | null } | null = null;

  constructor(private readonly deps: MonitorDeps) {
    const opts = deps.options ?? {};
    if (opts === null || typeof opts !== 'object') throw new ValidationError('monitor', 'must be an object');
    const evaluateIntervalMs = positiveInt('monitor.evaluateIntervalMs', opts.evaluateIntervalMs ?? 5_000, { min: 10 });
    if (opts.rollups !== undefined && typeof opts.rollups !== 'boolean') throw new ValidationError('monitor.rollups', 'must be a boolean');
    this.o = {
      rollups: opts.rollups ?? true,
      topTenants: positiveInt('monitor.topTenants', opts.topTenants ?? 10, { max: 1000 }),
      rollupRetentionMs: positiveInt('monitor.rollupRetentionMs', opts.rollupRetentionMs ?? 7 * 86_400_000, {
        min: 2 * MINUTE_MS,
        max: Number.MAX_SAFE_INTEGER,
      }),
      evaluateIntervalMs,
      evaluatorLeaseMs: positiveInt('monitor.evaluatorLeaseMs', opts.evaluatorLeaseMs ?? 3 * evaluateIntervalMs, {
        min: evaluateIntervalMs,
      }),
      resolveAfter: positiveInt('monitor.resolveAfter', opts.resolveAfter ?? 3, { max: 1000 }),
      healthTimeoutMs: positiveInt('monitor.healthTimeoutMs', opts.healthTimeoutMs ?? 2_000, { min: 10 }),
      webhookAttempts: positiveInt('monitor.webhookAttempts', opts.webhookAttempts ?? 8, { max: 100 }),
      webhookTimeoutMs: positiveInt('monitor.webhookTimeoutMs', opts.webhookTimeoutMs ?? 10_000, { min: 10 }),
      webhookRetry: { baseMs: opts.webhookRetry?.baseMs ?? 1_000, maxMs: opts.webhookRetry?.maxMs ?? 300_000 },
    };
    positiveInt('monitor.webhookRetry.baseMs', this.o.webhookRetry.baseMs);
    positiveInt('monitor.webhookRetry.maxMs', this.o.webhookRetry.maxMs);
    this.sql = { write: loadQuery('monitor/rollup_write', deps.schema), fold: loadQuery('monitor/fold', deps.schema) };
    this.cluster = new ClusterReader(deps.pool, deps.schema);
    this.store = new AlertStore(deps.pool, deps.schema);
    this.rollups = new RollupAggregator({ workerId: deps.workerId, topTenants: this.o.topTenants, log: deps.log });
    this.notifier = new WebhookNotifier(this.store, deps.enqueue, deps.log, this.o.webhookAttempts);
    this.alerts = new Alerts(this.store, () => this.notifier.invalidate());
    this.evaluator = new AlertEvaluator({
      store: this.store,
      cluster: this.cluster,
      workerId: deps.workerId,
      log: deps.log.child({ part: 'alerts' }),
      local: () => {
        const s = deps.stats();
        const unwritten = deps.unwrittenUpdates();
        return {
          workerId: deps.workerId,
          pool: s.pool,
          poolWaitingForMs: s.resilience.pool.waitingForMs,
          unwrittenUpdates: unwritten,
          databaseUnreachable: this.lastFlushMode === 'retry' && unwritten > 0,
        };
      },
      emit: deps.emit,
      notify: (e) => this.notifier.notify(e),
      leaseMs: this.o.evaluatorLeaseMs,
      resolveAfter: this.o.resolveAfter,
      prune: () => this.prune(),
      pruneEveryMs: 10 * MINUTE_MS,
      dbTimeoutMs: this.o.healthTimeoutMs,
    });
  }

  /** The executor's outcome listener (no I/O: a few in-memory updates). */
  onOutcome(o: JobOutcome): void {
    if (this.o.rollups) this.rollups.record(o);
  }

  onEnqueued(queue: string, n: number): void {
    if (this.o.rollups) this.rollups.enqueued(queue, n);
  }

  onFlush(s: FlushStats): void {
    this.lastFlushMode = s.mode;
    this.processMetrics.observeFlush(s);
  }

  /** Writes this process's changed rollup cells in one statement (the heartbeat calls it). */
  async writeRollups(): Promise<void> {
    await this.rollups.write(this.deps.pool, this.sql.write);
  }

  /**
   * Folds rollup rows older than FOLD_AFTER_MS into the totals (the counters then read
   * only the recent rows), deletes folded rows past retention, and resolved alerts past
   * retention. Run by the evaluator lease holder every 10 minutes.
   */
  async prune(now = Date.now()): Promise<void> {
    const { pool, schema } = this.deps;
    await pool.query(this.sql.fold, [new Date(now - FOLD_AFTER_MS)]);
    const cutoff = new Date(now - this.o.rollupRetentionMs);
    await pool.query(withSchema('DELETE FROM {{schema}}.monitor_rollups WHERE folded AND minute < $1', schema), [cutoff]);
    await this.store.clearResolved(cutoff);
  }

  /** Prometheus text exposition of the cluster (and this process's pool and batcher). DatabaseUnavailableError when the database is away. */
  async metrics(): Promise<string> {
    try {
      return await this.renderMetrics();
    } catch (err) {
      throw asUnavailable(err) ?? err;
    }
  }

  private async renderMetrics(): Promise<string> {
    const active = await this.store.active();
    const byType = new Map<string, { type: string; severity: string; count: number }>();
    for (const a of active) {
      const k = `${a.type}/${a.severity}`;
      const e = byType.get(k) ?? { type: a.type, severity: a.severity, count: 0 };
      e.count++;
      byType.set(k, e);
    }
    return renderMetrics({
      cluster: this.cluster,
      process: this.processMetrics,
      stats: this.deps.stats(),
      unwrittenUpdates: this.deps.unwrittenUpdates(),
      topTenants: this.o.topTenants,
      alerts: [...byType.values()],
    });
  }

  health(): Promise<HealthReport> {
    return checkHealth({
      pool: this.deps.pool,
      schema: this.deps.schema,
      cluster: this.cluster,
      poolWatch: () => this.deps.stats().resilience.pool,
      criticalPercent: async () => {
        const configured = (await this.store.ruleSettings()).get('connections')?.thresholds.criticalPercent;
        return configured ?? ruleDef('connections').defaults.criticalPercent ?? 95;
      },
      timeoutMs: this.o.healthTimeoutMs,
    });
  }

  /** Rollups merged per step: outcome counts and wait / run percentiles (ms). */
  async timeseries(q: { queue?: string | null; from: Date; to: Date; stepSec?: number }): Promise<TimeseriesPoint[]> {
    const stepSec = q.stepSec ?? 60;
    if (!Number.isInteger(stepSec) || stepSec < 60 || stepSec % 60 !== 0 || stepSec > 86_400) {
      throw new ValidationError('stepSec', `must be a whole number of minutes in seconds, 60 to 86400 (got ${stepSec})`);
    }
    for (const f of ['from', 'to'] as const) {
      if (!(q[f] instanceof Date) || !Number.isFinite(q[f].getTime())) throw new ValidationError(f, 'must be a valid date');
    }
    if (q.to <= q.from) throw new ValidationError('to', 'must be after from');
    if ((q.to.getTime() - q.from.getTime()) / 1000 / stepSec > 10_000)
      throw new ValidationError('stepSec', 'too small for the range (more than 10,000 steps)');
    const rows = await this.cluster.timeseries({ queue: q.queue ?? null, from: q.from, to: q.to, stepSec });
    const pcts = (b: number[]) => ({ p50: quantile(b, 0.5), p95: quantile(b, 0.95), p99: quantile(b, 0.99) });
    return rows.map(({ waitBuckets, runBuckets, ...r }) => ({ ...r, wait: pcts(waitBuckets), run: pcts(runBuckets) }));
  }

  /** Alerts this process holds in memory (process rules), including ones the database has not seen yet. */
  localAlerts() {
    return this.evaluator.localAlerts();
  }

  /** True while this process holds the evaluator lease. */
  get evaluating(): boolean {
    return this.evaluator.isLeader;
  }

  /** One evaluation pass now (what the timer of a started monitor runs). */
  async evaluate(): Promise<void> {
    await this.evaluator.tick();
  }

  /**
   * Starts evaluating alert rules every evaluateIntervalMs (cluster rules only while
   * this process holds the lease) and, unless `webhooks: false`, a worker delivering
   * webhook notifications from the internal queue.
   */
  start(opts: { webhooks?: boolean } = {}): MonitorHandle {
    if (this.running) throw new Error('the monitor is already started in this process');
    const webhooks =
      opts.webhooks === false
        ? null
        : this.deps.work(
            WEBHOOK_QUEUE,
            { concurrency: 4, retry: this.o.webhookRetry },
            webhookHandler(this.store, this.o.webhookTimeoutMs),
          );
    const tickOnce = async () => {
      await this.evaluator.tick();
      // A process that enqueues but runs no worker still reports its enqueue counts.
      await this.writeRollups().catch((err) => {
        if (!isConnectionError(err)) this.deps.log.warn({ err: String(err) }, 'rollup write failed');
      });
    };
    const state = {
      timer: setInterval(() => {
        if (state.busy) return;
        state.busy = tickOnce()
          .catch((err) => this.deps.log.warn({ err: String(err) }, 'monitor tick failed'))
          .finally(() => {
            state.busy = null;
          });
      }, this.o.evaluateIntervalMs),
      webhooks,
      busy: null as Promise<void> | null,
    };
    state.timer.unref();
    this.running = state;
    return { stop: () => this.stop() };
  }

  /** Stops a started monitor; gives the evaluator lease up if this process holds it (also after evaluate() alone). */
  async stop(): Promise<void> {
    const r = this.running;
    this.running = null;
    if (r) {
      clearInterval(r.timer);
      await r.busy;
      await r.webhooks?.stop();
    }
    await this.evaluator.release();
  }
}
