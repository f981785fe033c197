/**
 * Injection points of a worker runtime for a host that runs several runtimes in one
 * process (RotaCluster, src/cluster/shared-runtime.ts: one runtime per tenant group).
 * All optional; without them a runtime behaves exactly as on its own.
 */

/** An executor using a shared budget. */
export interface BudgetMember {
  /** A slot may be free: try to start buffered jobs now. */
  resume(): void;
  /** Handlers running. */
  readonly active: number;
  /** Jobs claimed and not started. */
  readonly buffered: number;
}

/** Handler slots shared by several executors (one queue's `concurrency` across groups). */
export interface SlotBudget {
  /** Takes one slot; when none is free, `waiter` is queued and resumed when one frees. */
  take(waiter: BudgetMember): boolean;
  /** Gives a slot back (offered to the waiters first, in the order they queued). */
  give(): void;
  /**
   * The concurrency `member`'s claims are planned for (its share of the budget among the
   * executors with work), so a process serving many groups does not claim the whole
   * budget in each of them. The executor still runs up to its own concurrency when slots are free.
   */
  share(member: BudgetMember): number;
}

/** A statement as the runtime sends it (a named prepared statement). */
export interface NamedStatement {
  name: string;
  text: string;
  values: unknown[];
}

export interface RuntimeHooks {
  /** The budget a queue's executor shares with other runtimes; undefined: its own concurrency only. */
  budget?: (queue: string) => SlotBudget | undefined;
  /** Runs a claim when it is this runtime's turn (claims of several runtimes taken in rotation). */
  claimTurn?: <T>(claim: () => Promise<T>) => Promise<T>;
  /**
   * Runs `tick` every `ms` (or less often: a host may rotate one timer over several
   * runtimes' ticks of the same task); returns a function that stops it.
   */
  schedule?: (task: 'heartbeat' | 'rescue' | 'sessions' | 'maintenance', ms: number, tick: () => void) => () => void;
  /** Writes a status batch (finish_batch.sql); resolves when committed. Default: one pool query. */
  writeFinish?: (statement: NamedStatement) => Promise<void>;
}
