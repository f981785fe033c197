import type pg from 'pg';
import { loadQuery } from '../db/sql.js';
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
  evaluator: 'schedule_evaluator',
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
  /** This process (rota.workerId): recorded as the evaluator of the schedules it claims. */
  workerId: string;
}
