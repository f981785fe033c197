import { ValidationError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Worker, WorkOptions } from '../options.js';
import type { Rota } from '../rota.js';
import type { Handler } from '../types.js';
import type { ClusterLimits } from './limit-store.js';

interface WorkRegistration {
  queue: string;
  opts: WorkOptions;
  handler: Handler<never, unknown>;
  /** Groups this registration serves. */
  groups: Set<number>;
  /** The running worker per group (absent while the group is paused for a move). */
  workers: Map<number, Worker>;
}

export interface ClusterWorkersOptions {
  group: (g: number) => Rota;
  limits: ClusterLimits;
  /** 0: no rebalancer. */
  rebalanceMs: number;
  log: Logger;
}

/**
 * The cluster's workers in this process: one Rota worker per (queue, served group),
 * groups paused and resumed around a move, and the queue-wide limit rebalancer, which
 * runs while any queue is worked here.
 */
export class ClusterWorkers {
  private readonly works = new Map<string, WorkRegistration>();
  private readonly paused = new Set<number>();
  private rebalanceTimer: NodeJS.Timeout | null = null;

  constructor(private readonly o: ClusterWorkersOptions) {}

  work(queue: string, groups: readonly number[], opts: WorkOptions, handler: Handler<never, unknown>): Worker {
    if (this.works.has(queue))
      throw new ValidationError('queue', `a worker for ${JSON.stringify(queue)} is already running in this process`);
    const reg: WorkRegistration = { queue, opts, handler, groups: new Set(groups), workers: new Map() };
    for (const g of groups) if (!this.paused.has(g)) reg.workers.set(g, this.o.group(g).work(queue, opts, handler));
    this.works.set(queue, reg);
    this.startRebalancer();
    return {
      queue,
      stop: async () => {
        if (this.works.get(queue) === reg) this.works.delete(queue);
        await Promise.all([...reg.workers.values()].map((w) => w.stop()));
        reg.workers.clear();
        if (this.works.size === 0) this.stopRebalancer();
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
    this.stopRebalancer();
    this.works.clear();
  }

  private startRebalancer(): void {
    if (this.rebalanceTimer || this.o.rebalanceMs === 0) return;
    let busy = false;
    this.rebalanceTimer = setInterval(() => {
      if (busy) return;
      busy = true;
      this.o.limits
        .rebalanceAll()
        .catch((err) => this.o.log.warn({ err: String(err) }, 'queue limit rebalance failed; will retry'))
        .finally(() => {
          busy = false;
        });
    }, this.o.rebalanceMs);
    this.rebalanceTimer.unref();
  }

  private stopRebalancer(): void {
    if (this.rebalanceTimer) clearInterval(this.rebalanceTimer);
    this.rebalanceTimer = null;
  }
}
