import { positiveInt, priorityRank, serializePayload, validateName } from '../client/validate.js';
import { ValidationError } from '../errors.js';
import { PRIORITIES, type Priority } from '../types.js';
import { CronSchedule } from './cron.js';
import type { MissedTickPolicy, ScheduleInfo, ScheduleOptions } from './types.js';

/** A validated schedule, ready to store. */
export interface ScheduleDefinition {
  name: string;
  cron: CronSchedule;
  queue: string;
  /** Serialised JSON. */
  payload: string;
  tenant: string;
  priority: number;
  enabled: boolean;
  missedPolicy: 'skip' | 'catch-up';
  catchUpMax: number;
  graceMs: number;
  jitterMs: number;
  maxAttempts: number | null;
  timeoutMs: number | null;
  requireKnownQueue: boolean;
}

const DAY_MS = 86_400_000;
const KNOWN_OPTIONS = new Set([
  'timeZone',
  'tenant',
  'priority',
  'enabled',
  'onMissed',
  'graceMs',
  'jitterMs',
  'maxAttempts',
  'timeoutMs',
  'requireKnownQueue',
]);

/** Validates everything before anything is stored; a ValidationError names the field. */
export function defineSchedule(
  name: unknown,
  cron: unknown,
  queue: unknown,
  payload: unknown,
  opts: ScheduleOptions | undefined,
  maxPayloadBytes: number,
): ScheduleDefinition {
  const o = opts ?? {};
  if (typeof o !== 'object') throw new ValidationError('options', 'must be an object');
  for (const key of Object.keys(o)) {
    if (!KNOWN_OPTIONS.has(key)) throw new ValidationError(key, 'is not a schedule option');
  }
  const validName = validateName('name', name);
  const schedule = CronSchedule.parse(cron, o.timeZone ?? 'UTC');
  const validQueue = validateName('queue', queue);
  const json = serializePayload('payload', payload, maxPayloadBytes);
  const tenant = o.tenant === undefined ? 'default' : validateName('tenant', o.tenant);
  const priority = priorityRank('priority', o.priority);
  if (o.enabled !== undefined && typeof o.enabled !== 'boolean') throw new ValidationError('enabled', 'must be a boolean');
  const { missedPolicy, catchUpMax } = missedPolicyOf(o.onMissed);
  return {
    name: validName,
    cron: schedule,
    queue: validQueue,
    payload: json,
    tenant,
    priority,
    enabled: o.enabled ?? true,
    missedPolicy,
    catchUpMax,
    graceMs: o.graceMs === undefined ? 30_000 : positiveInt('graceMs', o.graceMs, { min: 100, max: DAY_MS }),
    jitterMs: o.jitterMs === undefined ? 0 : positiveInt('jitterMs', o.jitterMs, { min: 0, max: DAY_MS }),
    maxAttempts: o.maxAttempts === undefined ? null : positiveInt('maxAttempts', o.maxAttempts, { max: 1000 }),
    timeoutMs: o.timeoutMs === undefined ? null : positiveInt('timeoutMs', o.timeoutMs),
    requireKnownQueue: o.requireKnownQueue === true,
  };
}

function missedPolicyOf(value: unknown): { missedPolicy: 'skip' | 'catch-up'; catchUpMax: number } {
  if (value === undefined || value === 'skip') return { missedPolicy: 'skip', catchUpMax: 0 };
  if (value !== null && typeof value === 'object' && 'catchUp' in value) {
    return { missedPolicy: 'catch-up', catchUpMax: positiveInt('onMissed.catchUp', value.catchUp, { max: 1000 }) };
  }
  throw new ValidationError('onMissed', `must be 'skip' or { catchUp: n } (got ${JSON.stringify(value)})`);
}

/** A stored schedules row, as the queries select it. */
export interface ScheduleRow {
  id: string;
  name: string;
  cron: string;
  time_zone: string;
  queue: string;
  payload: unknown;
  tenant: string;
  priority: number;
  max_attempts: number | null;
  timeout_ms: number | null;
  enabled: boolean;
  missed_policy: 'skip' | 'catch-up';
  catch_up_max: number;
  grace_ms: number;
  jitter_ms: number;
  next_tick_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export function priorityName(rank: number): Priority {
  return PRIORITIES[rank] ?? 'normal';
}

export function toScheduleInfo<P>(r: ScheduleRow): ScheduleInfo<P> {
  const onMissed: MissedTickPolicy = r.missed_policy === 'catch-up' ? { catchUp: r.catch_up_max } : 'skip';
  return {
    name: r.name,
    cron: r.cron,
    timeZone: r.time_zone,
    queue: r.queue,
    payload: r.payload as P,
    tenant: r.tenant,
    priority: priorityName(r.priority),
    enabled: r.enabled,
    onMissed,
    graceMs: r.grace_ms,
    jitterMs: r.jitter_ms,
    maxAttempts: r.max_attempts,
    timeoutMs: r.timeout_ms,
    nextRunAt: r.enabled ? r.next_tick_at : null,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}
