import { EventEmitter } from 'node:events';
import type pg from 'pg';
import { Admin } from './admin/admin.js';
import { workersPage } from './admin/lists.js';
import { PAGE_MAX } from './admin/page.js';
import { TokenStore } from './admin/tokens.js';
import { buildRows, type EnqueueConfig, insertRows, isSingleStatement } from './client/enqueue.js';
import { getJob, validateJobId } from './client/jobs.js';
import { DAY_MS, type EngineSettings, resolveOptions } from './config.js';
import { type MaintenanceResult, maintainPartitions } from './db/maintenance.js';
import { type MigrateResult, migrate, migrateDown } from './db/migrator.js';
import { openPool, type RotaPool } from './db/pool.js';
import { type CoreQueries, loadCoreQueries } from './db/queries.js';
import { inTransaction } from './db/transaction.js';
import { asUnavailable, ValidationError } from './errors.js';
import { type QueueHandle, SettingsStore, type TenantHandle } from './fairness/settings-store.js';
import { defaultLogger, type Logger } from './logger.js';
import type { Alerts } from './monitor/alerts/alerts.js';
import { Monitor } from './monitor/monitor.js';
import type { PoolStats, RotaEvents, RotaOptions, RotaStats, Worker, WorkerInfo, WorkOptions } from './options.js';
import type { Breakers } from './resilience/breaker-admin.js';
import { Resilience } from './resilience/resilience.js';
import type { CycleQuery } from './scheduler/cycles.js';
import type { TriggerResult } from './scheduler/evaluator.js';
import { SchedulerService } from './scheduler/service.js';
import type { ScheduleCycle, ScheduleInfo, ScheduleOptions, SchedulerHandle, SchedulerOptions, ScheduleStatus } from './scheduler/types.js';
import type {
  AnyQueue,
  AnyQueues,
  EnqueueItem,
  EnqueueOptions,
  EnqueueResult,
  Handler,
  JobRecord,
  JobState,
  Queryable,
  QueueName,
  QueuePayloads,
} from './types.js';
import type { JobOutcome } from './worker/executor.js';
import { customListenerClient, runtimeHooks, WorkerHost } from './worker-host.js';

export type {
  PoolStats,
  RotaEvents,
  RotaOptions,
  RotaStats,
  Worker,
  WorkerInfo,
  WorkerModule,
  WorkerModuleEntry,
  WorkOptions,
} from './options.js';

/**
 * A Rota typed by a map of queue names to payload types (`new Rota<{ ingest: { itemId: number } }>(…)`)
 * checks every enqueue, schedule and handler against it; the default accepts any queue and payload.
 */
export class Rota<Q extends QueuePayloads = AnyQueues> {
  readonly schema: string;
  readonly pool: pg.Pool;
  readonly workerId: string;
  private readonly db: RotaPool;
  private readonly log: Logger;
  private readonly emitter = new EventEmitter();
  private readonly enqueueCfg: EnqueueConfig;
  private readonly opts: EngineSettings;
  private readonly resilience: Resilience;
  private readonly sql: CoreQueries;
  /** Rollups, metrics, health checks and alerts (src/monitor). */
  readonly monitor: Monitor;
  private readonly host: WorkerHost;
  private closed = false;
  private scheduler: SchedulerService | null = null;
  private tokenStore: TokenStore | null = null;
  private adminOps: Admin | null = null;
  private readonly counters = { enqueued: 0, deduplicated: 0, completed: 0, failed: 0, retried: 0, dead: 0, snoozed: 0 };

  constructor(options: RotaOptions) {
    const { schema, workerId, settings: o } = resolveOptions(options);
    this.schema = schema;
    this.workerId = workerId;
    this.log = options.logger ?? defaultLogger();
    this.opts = o;
    this.enqueueCfg = { maxPayloadBytes: o.maxPayloadBytes, defaultMaxAttempts: o.defaultMaxAttempts };
    this.db = openPool({ pool: options.pool, connectionString: options.connectionString, max: o.poolSize, log: this.log });
    this.pool = this.db.pool;
    this.resilience = new Resilience({
      pool: this.pool,
      schema: this.schema,
      workerId: this.workerId,
      log: this.log.child({ worker: this.workerId }),
      options,
      emit: (event, ...args) => this.emitter.emit(event, ...args),
    });
    this.monitor = new Monitor({
      pool: this.pool,
      schema: this.schema,
      workerId: this.workerId,
      log: this.log.child({ worker: this.workerId, part: 'monitor' }),
      options: options.monitor,
      stats: () => this.stats(),
      unwrittenUpdates: () => this.host.current?.batcher.unwritten().length ?? 0,
      emit: (e) => this.emitter.emit('alert', e),
      // Its internal queue (webhook deliveries) is not in a typed Rota's queue map.
      enqueue: (queue, payload, opts) => (this as unknown as Rota).enqueue(queue, payload, opts),
      work: (queue, opts, handler) => (this as unknown as Rota).work(queue, opts, handler),
    });
    this.sql = loadCoreQueries(this.schema);
    this.host = new WorkerHost({
      pool: this.pool,
      schema: this.schema,
      workerId: this.workerId,
      sql: this.sql,
      log: this.log.child({ worker: this.workerId }),
      settings: o,
      resilience: this.resilience,
      monitor: this.monitor,
      onOutcome: (out) => this.outcome(out),
      onFlush: (st) => {
        this.monitor.onFlush(st);
        this.emitter.emit('flush', st);
      },
      newListenerClient: () => customListenerClient(this),
      hooks: () => runtimeHooks(this),
    });
  }

  /** Applies pending migrations (idempotent; safe from several processes at once) and creates partitions. */
  async migrate(): Promise<MigrateResult> {
    const result = await migrate(this.pool, this.schema, this.log);
    await this.maintain();
    return result;
  }

  /** Reverts migrations above `version` (0 removes rota's tables). */
  migrateDown(version: number): Promise<number[]> {
    return migrateDown(this.pool, this.schema, version);
  }

  /** Creates upcoming daily partitions of finished jobs and drops those past retention. */
  maintain(now?: number): Promise<MaintenanceResult> {
    return maintainPartitions(this.pool, this.schema, { retentionMs: this.opts.retentionMs, now });
  }

  /** Untyped Rota only: the payload's type given explicitly (`enqueue<Item>('ingest', item)`). */
  enqueue<P>(queue: AnyQueue<Q>, payload: P, opts?: EnqueueOptions): Promise<EnqueueResult>;
  enqueue<N extends QueueName<Q>>(queue: N, payload: Q[N], opts?: EnqueueOptions): Promise<EnqueueResult>;
  async enqueue(queue: string, payload: unknown, opts: EnqueueOptions = {}): Promise<EnqueueResult> {
    const { client, ...item } = opts ?? {};
    const rows = buildRows(queue, [{ ...item, payload }], this.enqueueCfg, () => '');
    const [result] = await this.resilience.whileUnavailable(() => this.write(client ?? this.pool, queue, rows, !client), !client);
    return result as EnqueueResult;
  }

  /**
   * Enqueues many jobs of one queue: thousands per statement, all or nothing (one
   * transaction, or the caller's when `client` is given).
   */
  enqueueMany<P>(queue: AnyQueue<Q>, items: readonly EnqueueItem<P>[], opts?: { client?: Queryable }): Promise<EnqueueResult[]>;
  enqueueMany<N extends QueueName<Q>>(
    queue: N,
    items: readonly EnqueueItem<Q[N]>[],
    opts?: { client?: Queryable },
  ): Promise<EnqueueResult[]>;
  async enqueueMany(queue: string, items: readonly EnqueueItem[], opts: { client?: Queryable } = {}): Promise<EnqueueResult[]> {
    if (!Array.isArray(items)) throw new ValidationError('items', 'must be an array');
    for (const key of Object.keys(opts ?? {}))
      if (key !== 'client')
        throw new ValidationError(`opts.${key}`, 'is not an enqueueMany option (expected client; per-job options go in each item)');
    if (items.length === 0) return [];
    const rows = buildRows(queue, items, this.enqueueCfg, (i) => `items[${i}].`);
    if (opts.client) return this.write(opts.client, queue, rows, false);
    if (isSingleStatement(rows)) return this.resilience.whileUnavailable(() => this.write(this.pool, queue, rows, true), true);
    // More than one statement: all of them in one transaction, all or nothing.
    return this.resilience.whileUnavailable(() => inTransaction(this.pool, (client) => this.write(client, queue, rows, true)), true);
  }

  /** A queue's settings (limits, rates, aging, retry policy), shared by every process: `rota.queue('ingest').configure({ concurrency: 3 })`. */
  queue(name: string): QueueHandle {
    return this.host.refreshingRetry(new SettingsStore(this.pool, this.schema).queue(name));
  }

  /** A tenant's settings in a queue (weight, limits): `rota.tenant('ingest', 'store-42').configure({ weight: 3 })`. */
  tenant(queue: string, id: string): TenantHandle {
    return new SettingsStore(this.pool, this.schema).tenant(queue, id);
  }

  /** Alerts (active, history), alert rules and webhooks, shared by every process. */
  get alerts(): Alerts {
    return this.monitor.alerts;
  }

  /** The operator's operations: job lists and admin writes, queues and tenants, connections, pruning. */
  get admin(): Admin {
    this.adminOps ??= new Admin(this.pool, this.schema, (staleMs) => this.workers(staleMs));
    return this.adminOps;
  }

  /** API tokens of the management server (`rota token create`): hashed, with a role and optionally one tenant. */
  get tokens(): TokenStore {
    this.tokenStore ??= new TokenStore(this.pool, this.schema);
    return this.tokenStore;
  }

  /** Circuit breakers shared by every process: settings, forced states, history. */
  get breakers(): Breakers {
    return this.resilience.breakers;
  }

  /** `own`: `db` is rota's pool or a client of it, where the insert may be a named statement (insertRows). */
  private async write(db: Queryable, queue: string, rows: ReturnType<typeof buildRows>, own: boolean): Promise<EnqueueResult[]> {
    try {
      const name = own ? `rota_enqueue_${this.schema}` : undefined;
      const results = await insertRows(db, this.sql, queue, rows, this.enqueueCfg.defaultMaxAttempts, name);
      let added = 0;
      for (const r of results) {
        if (r.deduplicated) this.counters.deduplicated++;
        else added++;
      }
      this.counters.enqueued += added;
      this.monitor.onEnqueued(queue, added);
      return results;
    } catch (err) {
      throw asUnavailable(err) ?? err;
    }
  }

  /** Untyped Rota only: the payload's (and result's) type given explicitly (`work<Item>('ingest', …)`). */
  work<P = unknown, R = unknown>(queue: AnyQueue<Q>, opts: WorkOptions, handler: Handler<P, R>): Worker;
  /** Runs `handler` for jobs of `queue` in this process. Several queues share one claim loop, batcher and listener. */
  work<N extends QueueName<Q>, R = unknown>(queue: N, opts: WorkOptions, handler: Handler<Q[N], R>): Worker;
  work(queue: string, opts: WorkOptions, handler: Handler<never, unknown>): Worker {
    if (this.closed) throw new Error('rota is closed');
    return this.host.work(queue, opts, handler);
  }

  private outcome(o: JobOutcome): void {
    this.monitor.onOutcome(o);
    switch (o.kind) {
      case 'complete':
        this.counters.completed++;
        this.emitter.emit('job:completed', { job: o.job, result: o.result, durationMs: o.durationMs });
        return;
      case 'snooze':
      case 'rate-limit':
      case 'rate-limit-queue':
        this.counters.snoozed++;
        return;
      default:
        this.counters.failed++;
        if (o.kind === 'dead') this.counters.dead++;
        else this.counters.retried++;
        this.emitter.emit('job:failed', { job: o.job, error: o.error, willRetry: o.kind !== 'dead', durationMs: o.durationMs });
    }
  }

  on<E extends keyof RotaEvents>(event: E, listener: (...args: RotaEvents[E]) => void): this {
    this.emitter.on(event, listener as (...args: unknown[]) => void);
    return this;
  }

  off<E extends keyof RotaEvents>(event: E, listener: (...args: RotaEvents[E]) => void): this {
    this.emitter.off(event, listener as (...args: unknown[]) => void);
    return this;
  }

  getJob(id: string): Promise<JobRecord | null> {
    return getJob(this.pool, this.sql.getJob, id);
  }

  /** Cancels a job that is not running. Returns false when it is running, finished or unknown. */
  async cancel(id: string): Promise<boolean> {
    const res = await this.pool.query(this.sql.cancel, [validateJobId(id)]);
    return (res.rowCount ?? 0) > 0;
  }

  /**
   * Job counts per queue and state (zero counts left out): waiting ('available', delayed
   * jobs included) and running from the fair claim's counters, never a scan of the live
   * table; finished states over the last `windowMs` (default 24 h).
   */
  async counts(windowMs = DAY_MS): Promise<Array<{ queue: string; state: JobState; count: number }>> {
    const res = await this.pool.query<{ queue: string; state: JobState; n: string }>(this.sql.queueCounts, [windowMs]);
    return res.rows.map((r) => ({ queue: r.queue, state: r.state, count: Number(r.n) }));
  }

  /**
   * Worker processes that heartbeated within the last `staleMs` (default 60 s) and whose
   * LISTEN session is still open, oldest first: every page of the admin list's query, so
   * both apply one liveness rule (sql/queries/admin/workers.sql).
   */
  async workers(staleMs = 60_000): Promise<WorkerInfo[]> {
    const all: WorkerInfo[] = [];
    let cursor: string | undefined;
    do {
      const page = await workersPage(this.pool, this.sql, staleMs, { limit: PAGE_MAX, cursor });
      all.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return all.sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime());
  }

  poolStats(): PoolStats {
    return { total: this.pool.totalCount, idle: this.pool.idleCount, waiting: this.pool.waitingCount };
  }

  stats(): RotaStats {
    const rt = this.host.current;
    const b = rt?.batcher.counters;
    return {
      ...this.counters,
      flushes: b?.flushes ?? 0,
      flushedRows: b?.rows ?? 0,
      claims: rt?.claimCounters.claims ?? 0,
      rescued: rt?.counters.rescued ?? 0,
      pool: this.poolStats(),
      resilience: this.resilience.stats(),
      retry: this.host.retryStats(),
    };
  }

  /** Stops every worker of this process gracefully (see Worker.stop). */
  async stopWorkers(): Promise<void> {
    // No heartbeat writes the last rollups of a stopped runtime.
    if (await this.host.stop()) await this.monitor.writeRollups().catch(() => {});
  }

  private get scheduling(): SchedulerService {
    this.scheduler ??= new SchedulerService({
      pool: this.pool,
      schema: this.schema,
      log: this.log.child({ worker: this.workerId, part: 'scheduler' }),
      enqueue: (client, queue, items) => (this as Rota).enqueueMany(queue, items, { client }),
      onTick: (e) => {
        this.emitter.emit('schedule:tick', e);
        if (e.status !== 'enqueued') this.emitter.emit('schedule:missed', e);
      },
      maxPayloadBytes: this.opts.maxPayloadBytes,
      workerId: this.workerId,
    });
    return this.scheduler;
  }

  /** Creates or replaces the schedule `name` (idempotent; see ScheduleOptions). Jobs go to `queue` with `payload`. */
  schedule<P>(name: string, cron: string, queue: AnyQueue<Q>, payload: P, opts?: ScheduleOptions): Promise<ScheduleInfo<P>>;
  schedule<N extends QueueName<Q>>(
    name: string,
    cron: string,
    queue: N,
    payload: Q[N],
    opts?: ScheduleOptions,
  ): Promise<ScheduleInfo<Q[N]>>;
  schedule(name: string, cron: string, queue: string, payload: unknown, opts?: ScheduleOptions): Promise<ScheduleInfo<unknown>> {
    return this.scheduling.schedule(name, cron, queue, payload, opts);
  }

  /** Removes a schedule and its history. False when there was none. */
  unschedule(name: string): Promise<boolean> {
    return this.scheduling.unschedule(name);
  }

  /** Enables or disables a schedule (seen by every scheduler within its poll). False when there is none. */
  setScheduleEnabled(name: string, enabled: boolean): Promise<boolean> {
    return this.scheduling.setEnabled(name, enabled);
  }

  /** Runs a schedule now (a manual cycle) without moving its next tick. */
  trigger(name: string): Promise<TriggerResult> {
    return this.scheduling.trigger(name);
  }

  schedules(): Promise<ScheduleInfo[]> {
    return this.scheduling.schedules();
  }

  /** Last and next run, success rate, mean / p95 duration and missed ticks per schedule. */
  scheduleStatus(opts?: { name?: string; names?: string[]; window?: number }): Promise<ScheduleStatus[]> {
    return this.scheduling.status(opts);
  }

  /** Recorded cycles, newest first (e.g. `{ status: ['missed'], since }` for alerting). */
  scheduleCycles(query?: CycleQuery): Promise<ScheduleCycle[]> {
    return this.scheduling.cycles(query);
  }

  /** Runs the scheduler's evaluation loop in this process (any number of processes may). Stopped by close(). */
  startScheduler(opts?: SchedulerOptions): SchedulerHandle {
    if (this.closed) throw new Error('rota is closed');
    return this.scheduling.start(opts);
  }

  /** Stops workers, flushes, and closes rota's connections (not an application-owned pool). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.scheduler?.stop();
    await this.monitor.stop();
    await this.host.stop();
    // The last minute's rollups (best effort: the database may be gone).
    await this.monitor.writeRollups().catch(() => {});
    this.resilience.close();
    await this.db.end();
  }
}
