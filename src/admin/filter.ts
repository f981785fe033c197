import { priorityRank, validateName } from '../client/validate.js';
import { ValidationError } from '../errors.js';
import type { JobState, Json, Priority } from '../types.js';

export const LIVE_STATES = ['available', 'scheduled', 'running'] as const;
export const DONE_STATES = ['completed', 'dead', 'cancelled'] as const;
export const JOB_STATES: readonly JobState[] = [...LIVE_STATES, ...DONE_STATES];

/** Which jobs an admin list or bulk write is about. Absent fields match anything. */
export interface JobFilter {
  queue?: string;
  tenant?: string;
  state?: JobState | JobState[];
  priority?: Priority;
  /** Live jobs: created at or after; finished jobs: finished at or after. */
  from?: Date;
  /** Live jobs: created before; finished jobs: finished before. */
  to?: Date;
  /** A JSON object the payload must contain (`payload @> fragment`). */
  payload?: { [key: string]: Json };
}

/** The filter as SQL parameters $1..$7, split by where the states live. */
export interface FilterParams {
  live: unknown[] | null;
  done: unknown[] | null;
  payload: string | null;
}

function date(field: string, v: unknown): Date | null {
  if (v === undefined || v === null) return null;
  if (!(v instanceof Date) || Number.isNaN(v.getTime())) throw new ValidationError(field, 'must be a valid Date');
  return v;
}

/**
 * Validates a filter and turns it into parameters. `scopeTenant` is the caller's tenant
 * (a tenant-scoped token): another tenant in the filter matches nothing.
 */
export function filterParams(filter: JobFilter = {}, scopeTenant: string | null = null): FilterParams | 'empty' {
  if (typeof filter !== 'object' || filter === null) throw new ValidationError('filter', 'must be an object');
  const queue = filter.queue === undefined ? null : validateName('queue', filter.queue);
  let tenant = filter.tenant === undefined ? null : validateName('tenant', filter.tenant);
  if (scopeTenant !== null) {
    if (tenant !== null && tenant !== scopeTenant) return 'empty';
    tenant = scopeTenant;
  }
  const states = filter.state === undefined ? null : Array.isArray(filter.state) ? filter.state : [filter.state];
  for (const s of states ?? [])
    if (!JOB_STATES.includes(s)) throw new ValidationError('state', `must be one of ${JOB_STATES.join(', ')} (got ${JSON.stringify(s)})`);
  const priority = filter.priority === undefined ? null : priorityRank('priority', filter.priority);
  const from = date('from', filter.from);
  const to = date('to', filter.to);
  let payload: string | null = null;
  if (filter.payload !== undefined) {
    if (typeof filter.payload !== 'object' || filter.payload === null || Array.isArray(filter.payload))
      throw new ValidationError('payload', 'must be a JSON object to look for in payloads');
    payload = JSON.stringify(filter.payload);
    if (payload.length > 10_000) throw new ValidationError('payload', 'must be at most 10,000 characters of JSON');
  }
  const live = states?.filter((s): s is (typeof LIVE_STATES)[number] => (LIVE_STATES as readonly string[]).includes(s)) ?? null;
  const done = states?.filter((s): s is (typeof DONE_STATES)[number] => (DONE_STATES as readonly string[]).includes(s)) ?? null;
  const base = (st: string[] | null) => [queue, tenant, st, priority, from, to];
  return {
    live: live === null || live.length > 0 ? base(live) : null,
    done: done === null || done.length > 0 ? base(done) : null,
    payload,
  };
}
