import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type pg from 'pg';
import type { EnqueueConfig } from '../client/enqueue.js';
import { validateJobId } from '../client/jobs.js';
import { validateName } from '../client/validate.js';
import { resolveOptions } from '../config.js';
import { ValidationError } from '../errors.js';
import { defaultLogger, type Logger } from '../logger.js';
import type { PoolStats, RotaEvents, RotaStats, Worker, WorkOptions } from '../options.js';
import type { Rota } from '../rota.js';
import type { TriggerResult } from '../scheduler/evaluator.js';
import type { ScheduleInfo, ScheduleOptions, SchedulerHandle, SchedulerOptions } from '../scheduler/types.js';
import type {
  AnyQueue,
  AnyQueues,
  EnqueueItem,
  EnqueueOptions,
  EnqueueResult,
  Handler,
  JobRecord,
  JobState,
  QueueName,
  QueuePayloads,
} from '../types.js';
import { type ClusterOptions, type ResolvedCluster, resolveCluster } from './config.js';
import { enqueueSplit } from './enqueue.js';
import { ClusterMigrateError } from './errors.js';
import { GroupRotas } from './group-rotas.js';
import { groupOfJobId, groupOfSchedule, groupOfTenant, groupSchema } from './hash.js';
import { ClusterLimits, type ClusterQueueHandle } from './limit-store.js';
import { type GroupMigration, migrateClusterSchema, migrateGroup, migrateGroups } from './migrate.js';
import type { MoveResult } from './move.js';
import { GroupPlacement, isGroupGone, PlacementStore } from './placement.js';
import { readParts, sumCounts } from './reads.js';
import { claimsPerServer, SharedRuntime, type SharedRuntimeStats } from './shared-runtime.js';
import { ClusterWorkers, servedGroups } from './workers.js';

export interface ClusterWorkOptions extends WorkOptions {
  /** Groups this process serves (default: all, and the legacy schema if configured). */
  groups?: readonly number[];
}

/** Pseudo group index of the pre-existing single-server schema (ids below 2^48). */
const LEGACY = -1;

/**
 * Rota over several PostgreSQL servers: tenants are split into a fixed number of groups,
 * each a complete rota schema placed on one server, so every hot statement (enqueue,
 * claim, finish, heartbeat, rescue) touches one group and runs unchanged. See
 * docs/cluster.md for the rules this follows and how it maps onto Citus.
 */
export class RotaCluster<Q extends QueuePayloads = AnyQueues> {
  readonly workerId: string;
  private readonly cfg: ResolvedCluster;
  private readonly log: Logger;
  private readonly rotas: GroupRotas;
  private readonly workers: ClusterWorkers;
  private readonly limits: ClusterLimits;
  private readonly placer: GroupPlacement;
  private readonly shared: SharedRuntime | null;
  private closed = false;
  /** The limits every group's Rota applies to enqueued jobs (its defaults unless options.rota sets them). */
  private readonly enqueueCfg: EnqueueConfig;

  constructor(readonly options: ClusterOptions) {
    this.cfg = resolveCluster(options);
    this.log = options.logger ?? defaultLogger();
    this.workerId = options.workerId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    // The groups' Rota options, checked and completed as every group's Rota will (one
    // source of defaults: src/config.ts); bad ones are refused here, before anything opens.
    const coordinator = this.cfg.servers.get(this.cfg.coordinator)?.connectionString as string;
    const { settings } = resolveOptions({ ...options.rota, connectionString: coordinator, workerId: this.workerId });
    this.enqueueCfg = { maxPayloadBytes: settings.maxPayloadBytes, defaultMaxAttempts: settings.defaultMaxAttempts };
    const shared = this.cfg.sharedRuntime
      ? new SharedRuntime(
          (server) => this.pool(server),
          (server) => claimsPerServer(this.cfg.servers.get(server)?.poolSize ?? 1),
        )
      : null;
    this.shared = shared;
    this.rotas = new GroupRotas(this.cfg, {
      workerId: this.workerId,
      rota: options.rota,
      log: this.log,
      schemaOf: (g) => this.schemaOf(g),
      hooks: shared ? (server) => shared.hooks(server) : undefined,
    });
    const clusterSchema = `${this.cfg.schemaPrefix}_cluster`;
    this.limits = new ClusterLimits({
      coordinator: this.pool(this.cfg.coordinator),
      schema: clusterSchema,
      groups: this.cfg.groups,
      group: (g) => this.group(g),
      serverOf: (g) => this.serverOf(g),
      coordinatorName: this.cfg.coordinator,
      log: this.log.child({ part: 'limits' }),
    });
    this.workers = new ClusterWorkers({
      group: (g) => this.group(g),
      limits: this.limits,
      rebalanceMs: this.cfg.rebalanceMs,
      refreshPlacement: () => this.refreshPlacement(),
      placementRefreshMs: this.cfg.placementRefreshMs,
      log: this.log.child({ part: 'cluster' }),
      shared,
    });
    this.placer = new GroupPlacement({
      store: new PlacementStore(this.pool(this.cfg.coordinator), clusterSchema),
      placement: this.cfg.placement,
      servers: this.cfg.servers,
      schemaOf: (g) => this.schemaOf(g),
      workers: this.workers,
      dropRota: (g) => this.rotas.drop(g),
      log: this.log.child({ part: 'placement' }),
    });
  }

  get groupCount(): number {
    return this.cfg.groups;
  }

  /** Group → server name, as this process routes now (the stored placement once read; see refreshPlacement). */
  get placement(): readonly string[] {
    return this.cfg.placement;
  }

  /** The group of a tenant (FNV-1a of the tenant id mod groups; untenanted jobs are tenant 'default'). */
  groupOf(tenant: string): number {
    return groupOfTenant(validateName('tenant', tenant), this.cfg.groups);
  }

  /** The schema holding group g. */
  schemaOf(group: number): string {
    return groupSchema(this.cfg.schemaPrefix, group);
  }

  /** This process's pool on a server (shared by every group placed there). */
  pool(server: string): pg.Pool {
    return this.rotas.pool(server);
  }

  /**
   * Group g's own Rota (for what the cluster does not route, e.g. an enqueue inside the
   * application's transaction on `cluster.pool(cluster.placement[g])`).
   */
  group(g: number): Rota {
    if (this.closed) throw new Error('rota cluster is closed');
    return this.rotas.get(g);
  }

  /** Listens to an event of every group (job:completed, job:failed, flush, ...). */
  on<E extends keyof RotaEvents>(event: E, listener: (...args: RotaEvents[E]) => void): this {
    this.rotas.on(event, listener);
    return this;
  }

  off<E extends keyof RotaEvents>(event: E, listener: (...args: RotaEvents[E]) => void): this {
    this.rotas.off(event, listener);
    return this;
  }

  /**
   * This process's counters per group opened here, its pools per server, and (shared
   * runtime) per server the status-write transactions and the group batches they carried.
   */
  stats(): { groups: Record<string, RotaStats>; pools: Record<string, PoolStats>; statusWrites: SharedRuntimeStats } {
    return { ...this.rotas.stats(), statusWrites: this.shared?.stats() ?? {} };
  }

  /**
   * Reads the stored placement and routes every group whose server changed (a move made
   * by another process) to its new server. Returns the groups that changed.
   */
  refreshPlacement(): Promise<number[]> {
    return this.placer.refresh();
  }

  /** Runs `fn` on group g's Rota; if the group's schema turns out gone (moved meanwhile), follows the stored placement and runs it once more. */
  private async routed<T>(g: number, fn: (r: Rota) => Promise<T>, read = false): Promise<T> {
    const rota = () => (read ? this.group(g) : this.writable(g));
    try {
      return await fn(rota());
    } catch (err) {
      if (g < 0 || !isGroupGone(err) || !(await this.refreshPlacement()).includes(g)) throw err;
      return fn(rota());
    }
  }

  private writable(g: number): Rota {
    if (this.placer.moving.has(g)) throw new Error(`group ${g} is being moved; try again when the move has finished`);
    return this.group(g);
  }

  /**
   * Migrates every group (and the cluster's own schema on the coordinator), at most
   * `migrateConcurrency` at once. Each group's migration is idempotent and runs in one
   * transaction, so after a failure half-way running it again finishes the rest;
   * every group is tried, then ClusterMigrateError lists the ones that failed.
   */
  async migrate(): Promise<GroupMigration[]> {
    await migrateClusterSchema(this.pool(this.cfg.coordinator), `${this.cfg.schemaPrefix}_cluster`);
    // Groups are migrated where they are: a group moved since the config was written is
    // migrated on its new server, never re-created empty on its old one.
    await this.placer.seed();
    const out = await migrateGroups({
      groups: this.cfg.groups,
      concurrency: this.cfg.migrateConcurrency,
      serverOf: (g) => this.serverOf(g),
      schemaOf: (g) => this.schemaOf(g),
      migrate: (g) => migrateGroup(this.group(g), this.pool(this.serverOf(g)), g),
    });
    if (out.some((g) => g.error)) throw new ClusterMigrateError(out);
    return out;
  }

  /** Enqueues into the tenant's group. `client` is refused: a transaction lives on one server (use `group(g)`). */
  enqueue<P>(queue: AnyQueue<Q>, payload: P, opts?: EnqueueOptions): Promise<EnqueueResult>;
  enqueue<N extends QueueName<Q>>(queue: N, payload: Q[N], opts?: EnqueueOptions): Promise<EnqueueResult>;
  async enqueue(queue: string, payload: unknown, opts: EnqueueOptions = {}): Promise<EnqueueResult> {
    if (opts?.client)
      throw new ValidationError(
        'opts.client',
        'is not supported by RotaCluster (a transaction lives on one server); use cluster.group(g).enqueue',
      );
    return this.routed(this.groupOf(opts?.tenant ?? 'default'), (r) => r.enqueue(queue, payload, opts));
  }

  /**
   * Enqueues many jobs: split by tenant group, one enqueueMany (one statement, or one
   * transaction) per group, groups in parallel. Atomic within each group, not across
   * groups: when some groups fail, PartialEnqueueError says which items were written
   * (src/cluster/enqueue.ts).
   */
  enqueueMany<P>(queue: AnyQueue<Q>, items: readonly EnqueueItem<P>[]): Promise<EnqueueResult[]>;
  enqueueMany<N extends QueueName<Q>>(queue: N, items: readonly EnqueueItem<Q[N]>[]): Promise<EnqueueResult[]>;
  enqueueMany(queue: string, items: readonly EnqueueItem[]): Promise<EnqueueResult[]> {
    return enqueueSplit(
      {
        groups: this.cfg.groups,
        config: this.enqueueCfg,
        enqueueMany: (g, part) => this.routed(g, (r) => r.enqueueMany(queue, part)),
      },
      queue,
      items,
    );
  }

  /** The group holding job `id` (from its high bits), or null for an id no group or legacy schema holds. */
  groupOfJob(id: string): number | null {
    const g = groupOfJobId(validateJobId(id));
    if (g === LEGACY) return this.cfg.legacy ? LEGACY : null;
    return g < this.cfg.groups ? g : null;
  }

  async getJob(id: string): Promise<JobRecord | null> {
    const g = this.groupOfJob(id);
    return g === null ? null : this.routed(g, (r) => r.getJob(id), true);
  }

  async cancel(id: string): Promise<boolean> {
    const g = this.groupOfJob(id);
    return g === null ? false : this.routed(g, (r) => r.cancel(id));
  }

  /**
   * Counts per queue and state, summed over every group (one statement per group). When
   * some groups are unreachable: PartialReadError (src/cluster/reads.ts) carrying the
   * sums over the others and the list of unreachable groups and servers.
   */
  counts(windowMs?: number): Promise<Array<{ queue: string; state: JobState; count: number }>> {
    const groups = this.allGroups();
    return readParts(
      'counts',
      groups.map((g) => ({ group: g, server: this.serverOf(g), read: () => this.group(g).counts(windowMs) })),
      (got) => sumCounts(got.map((p) => p.value)),
    );
  }

  /** A queue's settings in every group; concurrency and rate are queue-wide, split over groups (src/cluster/limits.ts). */
  queue(name: string): ClusterQueueHandle {
    return this.limits.queue(validateName('queue', name));
  }

  /** A tenant's settings live in its group, so its limits are exact. */
  tenant(queue: string, id: string): ReturnType<Rota['tenant']> {
    return this.group(this.groupOf(id)).tenant(queue, id);
  }

  /** Re-splits queue-wide limits by demand now (the rebalancer does this every `rebalanceMs` while working). */
  rebalance(): Promise<void> {
    return this.limits.rebalanceAll();
  }

  /** A schedule lives in the group chosen by hashing its name; the jobs it enqueues go to that group. */
  scheduleGroup(name: string): number {
    return groupOfSchedule(validateName('name', name), this.cfg.groups);
  }

  schedule<P>(name: string, cron: string, queue: AnyQueue<Q>, payload: P, opts?: ScheduleOptions): Promise<ScheduleInfo<P>>;
  schedule<N extends QueueName<Q>>(
    name: string,
    cron: string,
    queue: N,
    payload: Q[N],
    opts?: ScheduleOptions,
  ): Promise<ScheduleInfo<Q[N]>>;
  schedule(name: string, cron: string, queue: string, payload: unknown, opts?: ScheduleOptions): Promise<ScheduleInfo<unknown>> {
    return this.writable(this.scheduleGroup(name)).schedule(name, cron, queue, payload, opts);
  }

  unschedule(name: string): Promise<boolean> {
    return this.writable(this.scheduleGroup(name)).unschedule(name);
  }

  setScheduleEnabled(name: string, enabled: boolean): Promise<boolean> {
    return this.writable(this.scheduleGroup(name)).setScheduleEnabled(name, enabled);
  }

  trigger(name: string): Promise<TriggerResult> {
    return this.writable(this.scheduleGroup(name)).trigger(name);
  }

  /** Every group's schedules, by name; PartialReadError (src/cluster/reads.ts) when some groups are unreachable. */
  schedules(): Promise<ScheduleInfo[]> {
    return readParts(
      'schedules',
      Array.from({ length: this.cfg.groups }, (_, g) => ({ group: g, server: this.serverOf(g), read: () => this.group(g).schedules() })),
      (got) => got.flatMap((p) => p.value).sort((a, b) => a.name.localeCompare(b.name)),
    );
  }

  /** Every group, and the legacy schema (-1) when there is one. */
  private allGroups(): number[] {
    const groups = Array.from({ length: this.cfg.groups }, (_, g) => g);
    if (this.cfg.legacy) groups.push(LEGACY);
    return groups;
  }

  /** The server group g is on (-1: the legacy schema's). */
  private serverOf(g: number): string {
    return g === LEGACY ? (this.cfg.legacy?.server as string) : (this.cfg.placement[g] as string);
  }

  /** Runs the scheduler of every group (or `groups`) in this process; stopped by close(). */
  startScheduler(opts?: SchedulerOptions & { groups?: readonly number[] }): SchedulerHandle[] {
    const { groups, ...rest } = opts ?? {};
    return this.served(groups, false).map((g) => this.group(g).startScheduler(rest));
  }

  private served(groups: readonly number[] | undefined, withLegacy: boolean): number[] {
    return servedGroups(groups, this.cfg.groups, withLegacy && this.cfg.legacy !== null);
  }

  /**
   * Works `queue` in every group this process serves: one worker runtime per group
   * (claim loop, status batcher, lease keeper), all groups of a server sharing this
   * process's pool there (`poolSize` connections) and one LISTEN connection.
   */
  work<P = unknown, R = unknown>(queue: AnyQueue<Q>, opts: ClusterWorkOptions, handler: Handler<P, R>): Worker;
  work<N extends QueueName<Q>, R = unknown>(queue: N, opts: ClusterWorkOptions, handler: Handler<Q[N], R>): Worker;
  work(queue: string, opts: ClusterWorkOptions, handler: Handler<never, unknown>): Worker {
    if (this.closed) throw new Error('rota cluster is closed');
    validateName('queue', queue);
    if (typeof handler !== 'function') throw new ValidationError('handler', 'must be a function');
    const { groups, ...workOpts } = opts ?? {};
    return this.workers.work(queue, this.served(groups, true), workOpts, handler);
  }

  /**
   * Moves group g to server `to` (src/cluster/placement.ts, move.ts): its workers here
   * pause, its tables are copied while writes to the source wait, the stored placement
   * switches, the source schema is dropped, and its workers resume on `to`. Other
   * processes follow at their next placement refresh, or at once when a statement of
   * theirs finds the group gone.
   */
  moveGroup(g: number, to: string): Promise<MoveResult> {
    return this.placer.move(g, to);
  }

  /** Stops every worker and scheduler, flushes, and closes the pools. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.workers.clear();
    await this.rotas.close();
  }
}
