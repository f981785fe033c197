import type pg from 'pg';
import { maintainPartitions } from '../db/maintenance.js';
import { isConnectionError } from '../errors.js';
import { FairClaimer } from '../fairness/claimer.js';
import type { Logger } from '../logger.js';
import type { Handler } from '../types.js';
import type { ClaimedRow } from './attempt.js';
import { type FlushStats, StatusBatcher } from './batcher.js';
import { ClaimLoop } from './claim-loop.js';
import { type JobOutcome, QueueExecutor } from './executor.js';
import type { RuntimeHooks } from './hooks.js';
import { JobLogBuffer } from './job-logs.js';
import { LeaseKeeper } from './leases.js';
import { Listener } from './listener.js';
import type { RuntimeControl, RuntimePlugin } from './plugin.js';
import { WorkerRow } from './registration.js';
import type { RetryPolicy } from './retry.js';
import { listenerAppName, SessionWatch } from './sessions.js';

export interface RuntimeConfig {
  schema: string;
  workerId: string;
  leaseMs: number;
  heartbeatMs: number;
  rescueIntervalMs: number;
  /** How often the sessions of other workers are checked (src/worker/sessions.ts). */
  sessionCheckMs: number;
  pollIntervalMs: number;
  batchSize: number;
  batchIntervalMs: number;
  maxPrefetch: number;
  prefetchSeconds: number;
  retentionMs: number;
  maintenanceIntervalMs: number;
}

export interface RuntimeQueries {
  claim: string;
  finishBatch: string;
  heartbeat: string;
  rescue: string;
  absentWorkers: string;
  rescueOrphans: string;
  /** ctx.log lines and progress (job_logs_write.sql). */
  jobLogs: string;
}

export interface RuntimeDeps {
  pool: pg.Pool;
  newListenerClient: () => pg.Client;
  sql: RuntimeQueries;
  log: Logger;
  config: RuntimeConfig;
  onOutcome: (o: JobOutcome) => void;
  onFlush: (s: FlushStats) => void;
  /** Circuit breakers and the resource guard (src/resilience), through src/worker/plugin.ts. */
  plugin?: RuntimePlugin;
  /** Extra work on the heartbeat timer, after the heartbeat (the monitor's rollup write). */
  onHeartbeat?: () => Promise<void>;
  /** A host running several runtimes in one process (RotaCluster) shares work through these. */
  hooks?: RuntimeHooks;
}

export interface QueueWorkerOptions {
  concurrency: number;
  retry: RetryPolicy;
  timeoutMs: number | null;
}

/**
 * Everything one process needs to work queues: a claim loop feeding per-queue
 * executors, one status batcher, one LISTEN connection, a lease keeper (heartbeats)
 * and a rescuer, all sharing one pool. Created on the first `rota.work()`.
 */
export class WorkerRuntime {
  private readonly executors = new Map<string, QueueExecutor>();
  /** Executors being stopped: their running jobs keep getting heartbeats until they finish. */
  private readonly draining = new Set<QueueExecutor>();
  private readonly claimLoop: ClaimLoop;
  private readonly claimer: FairClaimer;
  readonly batcher: StatusBatcher;
  private readonly jobLogs = new JobLogBuffer();
  private readonly listener: Listener;
  private readonly sessions: SessionWatch;
  /** The LISTEN connection is up. */
  private listenerUp = false;
  /** Set once the LISTEN connection was up: only then is this worker registered (see sessions.ts). */
  private listening = false;
  private timers: NodeJS.Timeout[] = [];
  /** Stops the periodic tasks scheduled through hooks.schedule. */
  private unscheduled: Array<() => void> = [];
  private started = false;
  /** The start-up (listener, first registration, first rescue); stop() waits for it. */
  private background: Promise<void> | null = null;
  private readonly row: WorkerRow;
  private stopping: Promise<void> | null = null;
  private readonly leases: LeaseKeeper;

  constructor(private readonly deps: RuntimeDeps) {
    const { config, pool, sql, log, hooks } = deps;
    this.batcher = new StatusBatcher({
      write: async (params) => {
        await this.writeJobLogs();
        const statement = { name: `rota_finish_${config.schema}`, text: sql.finishBatch, values: params };
        await (hooks?.writeFinish ? hooks.writeFinish(statement) : pool.query(statement));
      },
      log,
      batchSize: config.batchSize,
      intervalMs: config.batchIntervalMs,
      // A second status statement may use the claim loop's connection while it sleeps.
      spare: () => this.claimLoop.sleeping && pool.waitingCount === 0 && pool.totalCount - pool.idleCount < (pool.options.max ?? 10),
      onFlush: (s) => {
        deps.onFlush(s);
        // Written finishes free room under concurrency limits.
        this.claimLoop.flushed();
      },
    });
    this.claimer = new FairClaimer({
      pool,
      schema: config.schema,
      workerId: config.workerId,
      leaseMs: config.leaseMs,
      claimSql: sql.claim,
      warm: { log },
    });
    const plugin = deps.plugin;
    const claimTurn = hooks?.claimTurn;
    this.claimLoop = new ClaimLoop({
      claim: claimTurn
        ? (queues, counts) => claimTurn(() => this.claimer.claim(queues, counts))
        : (queues, counts) => this.claimer.claim(queues, counts),
      executors: () => [...this.executors.values()],
      gate: plugin?.gate,
      release: (rows) => this.release(rows),
      unwritten: () => this.batcher.pending,
      pollIntervalMs: config.pollIntervalMs,
      maxPrefetch: config.maxPrefetch,
      prefetchSeconds: config.prefetchSeconds,
      log,
    });
    this.listener = new Listener({
      newClient: deps.newListenerClient,
      channel: `${config.schema}.jobs`,
      onNotify: (payload) => {
        // "queue" (rescue) or "queue\x1fbest priority rank[\x1ftenant\x1fjobs]" (enqueue: sql/functions/jobs_triggers.sql).
        const [queue = '', rank, tenant, jobs] = payload.split('\x1f');
        if (!this.executors.has(queue)) return;
        const arrived = tenant === undefined ? undefined : { tenant, jobs: Number(jobs) || 1 };
        this.claimLoop.wake(queue, rank === undefined ? undefined : Number(rank), arrived);
      },
      onConnect: (recovered) => {
        // Back from an outage: the other workers may still be reconnecting (their
        // listener backoff is at most 5 s); do not take them for dead meanwhile.
        if (recovered) this.leases.listenerRecovered();
        this.listenerUp = true;
        this.listening = true;
        this.claimLoop.wake();
      },
      onDisconnect: () => {
        this.listenerUp = false;
      },
      also: {
        ...Object.fromEntries(Object.entries(plugin?.channels ?? {}).map(([name, fn]) => [`${config.schema}.${name}`, fn])),
        // An operator cancelled a running job (src/admin/jobs.ts, cancel_jobs.sql): abort it if it runs here.
        [`${config.schema}.cancel`]: (id: string) => {
          for (const ex of this.executors.values()) ex.cancel(id);
        },
      },
      log,
    });
    this.sessions = new SessionWatch({
      pool,
      workerId: config.workerId,
      sql,
      notify: (queues) => this.notifyQueues(queues),
      log,
      confirmMs: config.sessionCheckMs,
      mayRescue: () => this.listenerUp && this.leases.sessionsTrusted,
    });
    this.leases = new LeaseKeeper({
      pool,
      sql,
      schema: config.schema,
      workerId: config.workerId,
      leaseMs: config.leaseMs,
      executors: () => [...this.executors.values(), ...this.draining],
      unwritten: () => this.batcher.unwritten(),
      claimsInFlight: () => this.claimLoop.claimsInFlight,
      notify: (queues) => this.notifyQueues(queues),
      log,
    });
    this.row = new WorkerRow({
      pool,
      schema: config.schema,
      workerId: config.workerId,
      queues: () => this.queues,
      ready: () => this.listening,
      stats: () => ({
        pool: { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount },
        batcher: { pending: this.batcher.pending, ...this.batcher.counters },
        claims: this.claimLoop.counters,
        // The LISTEN session's application_name: others take this worker for dead when it is gone.
        listener: listenerAppName(config.workerId),
        sessions: this.sessions.counters,
        running: Object.fromEntries([...this.executors.values()].map((e) => [e.queue, e.active])),
        concurrency: Object.fromEntries([...this.executors.values()].map((e) => [e.queue, e.concurrency])),
        resilience: this.deps.plugin?.stats(),
      }),
    });
  }

  /** Jobs rescued by this process (lease expiry) and leases it lost. */
  get counters(): LeaseKeeper['counters'] {
    return this.leases.counters;
  }

  /** Gives claimed rows back unrun, attempt not charged. */
  private release(rows: ClaimedRow[]): void {
    for (const r of rows) this.batcher.push({ id: r.id, attempt: r.attempt, kind: 'release', result: null, error: null, delayMs: 0 });
  }

  get claimCounters(): ClaimLoop['counters'] {
    return this.claimLoop.counters;
  }

  get queues(): string[] {
    return [...this.executors.keys()];
  }

  add(queue: string, opts: QueueWorkerOptions, handler: Handler): void {
    const plugin = this.deps.plugin;
    const ex = new QueueExecutor({
      queue,
      concurrency: opts.concurrency,
      handler,
      retry: opts.retry,
      timeoutMs: opts.timeoutMs,
      log: this.deps.log.child({ queue }),
      finish: (u) => this.batcher.push(u),
      jobLogs: this.jobLogs,
      budget: this.deps.hooks?.budget?.(queue),
      onSlotFree: () => this.claimLoop.slotFreed(ex),
      onOutcome: (o) => {
        this.row.countFinished(queue);
        plugin?.onOutcome(o);
        this.deps.onOutcome(o);
      },
      enterBreaker: plugin && ((name, job) => plugin.enterBreaker(queue, name, job)),
    });
    this.executors.set(queue, ex);
    if (!this.started) {
      this.started = true;
      this.background = this.startBackground();
    } else {
      this.claimLoop.wake();
      void this.row.register();
    }
  }

  private control(): RuntimeControl {
    return {
      reopened: () => this.claimLoop.wake(),
      releaseBuffered: (queue) => {
        let n = 0;
        for (const ex of this.executors.values()) if (queue === undefined || ex.queue === queue) n += ex.releaseBuffered();
        return n;
      },
      probe: (req) => this.claimLoop.probe(req),
      heldJobIds: () => {
        const ids = new Set<string>();
        for (const ex of this.executors.values()) for (const [id] of ex.heldJobs()) ids.add(id);
        return ids;
      },
    };
  }

  private async startBackground(): Promise<void> {
    const { config, log } = this.deps;
    // The claim loop first: its first statement is first in line for a pool connection
    // (a cold burst's first jobs waited behind the breakers' sync and the start-up rescue).
    this.claimLoop.start();
    this.deps.plugin?.start(this.control());
    // One warning when a task starts failing and one when it recovers, not one per tick.
    const every = (task: 'heartbeat' | 'rescue' | 'sessions' | 'maintenance', ms: number, fn: () => Promise<unknown>) => {
      let busy = false;
      let failing = false;
      const tick = () => {
        if (busy) return;
        busy = true;
        fn()
          .then(() => {
            if (failing) log.warn({ task }, 'background task recovered');
            failing = false;
          })
          .catch((err) => {
            if (isConnectionError(err)) this.leases.connectionError();
            if (!failing) log.warn({ task, err: String(err) }, 'background task failed; will retry');
            failing = true;
          })
          .finally(() => {
            busy = false;
          });
      };
      const schedule = this.deps.hooks?.schedule;
      if (schedule) {
        this.unscheduled.push(schedule(task, ms, tick));
        return;
      }
      const t = setInterval(tick, ms);
      t.unref();
      this.timers.push(t);
    };
    every('heartbeat', config.heartbeatMs, () => this.heartbeat());
    every('rescue', config.rescueIntervalMs, () => this.leases.rescue());
    every('sessions', config.sessionCheckMs, () => this.sessions.check());
    every('maintenance', config.maintenanceIntervalMs, () =>
      maintainPartitions(this.deps.pool, config.schema, { retentionMs: config.retentionMs }),
    );
    // Registered only once its LISTEN session exists: a registered worker without one is
    // taken for dead by the others (src/worker/sessions.ts).
    await Promise.all([
      this.listener
        .start()
        .then(() => this.row.register())
        .catch((err) => log.warn({ err: String(err) }, 'worker registration failed; will retry')),
      // After the first claim: jobs already waiting start first; expired leases can wait that long.
      this.claimLoop.firstClaim.then(() => this.leases.rescue()).catch(() => {}),
    ]);
  }

  /** Stops one queue: no more claims for it, buffered jobs returned, in-flight finished or aborted. */
  async stopQueue(queue: string, timeoutMs: number): Promise<void> {
    const ex = this.executors.get(queue);
    if (!ex) return;
    this.executors.delete(queue);
    if (this.executors.size === 0) return this.stop(timeoutMs, [ex]);
    await this.drain([ex], timeoutMs);
    await this.batcher.flush(Date.now() + timeoutMs);
  }

  /** True once stop() began (also after the last queue's worker stopped): the runtime takes no new queues. */
  get stopped(): boolean {
    return this.stopping !== null;
  }

  /** Graceful stop of the whole runtime. */
  stop(timeoutMs: number, extra: QueueExecutor[] = []): Promise<void> {
    this.stopping ??= this.doStop(timeoutMs, extra);
    return this.stopping;
  }

  private async doStop(timeoutMs: number, extra: QueueExecutor[]): Promise<void> {
    const { log } = this.deps;
    const all = [...this.executors.values(), ...extra];
    this.executors.clear();
    await this.claimLoop.stop();
    await this.claimer.close();
    // Timers stop after the drain: a job still running must keep its lease meanwhile,
    // or another process rescues it and runs it a second time.
    await this.drain(all, timeoutMs);
    for (const t of this.timers) clearInterval(t);
    for (const stop of this.unscheduled) stop();
    const left = await this.batcher.flush(Date.now() + timeoutMs);
    if (left > 0) log.error({ left }, 'status updates not written before shutdown; their jobs will be rescued after the lease');
    await this.deps.plugin?.stop().catch((err) => log.warn({ err: String(err) }, 'resilience shutdown failed'));
    // A close() right after work() must not leave the start-up's row behind.
    await this.background?.catch(() => {});
    // Unregister before the LISTEN session ends, or others would take this worker for dead.
    await this.row.unregister();
    await this.listener.stop();
  }

  private async drain(executors: QueueExecutor[], timeoutMs: number): Promise<void> {
    for (const ex of executors) {
      ex.close();
      this.draining.add(ex);
    }
    try {
      const idle = Promise.all(executors.map((ex) => ex.idle()));
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([
        idle.then(() => false),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(true), timeoutMs);
        }),
      ]);
      clearTimeout(timer);
      if (timedOut) {
        this.deps.log.warn({ timeoutMs }, 'shutdown grace period over; aborting running jobs (they will be retried)');
        for (const ex of executors) ex.abortRunning();
        await idle;
      }
    } finally {
      for (const ex of executors) this.draining.delete(ex);
    }
  }

  /** ctx.log lines and ctx.progress values of every job, one statement; best effort (never fails a flush). */
  private async writeJobLogs(): Promise<void> {
    const json = this.jobLogs.drain();
    if (json === null) return;
    try {
      await this.deps.pool.query({ name: `rota_job_logs_${this.deps.config.schema}`, text: this.deps.sql.jobLogs, values: [json] });
    } catch (err) {
      this.deps.log.warn({ err: String(err) }, 'job log lines could not be written; dropped');
    }
  }

  /** Renews this process's leases, then the rest of what is kept fresh with them. */
  private async heartbeat(): Promise<void> {
    await this.leases.renew();
    // Leases first: the rest (job logs, the worker row, rollups) may wait on a busy pool,
    // and the next heartbeat (the next renewal) is skipped while this one runs.
    await this.writeJobLogs();
    await this.row.register();
    await this.deps.onHeartbeat?.();
  }

  /** Wakes the workers of these queues, as an enqueue would. */
  private async notifyQueues(queues: string[]): Promise<void> {
    const { pool, config } = this.deps;
    await pool.query('SELECT pg_notify($1, q) FROM unnest($2::text[]) AS q', [`${config.schema}.jobs`, queues]);
  }
}
