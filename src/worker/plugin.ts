import type { Job } from '../types.js';
import type { JobOutcome } from './executor.js';

/**
 * Which queues the claim loop may claim for right now. Resilience implements it (a
 * queue's circuit breaker is open, the process is overloaded). Rows of a queue the gate
 * stopped admitting while their claim was in flight go back unrun and uncharged.
 */
export interface ClaimGate {
  admits(queue: string): boolean;
}

/**
 * A claim of exactly as many jobs as `grant` allows, for a queue the gate keeps closed
 * (a half-open breaker's probes), made by the claim loop between its ordinary claims.
 * Every request ends with exactly one `done` call.
 */
export interface ProbeRequest {
  queue: string;
  /** Called with the queue's free slots here (> 0); resolves to how many jobs to claim. */
  grant(free: number): Promise<number>;
  /**
   * The ids claimed for the grant (fewer than granted when fewer were available, none
   * when the claim failed or the queue stopped), called before they are delivered.
   */
  done(ids: readonly string[], granted: number): void;
}

/** What the runtime offers the layer plugged into it. */
export interface RuntimeControl {
  /** The gate admits more than before: claim now. */
  reopened(): void;
  /** The gate closed for `queue` (every queue when omitted): buffered jobs go back unrun; returns how many. */
  releaseBuffered(queue?: string): number;
  probe(request: ProbeRequest): void;
  /** Ids of every job this process holds (buffered or running). */
  heldJobIds(): ReadonlySet<string>;
}

/** What resilience (src/resilience/worker-hooks.ts) plugs into a worker runtime. */
export interface RuntimePlugin {
  readonly gate: ClaimGate;
  start(control: RuntimeControl): void;
  /** Called once no job runs any more and the batcher has flushed. */
  stop(): Promise<void>;
  /** `ctx.breaker(name)` in a handler of `queue`. */
  enterBreaker(queue: string, name: string, job: Job): Promise<void>;
  onOutcome(o: JobOutcome): void;
  /** Reported with the worker's heartbeat. */
  stats(): object;
  /** NOTIFY channels (without the schema prefix) to LISTEN on, with their handlers. */
  readonly channels?: Record<string, (payload: string) => void>;
}
