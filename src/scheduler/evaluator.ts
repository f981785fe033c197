import type pg from 'pg';
import { inTransaction } from '../db/transaction.js';
import { isUnavailable, ValidationError } from '../errors.js';
import type { EnqueueItem } from '../types.js';
import { CronSchedule } from './cron.js';
import { priorityName, type ScheduleRow } from './definition.js';
import type { SchedulerDeps } from './deps.js';
import { planTicks } from './plan.js';
import type { ScheduleTickEvent, TickStatus } from './types.js';

type JobFields = Pick<ScheduleRow, 'payload' | 'tenant' | 'priority' | 'max_attempts' | 'timeout_ms' | 'jitter_ms'>;

interface ClaimedRow extends JobFields {
  id: string;
  name: string;
  cron: string;
  time_zone: string;
  queue: string;
  missed_policy: 'skip' | 'catch-up';
  catch_up_max: number;
  grace_ms: number;
  next_tick_at: Date;
  now: Date;
  later: Date | null;
}

export interface EvaluationResult {
  claimed: number;
  /** Database time of the evaluation (null when nothing was claimed). */
  now: Date | null;
  /** The earliest cursor known after this evaluation (claimed schedules' new cursors and the first one not due). */
  wakeAt: Date | null;
  /** Cycles this evaluation recorded, to be emitted after commit. */
  events: ScheduleTickEvent[];
}

/** An evaluation failed for a reason other than the connection; names the schedules it held. */
export class EvaluationError extends Error {
  override readonly name = 'EvaluationError';
  constructor(
    readonly schedules: Array<{ id: string; name: string }>,
    options: { cause: unknown },
  ) {
    super(
      `evaluating ${schedules.map((s) => s.name).join(', ')} failed: ${String((options.cause as Error)?.message ?? options.cause)}`,
      options,
    );
  }
}

// A transaction that stalls while holding schedule rows (a frozen process) is ended by
// the server, so the other evaluators get the rows back. No extra round trip.
const BEGIN = "BEGIN; SET LOCAL idle_in_transaction_session_timeout = '15s'";

const cronCache = new Map<string, CronSchedule>();

function cronOf(expression: string, timeZone: string): CronSchedule {
  const key = `${timeZone}\u0000${expression}`;
  let c = cronCache.get(key);
  if (!c) {
    if (cronCache.size >= 10_000) cronCache.clear();
    c = CronSchedule.parse(expression, timeZone);
    cronCache.set(key, c);
  }
  return c;
}

export function jobItem(row: JobFields, jitter: boolean): EnqueueItem {
  const item: EnqueueItem = { payload: row.payload, tenant: row.tenant, priority: priorityName(row.priority) };
  if (row.max_attempts !== null) item.maxAttempts = row.max_attempts;
  if (row.timeout_ms !== null) item.timeoutMs = row.timeout_ms;
  if (jitter && row.jitter_ms > 0) item.delayMs = Math.floor(Math.random() * (row.jitter_ms + 1));
  return item;
}

/**
 * One evaluation: in one transaction, claim up to `batchSize` due schedules, plan
 * their ticks, record them (the tick's primary key decides who owns it), enqueue a
 * job for each owned tick that is on time or caught up, store the job ids and move
 * the cursors. Statements: BEGIN, claim, record, one enqueue per queue, attach, COMMIT.
 */
export function evaluateDue(deps: SchedulerDeps, batchSize: number, exclude: readonly string[]): Promise<EvaluationResult> {
  return inTransaction(deps.pool, (client) => evaluateIn(client, deps, batchSize, exclude), BEGIN);
}

async function evaluateIn(
  client: pg.PoolClient,
  deps: SchedulerDeps,
  batchSize: number,
  exclude: readonly string[],
): Promise<EvaluationResult> {
  const claimed = (await client.query<ClaimedRow>(deps.sql.claim, [batchSize, exclude])).rows;
  const first = claimed[0];
  if (!first) return { claimed: 0, now: null, wakeAt: null, events: [] };
  const now = first.now;
  try {
    const ticks: Array<{ s: string; t: Date; st: TickStatus }> = [];
    const advance: Array<{ i: string; n: Date | null; m: number; lm: Date | null }> = [];
    let wakeAt = first.later;
    // planTicks is pure and croner costs ~50 µs per next tick: schedules sharing an
    // expression, a cursor and a policy (every "0 * * * *" at the top of the hour) share one plan.
    const plans = new Map<string, ReturnType<typeof planTicks>>();
    for (const row of claimed) {
      const catchUp = row.missed_policy === 'catch-up' ? row.catch_up_max : 0;
      const key = `${row.time_zone}\u0000${row.cron}\u0000${row.next_tick_at.getTime()}\u0000${row.grace_ms}\u0000${catchUp}`;
      let plan = plans.get(key);
      if (!plan) {
        plan = planTicks(cronOf(row.cron, row.time_zone), row.next_tick_at, now, { graceMs: row.grace_ms, catchUp });
        plans.set(key, plan);
      }
      for (const t of plan.ticks) ticks.push({ s: row.id, t: t.at, st: t.status });
      const lastLate = plan.ticks.filter((t) => t.status !== 'enqueued').at(-1)?.at ?? null;
      advance.push({ i: row.id, n: plan.next, m: plan.missed, lm: lastLate });
      if (plan.truncated)
        deps.log.warn({ schedule: row.name, missedAtLeast: plan.missed }, 'schedule: long outage, some missed ticks not counted');
      if (plan.next && (wakeAt === null || plan.next < wakeAt)) wakeAt = plan.next;
    }
    const inserted = await client.query<{ schedule_id: string; tick_at: Date }>(deps.sql.record, [
      JSON.stringify(ticks),
      JSON.stringify(advance),
    ]);
    const owned = new Set(inserted.rows.map((r) => `${r.schedule_id}@${r.tick_at.getTime()}`));
    const rowsById = new Map(claimed.map((r) => [r.id, r]));
    const byQueue = new Map<string, Array<{ s: string; t: Date; row: ClaimedRow; st: TickStatus }>>();
    const events: ScheduleTickEvent[] = [];
    for (const t of ticks) {
      if (!owned.has(`${t.s}@${t.t.getTime()}`)) continue;
      const row = rowsById.get(t.s) as ClaimedRow;
      if (t.st === 'missed') {
        events.push({ schedule: row.name, tickAt: t.t, source: 'cron', status: t.st, jobId: null });
        continue;
      }
      const group = byQueue.get(row.queue) ?? [];
      group.push({ ...t, row });
      byQueue.set(row.queue, group);
    }
    const attach: Array<{ s: string; t: Date; j: string }> = [];
    for (const [queue, group] of byQueue) {
      const results = await deps.enqueue(
        client,
        queue,
        group.map((g) => jobItem(g.row, true)),
      );
      group.forEach((g, i) => {
        const jobId = (results[i] as { id: string }).id;
        attach.push({ s: g.s, t: g.t, j: jobId });
        events.push({ schedule: g.row.name, tickAt: g.t, source: 'cron', status: g.st, jobId });
      });
    }
    if (attach.length > 0) await client.query(deps.sql.attach, [JSON.stringify(attach)]);
    return { claimed: claimed.length, now, wakeAt, events };
  } catch (err) {
    if (isUnavailable(err)) throw err;
    throw new EvaluationError(
      claimed.map((r) => ({ id: r.id, name: r.name })),
      { cause: err },
    );
  }
}

export interface TriggerResult {
  schedule: string;
  jobId: string;
  /** The trigger time (database clock), the cycle's tickAt. */
  tickAt: Date;
}

/** Enqueues a schedule's job now and records it as a manual cycle; the cron cursor is untouched. Works on disabled schedules too. */
export async function triggerSchedule(deps: SchedulerDeps, name: string): Promise<TriggerResult> {
  const result = await inTransaction(deps.pool, async (client) => {
    // KEY SHARE: the schedule cannot be deleted under us, and evaluators are not blocked.
    const res = await client.query<ScheduleRow>(`SELECT * FROM "${deps.schema}".schedules WHERE name = $1 FOR KEY SHARE`, [name]);
    const row = res.rows[0];
    if (!row) throw new ValidationError('name', `no schedule named ${JSON.stringify(name)}`);
    const [job] = await deps.enqueue(client, row.queue, [jobItem(row, false)]);
    const jobId = (job as { id: string }).id;
    const rec = await client.query<{ tick_at: Date }>(deps.sql.trigger, [row.id, jobId]);
    return { schedule: row.name, jobId, tickAt: (rec.rows[0] as { tick_at: Date }).tick_at };
  });
  deps.onTick({ schedule: result.schedule, tickAt: result.tickAt, source: 'manual', status: 'enqueued', jobId: result.jobId });
  return result;
}
