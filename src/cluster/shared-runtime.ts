import type pg from 'pg';
import { isConnectionError } from '../errors.js';
import type { BudgetMember, NamedStatement, RuntimeHooks, SlotBudget } from '../worker/hooks.js';

/**
 * What makes the worker runtimes of many groups in one process work as one
 * (docs/cluster.md, "Workers"): each group keeps its runtime (src/worker: claim
 * planning, executors, batcher, lease keeper), and these plug into it
 * (src/worker/hooks.ts):
 *
 * - SharedBudget: one queue's `concurrency` shared by its executors in every group,
 *   a freed slot offered to the groups waiting for one in turn (round robin);
 * - ClaimTurns: claims of the groups on one server taken one at a time, in the order
 *   the groups asked (a group that just claimed queues behind the others);
 * - Rotations: the periodic dead-worker check and lease rescue run by one timer per
 *   server, one group per tick, so their cost does not grow with the group count;
 * - FinishCoalescer: status batches of the groups on one server that are ready
 *   together written in one transaction (one commit for many groups).
 */

/** One queue's handler slots for the whole process, whatever the number of groups. */
export class SharedBudget implements SlotBudget {
  private used = 0;
  /** Executors with buffered jobs and no slot, in the order they asked. */
  private readonly waiters: BudgetMember[] = [];
  /** Every executor that planned a claim against this budget (a queue's executor per group, and per restart). */
  private readonly members = new Set<BudgetMember>();

  constructor(readonly size: number) {}

  get running(): number {
    return this.used;
  }

  take(waiter: BudgetMember): boolean {
    if (this.used < this.size) {
      this.used++;
      return true;
    }
    if (!this.waiters.includes(waiter)) this.waiters.push(waiter);
    return false;
  }

  /** The budget over the members with work, this one counted as one of them (it is planning a claim). */
  share(member: BudgetMember): number {
    this.members.add(member);
    let busy = 1;
    for (const m of this.members) if (m !== member && m.active + m.buffered > 0) busy++;
    return Math.max(1, Math.ceil(this.size / busy));
  }

  give(): void {
    this.used--;
    // The slot goes to the waiters first (the executor that freed it asks after them):
    // each resumed executor either takes it or had nothing left to start.
    while (this.used < this.size && this.waiters.length > 0) (this.waiters.shift() as BudgetMember).resume();
  }
}

/** Claims of one server's groups, `limit` at a time (claimsPerServer), first asked first served. */
export class ClaimTurns {
  private inFlight = 0;
  private readonly queue: Array<() => void> = [];

  constructor(private readonly limit: number) {}

  async run<T>(claim: () => Promise<T>): Promise<T> {
    if (this.inFlight >= this.limit) await new Promise<void>((resolve) => this.queue.push(resolve));
    else this.inFlight++;
    try {
      return await claim();
    } finally {
      const next = this.queue.shift();
      if (next) next();
      else this.inFlight--;
    }
  }
}

/** Tasks run by one timer per server, one group's tick at a time. */
const ROTATED = new Set(['rescue', 'sessions']);

/** Periodic tasks of the groups on one server (see ROTATED); the others keep a timer per group. */
export class Rotations {
  private readonly rings = new Map<string, { ticks: Array<() => void>; next: number; timer: NodeJS.Timeout }>();

  schedule(task: string, ms: number, tick: () => void): () => void {
    if (!ROTATED.has(task)) {
      const t = setInterval(tick, ms);
      t.unref();
      return () => clearInterval(t);
    }
    let ring = this.rings.get(task);
    if (!ring) {
      const r = {
        ticks: [] as Array<() => void>,
        next: 0,
        timer: setInterval(() => {
          if (r.ticks.length === 0) return;
          r.next %= r.ticks.length;
          (r.ticks[r.next++] as () => void)();
        }, ms),
      };
      r.timer.unref();
      this.rings.set(task, r);
      ring = r;
    }
    const own = ring;
    own.ticks.push(tick);
    return () => {
      const i = own.ticks.indexOf(tick);
      if (i >= 0) own.ticks.splice(i, 1);
      if (own.ticks.length === 0 && this.rings.get(task) === own) {
        clearInterval(own.timer);
        this.rings.delete(task);
      }
    };
  }
}

interface PendingWrite {
  statement: NamedStatement;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Status batches (finish_batch.sql) of the groups on one server: the ones ready in the
 * same event-loop turn, or while a transaction is in flight, go together in the next
 * transaction. One commit then serves many groups. At most two transactions in flight
 * (the second only for two groups' batches or more), like a group's own batcher.
 * When a shared transaction fails for another reason than the connection (e.g. a group
 * moved away, a row PostgreSQL refuses), each batch is run again alone, so a group's
 * failure stays its own (its batcher then takes its usual fallback).
 */
export class FinishCoalescer {
  private queued: PendingWrite[] = [];
  private inFlight = 0;
  private scheduled = false;
  readonly counters = { transactions: 0, batches: 0 };

  constructor(private readonly pool: pg.Pool) {}

  write(statement: NamedStatement): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queued.push({ statement, resolve, reject });
      this.kick();
    });
  }

  private kick(): void {
    if (this.scheduled || this.queued.length === 0) return;
    if (this.inFlight >= 2 || (this.inFlight === 1 && this.queued.length < 2)) return;
    this.scheduled = true;
    // Batches of other groups flushed in this same turn join this transaction.
    setImmediate(() => {
      this.scheduled = false;
      const batch = this.queued;
      this.queued = [];
      if (batch.length === 0) return;
      this.inFlight++;
      void this.commit(batch).finally(() => {
        this.inFlight--;
        this.kick();
      });
    });
  }

  private async commit(batch: PendingWrite[]): Promise<void> {
    this.counters.transactions++;
    this.counters.batches += batch.length;
    if (batch.length === 1) return this.alone(batch[0] as PendingWrite);
    let client: pg.PoolClient | null = null;
    try {
      client = await this.pool.connect();
      await client.query('BEGIN');
      for (const p of batch) await client.query(p.statement);
      await client.query('COMMIT');
      client.release();
      for (const p of batch) p.resolve();
    } catch (err) {
      if (client) {
        const c = client;
        await c.query('ROLLBACK').then(
          () => c.release(),
          (e) => c.release(e as Error),
        );
      }
      if (isConnectionError(err)) {
        for (const p of batch) p.reject(err);
        return;
      }
      for (const p of batch) await this.alone(p);
    }
  }

  private async alone(p: PendingWrite): Promise<void> {
    try {
      await this.pool.query(p.statement);
      p.resolve();
    } catch (err) {
      p.reject(err);
    }
  }
}

/**
 * Claims in flight at once on a server. Two when the pool has room for them beside the
 * status writes (at most two): a group's small claim (a newcomer tenant, urgent work)
 * then goes out beside another group's large one instead of after it. Measured (4
 * paired rounds, 8 groups on 3 servers): a small tenant behind a big one in another
 * group of the same server finished after 43–118 ms with two, 47–209 ms with one, and
 * burn-down was no slower.
 */
export function claimsPerServer(poolSize: number): number {
  return poolSize >= 4 ? 2 : 1;
}

/** Per server: status-write transactions, and the groups' batches they carried (batches / transactions = groups per commit). */
export type SharedRuntimeStats = Record<string, { transactions: number; batches: number }>;

/** The shared parts for one process: budgets per queue, and per server the claim turns, rotations and status writes. */
export class SharedRuntime {
  private readonly budgets = new Map<string, SharedBudget>();
  private readonly servers = new Map<string, { turns: ClaimTurns; rotations: Rotations; finishes: FinishCoalescer }>();

  constructor(
    private readonly pool: (server: string) => pg.Pool,
    private readonly claimsPerServer: (server: string) => number,
  ) {}

  /** `queue`'s executors in every group share `concurrency` slots from now on. */
  setBudget(queue: string, concurrency: number): SharedBudget {
    const b = new SharedBudget(concurrency);
    this.budgets.set(queue, b);
    return b;
  }

  dropBudget(queue: string, b: SharedBudget): void {
    if (this.budgets.get(queue) === b) this.budgets.delete(queue);
  }

  /** The hooks of a group runtime on `server`. */
  hooks(server: string): RuntimeHooks {
    let s = this.servers.get(server);
    if (!s) {
      s = {
        turns: new ClaimTurns(this.claimsPerServer(server)),
        rotations: new Rotations(),
        finishes: new FinishCoalescer(this.pool(server)),
      };
      this.servers.set(server, s);
    }
    const { turns, rotations, finishes } = s;
    return {
      budget: (queue) => this.budgets.get(queue),
      claimTurn: (claim) => turns.run(claim),
      schedule: (task, ms, tick) => rotations.schedule(task, ms, tick),
      writeFinish: (statement) => finishes.write(statement),
    };
  }

  /** Status-write transactions and the batches they carried, per server. */
  stats(): SharedRuntimeStats {
    return Object.fromEntries([...this.servers].map(([name, s]) => [name, { ...s.finishes.counters }]));
  }
}
