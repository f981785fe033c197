import type { Logger } from '../logger.js';
import type { Job } from '../types.js';
import type { JobOutcome } from '../worker/executor.js';
import type { ClaimGate, RuntimeControl, RuntimePlugin } from '../worker/plugin.js';
import type { RetryPolicy } from '../worker/retry.js';
import { BreakerRegistry } from './breaker.js';
import type { BreakerState, BreakerStatus, BreakerStore } from './breaker-store.js';
import type { FailurePredicate } from './failure.js';
import { type GuardLimits, type GuardState, type GuardStats, ResourceGuard, type Sampler } from './guard.js';

/** A breaker's state changed (seen by this process; every process emits it when it learns of it). */
export interface BreakerEvent {
  kind: BreakerStatus['kind'];
  name: string;
  from: BreakerState;
  to: BreakerState;
  forced: BreakerStatus['forced'];
  reason: string | null;
  /** While open (not forced): ms until probes are let through. */
  openRemainingMs: number | null;
  status: BreakerStatus;
}

export interface WorkerResilienceStats {
  guard: GuardStats;
  /** Per worked queue: the backoff its failed attempts get now (what operators check after changing a stored policy). */
  retry?: Record<string, RetryPolicy>;
  breakers: Array<Pick<BreakerStatus, 'kind' | 'name' | 'state' | 'forced' | 'calls' | 'failures' | 'trips' | 'openRemainingMs'>>;
  counters: {
    /** Breaker syncs (one statement each) and failed ones. */
    breakerSyncs: number;
    breakerSyncFailures: number;
    /** ctx.breaker() calls that sent the job back because the breaker was open. */
    heldBack: number;
    /** Probe jobs this process ran. */
    probes: number;
    /** Buffered jobs given back unrun because their queue's breaker opened / the guard tripped. */
    releasedByBreaker: number;
    releasedByGuard: number;
  };
}

export interface WorkerResilienceOptions {
  store: BreakerStore;
  actor: string;
  syncMs: number;
  log: Logger;
  guard: GuardLimits;
  /** The failure predicate of a queue's worker (WorkOptions.breaker.countsAsFailure or the default). */
  isFailure: (queue: string) => FailurePredicate;
  onBreakerChange: (e: BreakerEvent) => void;
  onGuardChange: (s: GuardState) => void;
  /** The backoff each worked queue uses now (the stored retry policy over work()'s; src/resilience/retry-settings.ts). */
  retry?: () => Record<string, RetryPolicy>;
  /** Tests inject a fake sampler; production measures the process. */
  sampler?: () => Sampler;
}

/**
 * What resilience plugs into one worker runtime: the circuit breakers (which queues may
 * be claimed, probe claims while half-open, ctx.breaker, outcome counting) and the
 * resource guard (no claims while the process is overloaded).
 */
export class WorkerResilience implements RuntimePlugin {
  private control: RuntimeControl | null = null;
  private readonly breakers: BreakerRegistry;
  private readonly guard: ResourceGuard;
  private readonly probing = new Set<string>();
  private readonly released = { breaker: 0, guard: 0 };

  constructor(private readonly opts: WorkerResilienceOptions) {
    this.breakers = new BreakerRegistry({
      store: opts.store,
      actor: opts.actor,
      syncMs: opts.syncMs,
      log: opts.log,
      onChange: (s, prev) => this.breakerChanged(s, prev),
      // Every queue is held until the breakers are known; claim as soon as they are,
      // not at the next poll.
      onLoaded: () => this.control?.reopened(),
      afterSync: () => {
        for (const s of this.breakers.halfOpenQueues()) this.requestProbes(s);
      },
      heldJobs: () => this.control?.heldJobIds() ?? new Set(),
    });
    this.guard = new ResourceGuard(opts.guard, { onChange: (s) => this.guardChanged(s), sampler: opts.sampler });
  }

  /**
   * Every breaker transition is recorded in breaker_history, whose trigger notifies
   * `<schema>.breakers`: processes sync at once instead of at their next interval, so
   * a breaker opened by one process stops the others within milliseconds. (The
   * interval stays: it sends outcomes, and a missed notification costs one interval.)
   */
  readonly channels = { breakers: () => this.breakers.requestSync() };

  /**
   * Nothing is claimed while the process is overloaded, nor for a queue whose breaker
   * holds it (open, or half-open: its probes are claimed through requestProbes).
   */
  readonly gate: ClaimGate = {
    admits: (queue) => !this.guard.overloaded && !this.breakers.holdsQueue(queue),
  };

  start(control: RuntimeControl): void {
    this.control = control;
    this.breakers.start();
    this.guard.start();
  }

  enterBreaker(queue: string, name: string, job: Job): Promise<void> {
    return this.breakers.enter(job.id, name, this.opts.isFailure(queue));
  }

  onOutcome(o: JobOutcome): void {
    this.breakers.jobFinished(o, this.opts.isFailure(o.job.queue));
  }

  async stop(): Promise<void> {
    this.guard.stop();
    await this.breakers.stop();
  }

  stats(): WorkerResilienceStats {
    const c = this.breakers.counters;
    return {
      guard: this.guard.stats(),
      retry: this.opts.retry?.(),
      breakers: this.breakers.all().map(({ kind, name, state, forced, calls, failures, trips, openRemainingMs }) => ({
        kind,
        name,
        state,
        forced,
        calls,
        failures,
        trips,
        openRemainingMs,
      })),
      counters: {
        breakerSyncs: c.syncs,
        breakerSyncFailures: c.syncFailures,
        heldBack: c.heldBack,
        probes: c.probes,
        releasedByBreaker: this.released.breaker,
        releasedByGuard: this.released.guard,
      },
    };
  }

  private breakerChanged(s: BreakerStatus, prev: BreakerStatus | undefined): void {
    const control = this.control;
    if (s.kind === 'queue' && control) {
      if (this.breakers.holdsQueue(s.name)) {
        // Jobs claimed before the breaker opened go back unrun and uncharged.
        this.released.breaker += control.releaseBuffered(s.name);
        if (s.state === 'half_open' && s.forced === null) this.requestProbes(s);
      } else {
        control.reopened();
      }
    }
    if (prev && (prev.state !== s.state || prev.forced !== s.forced)) {
      const e: BreakerEvent = {
        kind: s.kind,
        name: s.name,
        from: prev.state,
        to: s.state,
        forced: s.forced,
        reason: s.reason,
        openRemainingMs: s.openRemainingMs,
        status: s,
      };
      const fields = { breaker: `${s.kind}:${s.name}`, from: e.from, to: e.to, forced: s.forced, reason: s.reason };
      // Opening is what operators must hear about; probing and closing are routine.
      if (s.state === 'open') this.opts.log.warn(fields, 'circuit breaker opened');
      else this.opts.log.info(fields, 'circuit breaker changed');
      this.opts.onBreakerChange(e);
    }
  }

  /**
   * Half-open queue breaker: the claim loop asks for probe tokens (cluster-wide at most
   * `probes` per round) for the slots this process has free, and claims exactly that
   * many jobs; tokens of jobs not found are given back.
   */
  private requestProbes(s: BreakerStatus): void {
    const control = this.control;
    if (!control || this.probing.has(s.name) || this.guard.overloaded) return;
    this.probing.add(s.name);
    let generation = 0;
    control.probe({
      queue: s.name,
      grant: async (free) => {
        const taken = await this.opts.store.takeProbes('queue', s.name, Math.min(free, s.probes), this.opts.actor);
        generation = taken.generation;
        return taken.granted;
      },
      done: (ids, granted) => {
        this.probing.delete(s.name);
        if (granted > ids.length) this.breakers.returnProbes('queue', s.name, generation, granted - ids.length);
        if (ids.length > 0) this.breakers.markProbes(s.name, ids, generation);
      },
    });
  }

  private guardChanged(s: GuardState): void {
    const control = this.control;
    if (s.overloaded) {
      // Buffered jobs would wait for this overloaded process: give them to the others.
      if (control) this.released.guard += control.releaseBuffered();
      this.opts.log.warn({ reasons: s.reasons, ...s.sample }, 'process overloaded; claiming paused (in-flight jobs continue)');
    } else {
      this.opts.log.warn({ reasons: s.reasons, ...s.sample }, 'process recovered; claiming resumed');
      control?.reopened();
    }
    this.opts.onGuardChange(s);
  }
}
