import type pg from 'pg';
import { loadQuery } from '../db/sql.js';
import { DatabaseUnavailableError, isConnectionError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { EnqueueItem, EnqueueResult, Queryable } from '../types.js';
import type { ScheduleTickEvent } from './types.js';

const QUERIES = {
  upsert: 'schedule_upsert',
  peek: 'schedule_peek',
  claim: 'schedule_claim',
  record: 'schedule_record',
  attach: 'schedule_attach',
  trigger: 'schedule_trigger',
  settle: 'schedule_settle',
  status: 'schedule_status',
  cycles: 'schedule_cycles',
  prune: 'schedule_prune',
} as const;

export type SchedulerSql = Record<keyof typeof QUERIES, string>;

export function loadSchedulerSql(schema: string): SchedulerSql {
  const out = {} as SchedulerSql;
  for (const [key, file] of Object.entries(QUERIES)) out[key as keyof SchedulerSql] = loadQuery(file, schema);
  return out;
}

/** Enqueues jobs of one queue through rota's enqueue path, inside the caller's transaction. */
export type EnqueueFn = (client: Queryable, queue: string, items: EnqueueItem[]) => Promise<EnqueueResult[]>;

/** What the scheduler needs from its Rota, passed in rather than reached for. */
export interface SchedulerDeps {
  pool: pg.Pool;
  schema: string;
  sql: SchedulerSql;
  log: Logger;
  enqueue: EnqueueFn;
  /** Called after commit for every cycle this process recorded. */
  onTick: (event: ScheduleTickEvent) => void;
  maxPayloadBytes: number;
}

/** The database could not be reached (as opposed to "this statement or this schedule is wrong"). */
export function isUnavailable(err: unknown): boolean {
  return err instanceof DatabaseUnavailableError || isConnectionError(err);
}

/** Runs `fn` in a transaction on a pool connection. */
export async function inTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>, begin = 'BEGIN'): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query(begin);
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    // A connection that failed mid-transaction is not handed back to the pool.
    broken = isUnavailable(err);
    if (!broken) await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release(broken);
  }
}
