import { positiveInt } from '../client/validate.js';
import { type CycleQuery, listCycles, scheduleStatus } from './cycles.js';
import { loadSchedulerSql, type SchedulerDeps } from './deps.js';
import { type TriggerResult, triggerSchedule } from './evaluator.js';
import { loopConfig, SchedulerLoop } from './loop.js';
import { ScheduleStore } from './store.js';
import type { ScheduleCycle, ScheduleInfo, ScheduleOptions, SchedulerHandle, SchedulerOptions, ScheduleStatus } from './types.js';

/**
 * Everything Rota's scheduling methods delegate to: definitions (store), manual runs,
 * the record of cycles, and this process's evaluation loops.
 */
export class SchedulerService {
  private readonly deps: SchedulerDeps;
  private readonly store: ScheduleStore;
  private readonly loops = new Set<SchedulerLoop>();

  constructor(deps: Omit<SchedulerDeps, 'sql'>) {
    this.deps = { ...deps, sql: loadSchedulerSql(deps.schema) };
    this.store = new ScheduleStore(this.deps);
  }

  schedule<P>(name: string, cron: string, queue: string, payload: P, opts?: ScheduleOptions): Promise<ScheduleInfo<P>> {
    return this.store.upsert(name, cron, queue, payload, opts);
  }

  unschedule(name: string): Promise<boolean> {
    return this.store.remove(name);
  }

  setEnabled(name: string, enabled: boolean): Promise<boolean> {
    return this.store.setEnabled(name, enabled);
  }

  schedules(): Promise<ScheduleInfo[]> {
    return this.store.list();
  }

  trigger(name: string): Promise<TriggerResult> {
    return triggerSchedule(this.deps, name);
  }

  status(opts?: { name?: string; names?: string[]; window?: number }): Promise<ScheduleStatus[]> {
    return scheduleStatus(this.deps, opts);
  }

  cycles(q?: CycleQuery): Promise<ScheduleCycle[]> {
    return listCycles(this.deps, q);
  }

  start(opts: SchedulerOptions = {}): SchedulerHandle {
    const config = loopConfig(opts);
    positiveInt('pollMs', config.pollMs, { min: 10, max: 60_000 });
    positiveInt('batchSize', config.batchSize, { max: 10_000 });
    positiveInt('settleIntervalMs', config.settleIntervalMs, { min: 10 });
    positiveInt('historyMs', config.historyMs, { min: 60_000, max: Number.MAX_SAFE_INTEGER });
    const loop = new SchedulerLoop(this.deps, config).start();
    this.loops.add(loop);
    return {
      stats: loop.stats,
      stop: async () => {
        this.loops.delete(loop);
        await loop.stop();
      },
    };
  }

  /** Stops every loop this process started. */
  async stop(): Promise<void> {
    const loops = [...this.loops];
    this.loops.clear();
    await Promise.all(loops.map((l) => l.stop()));
  }
}
