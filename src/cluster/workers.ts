import { positiveInt } from '../client/validate.js';
import { ValidationError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Worker, WorkOptions } from '../options.js';
import type { Rota } from '../rota.js';
import type { Handler } from '../types.js';
import type { ClusterLimits } from './limit-store.js';
import type { SharedBudget, SharedRuntime } from './shared-runtime.js';

interface WorkRegistration {
  queue: string;
  opts: WorkOptions;
  handler: Handler<never, unknown>;
  /** Groups this registration serves. */
  groups: Set<number>;
  /** The running worker per group (absent while the group is paused for a move). */
  workers: Map<number, Worker>;
  /** The process-wide handler slots of the queue (shared runtime). */
  budget: SharedBudget | null;
}

export interface ClusterWorkersOptions {
  group: (g: number) => Rota;
  limits: ClusterLimits;
  /** 0: no rebalancer. */
  rebalanceMs: number;
  /** Re-reads the stored placement (and moves groups whose server changed). */
  refreshPlacement: () => Promise<unknown>;
  /** 0: no refresh while working. */
  placementRefreshMs: number;
  log: Logger;
  /** The shared worker runtime (src/cluster/shared-runtime.ts); null: `concurrency` per group. */
  shared: SharedRuntime | null;
}

/**
 * The cluster's workers in this process: one Rota worker per (queue, served group),
 * groups paused and resumed around a move, and two periodic tasks while any queue is
 * worked here: the queue-wide limit rebalancer and the placement refresh.
 */
export class ClusterWorkers {
  private readonly works = new Map<string, WorkRegistration>();
  private readonly paused = new Set<number>();
  private timers: NodeJS.Timeout[] = [];

  constructor(private readonly o: ClusterWorkersOptions) {}

  work(queue: string, groups: readonly number[], opts: WorkOptions, handler: Handler<never, unknown>): Worker {
    if (this.works.has(queue))
      throw new ValidationError('queue', `a worker for ${JSON.stringify(queue)} is already running in this process`);
    const shared = this.o.shared;
    // With the shared runtime, `concurrency` is the process's handlers for the queue across
    // all groups: every group's executor may use all of it, the budget caps the sum.
    const budget = shared ? shared.setBudget(queue, positiveInt('concurrency', opts?.concurrency ?? 1, { max: 10_000 })) : null;
    const reg: WorkRegistration = { queue, opts, handler, groups: new Set(groups), workers: new Map(), budget };
    try {
      for (const g of groups) if (!this.paused.has(g)) reg.workers.set(g, this.o.group(g).work(queue, opts, handler));
    } catch (err) {
      // Bad work options are refused by the first group: nothing keeps running.
      for (const w of reg.workers.values()) void w.stop();
      if (budget) shared?.dropBudget(queue, budget);
      throw err;
    }
    this.works.set(queue, reg);
    this.startTimers();
    return {
      queue,
      stop: async () => {
        if (this.works.get(queue) === reg) this.works.delete(queue);
        await Promise.all([...reg.workers.values()].map((w) => w.stop()));
        reg.workers.clear();
        if (budget) shared?.dropBudget(queue, budget);
        if (this.works.size === 0) this.stopTimers();
      },
    };
  }

  /** Stops this process's workers of group g (drained and flushed) until resume(g). */
  async pause(g: number): Promise<void> {
    this.paused.add(g);
    const stopping: Promise<void>[] = [];
    for (const reg of this.works.values()) {
      const w = reg.workers.get(g);
      if (!w) continue;
      reg.workers.delete(g);
      stopping.push(w.stop());
    }
    await Promise.all(stopping);
  }

  /** Starts the workers of group g again (through `group(g)`, which may now be on another server). */
  resume(g: number): void {
    this.paused.delete(g);
    for (const reg of this.works.values())
      if (reg.groups.has(g) && !reg.workers.has(g)) reg.workers.set(g, this.o.group(g).work(reg.queue, reg.opts, reg.handler));
  }

  /** Forgets every registration (close() stops the group runtimes themselves). */
  clear(): void {
    this.stopTimers();
    this.works.clear();
  }

  private startTimers(): void {
    if (this.timers.length > 0) return;
    const every = (task: string, ms: number, fn: () => Promise<unknown>) => {
      if (ms === 0) return;
      let busy = false;
      const t = setInterval(() => {
        if (busy) return;
        busy = true;
        fn()
          .catch((err) => this.o.log.warn({ task, err: String(err) }, 'cluster task failed; will retry'))
          .finally(() => {
            busy = false;
          });
      }, ms);
      t.unref();
      this.timers.push(t);
    };
    every('rebalance', this.o.rebalanceMs, () => this.o.limits.rebalanceAll());
    every('placement', this.o.placementRefreshMs, this.o.refreshPlacement);
  }

  private stopTimers(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
  }
}

/** The groups a worker serves: the listed ones (validated), or all (and the legacy schema, -1, when there is one). */
export function servedGroups(groups: readonly number[] | undefined, total: number, withLegacy: boolean): number[] {
  if (groups === undefined) {
    const all = Array.from({ length: total }, (_, g) => g);
    return withLegacy ? [-1, ...all] : all;
  }
  if (!Array.isArray(groups) || groups.length === 0) throw new ValidationError('groups', 'must be a non-empty array of group numbers');
  for (const [i, g] of groups.entries())
    if (!(Number.isInteger(g) && g >= 0 && g < total))
      throw new ValidationError(`groups[${i}]`, `must be a group number 0..${total - 1} (got ${String(g)})`);
  return [...new Set(groups)];
}
