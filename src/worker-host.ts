import pg from 'pg';
import { nonNegativeNumber, positiveInt, validateName } from './client/validate.js';
import type { EngineSettings } from './config.js';
import { ValidationError } from './errors.js';
import type { QueueHandle } from './fairness/settings-store.js';
import type { Logger } from './logger.js';
import type { Monitor } from './monitor/monitor.js';
import type { Worker, WorkOptions } from './options.js';
import { type Resilience, validateWorkBreaker } from './resilience/resilience.js';
import { RetryPolicies } from './resilience/retry-settings.js';
import type { Handler } from './types.js';
import type { FlushStats } from './worker/batcher.js';
import type { JobOutcome } from './worker/executor.js';
import type { RuntimeHooks } from './worker/hooks.js';
import { DEFAULT_RETRY, type RetryPolicy } from './worker/retry.js';
import { type RuntimeQueries, WorkerRuntime } from './worker/runtime.js';
import { listenerAppName } from './worker/sessions.js';

/**
 * LISTEN connection factories set by RotaCluster (src/cluster), which runs one Rota per
 * tenant group on a shared pool and shares one LISTEN connection per server among them.
 * Not exported from the package: the single-server API is unchanged.
 */
const listenerFactories = new WeakMap<object, () => pg.Client>();

/** Makes `rota`'s workers open their LISTEN connection through `factory` (src/cluster/shared-listener.ts). */
export function useListenerClient(rota: object, factory: () => pg.Client): void {
  listenerFactories.set(rota, factory);
}

const hookSets = new WeakMap<object, RuntimeHooks>();

/** Makes the worker runtimes `rota` starts from now on share work through `hooks` (src/cluster/shared-runtime.ts). */
export function useRuntimeHooks(rota: object, hooks: RuntimeHooks): void {
  hookSets.set(rota, hooks);
}

/** The hooks set for `rota` by useRuntimeHooks, if any. */
export function runtimeHooks(rota: object): RuntimeHooks | undefined {
  return hookSets.get(rota);
}

/** The LISTEN connection set for `rota` by useListenerClient, else null (the default one). */
export function customListenerClient(rota: object): pg.Client | null {
  return listenerFactories.get(rota)?.() ?? null;
}

export interface WorkerHostDeps {
  pool: pg.Pool;
  schema: string;
  workerId: string;
  sql: RuntimeQueries;
  log: Logger;
  settings: EngineSettings;
  resilience: Resilience;
  monitor: Monitor;
  onOutcome(o: JobOutcome): void;
  onFlush(s: FlushStats): void;
  /** A LISTEN connection other than the default (RotaCluster shares one per server: src/cluster/shared-listener.ts); null: the default. */
  newListenerClient?: () => pg.Client | null;
  /** Shared work across runtimes (RotaCluster; src/worker/hooks.ts); read when a runtime starts. */
  hooks?: () => RuntimeHooks | undefined;
}

/**
 * The worker side of one Rota: the process's single WorkerRuntime (one claim loop,
 * batcher and listener for every queue it works), started by the first work() and
 * replaced by a new one after the last queue's worker stopped.
 */
export class WorkerHost {
  private runtime: WorkerRuntime | null = null;
  /** The last runtime, kept after stop so stats() still reports its counters. */
  private lastRuntime: WorkerRuntime | null = null;
  /** The stored backoff of the queues this process works (src/resilience/retry-settings.ts). */
  private readonly retryPolicies: RetryPolicies;

  constructor(private readonly deps: WorkerHostDeps) {
    this.retryPolicies = new RetryPolicies(deps.pool, deps.schema);
  }

  /** Reads the stored backoff of the worked queues (one statement); a failure keeps the last one read. */
  async refreshRetry(): Promise<void> {
    const queues = this.runtime && !this.runtime.stopped ? this.runtime.queues : [];
    await this.retryPolicies
      .refresh(queues)
      .catch((err) => this.deps.log.warn({ err: String(err) }, "reading the queues' retry policies failed; will retry"));
  }

  /** `handle` whose configure({ retry }) reaches this process's workers at once (the others: with their next heartbeat). */
  refreshingRetry(handle: QueueHandle): QueueHandle {
    return {
      ...handle,
      configure: async (settings, opts) => {
        const info = await handle.configure(settings, opts);
        if (settings?.retry !== undefined) await this.refreshRetry();
        return info;
      },
    };
  }

  /** Per worked queue: the backoff its failed attempts get now. */
  retryStats(): Record<string, RetryPolicy> {
    return Object.fromEntries((this.current?.queues ?? []).map((queue) => [queue, this.retryPolicies.effective(queue)]));
  }

  /** The running runtime, else the last one (for counters after stop). */
  get current(): WorkerRuntime | null {
    return this.runtime ?? this.lastRuntime;
  }

  work(queue: string, opts: WorkOptions, handler: Handler<never, unknown>): Worker {
    validateName('queue', queue);
    if (typeof handler !== 'function') throw new ValidationError('handler', 'must be a function');
    const concurrency = positiveInt('concurrency', opts?.concurrency ?? 1, { max: 10_000 });
    const retry = { ...DEFAULT_RETRY, ...opts?.retry };
    nonNegativeNumber('retry.baseMs', retry.baseMs);
    nonNegativeNumber('retry.maxMs', retry.maxMs);
    if (!(retry.jitter >= 0 && retry.jitter <= 1))
      throw new ValidationError('retry.jitter', `must be between 0 and 1 (got ${retry.jitter})`);
    const timeoutMs = opts?.timeoutMs === undefined ? null : positiveInt('timeoutMs', opts.timeoutMs);
    validateWorkBreaker(opts?.breaker);
    const runtime = this.ensureRuntime();
    if (runtime.queues.includes(queue))
      throw new ValidationError('queue', `a worker for ${JSON.stringify(queue)} is already running in this process`);
    this.deps.resilience.setWorkOptions(queue, opts?.breaker);
    // The executor reads the policy at each failure: the queue's stored parts over the code's.
    runtime.add(queue, { concurrency, retry: this.retryPolicies.policy(queue, retry), timeoutMs }, handler as Handler);
    void this.refreshRetry();
    return {
      queue,
      stop: async () => {
        await runtime.stopQueue(queue, this.deps.settings.shutdownTimeoutMs);
        // No heartbeat writes the last rollups of a stopped runtime.
        if (runtime.stopped) await this.deps.monitor.writeRollups().catch(() => {});
      },
    };
  }

  /** Stops this process's runtime, if any; true when there was one. */
  async stop(): Promise<boolean> {
    const rt = this.runtime;
    this.runtime = null;
    if (rt) await rt.stop(this.deps.settings.shutdownTimeoutMs);
    return rt !== null;
  }

  private ensureRuntime(): WorkerRuntime {
    // After the last queue's worker stopped, its runtime is finished: start a new one.
    if (this.runtime && !this.runtime.stopped) return this.runtime;
    const { pool, schema, workerId, settings: s, monitor } = this.deps;
    const poolOptions = (pool as unknown as { options: pg.ClientConfig }).options;
    this.runtime = new WorkerRuntime({
      pool,
      // Named after this worker: other workers tell from pg_stat_activity that it is alive (src/worker/sessions.ts).
      newListenerClient: () =>
        this.deps.newListenerClient?.() ?? new pg.Client({ ...poolOptions, application_name: listenerAppName(workerId) }),
      sql: this.deps.sql,
      log: this.deps.log,
      config: {
        schema,
        workerId,
        leaseMs: s.leaseMs,
        heartbeatMs: Math.max(50, Math.floor(s.leaseMs / 3)),
        rescueIntervalMs: s.rescueIntervalMs,
        sessionCheckMs: 400,
        pollIntervalMs: s.pollIntervalMs,
        batchSize: s.batchSize,
        batchIntervalMs: s.batchIntervalMs,
        maxPrefetch: s.maxPrefetch,
        prefetchSeconds: 0.1,
        retentionMs: s.retentionMs,
        maintenanceIntervalMs: 3_600_000,
      },
      onOutcome: (o) => this.deps.onOutcome(o),
      onFlush: (st) => this.deps.onFlush(st),
      plugin: this.deps.resilience.forRuntime(() => this.retryStats()),
      onHeartbeat: async () => {
        await this.refreshRetry();
        await monitor.writeRollups();
      },
      hooks: this.deps.hooks?.(),
    });
    this.lastRuntime = this.runtime;
    return this.runtime;
  }
}
