import type { CronSchedule } from './cron.js';
import type { TickStatus } from './types.js';

export interface PlannedTick {
  at: Date;
  status: TickStatus;
}

export interface TickPlan {
  /** Ticks to record, oldest first. */
  ticks: PlannedTick[];
  /** Ticks not enqueued in time (missed + caught up), including those not recorded. A lower bound when `truncated`. */
  missed: number;
  /** The outage was longer than `maxEnumerate` ticks: some missed ticks in the middle were neither counted nor recorded. */
  truncated: boolean;
  /** The new cursor: the first tick after `now`, or null when the expression has none left. */
  next: Date | null;
}

export interface PlanPolicy {
  graceMs: number;
  /** 0 = skip. */
  catchUp: number;
  /** Missed ticks (beyond the caught-up ones) recorded as rows; older ones are only counted. Default 100. */
  keepMissed?: number;
  /** Most ticks walked one by one per evaluation; beyond that, the recent ones are found backwards. Default 1,000. */
  maxEnumerate?: number;
}

/**
 * Decides what to do with every tick of a schedule from its cursor (a tick instant not
 * yet handled) up to `now` (database time). Ticks within `graceMs` of `now` are on time
 * and enqueued; older ones are missed, and under catch-up the most recent `catchUp` of
 * those are enqueued too. Pure, so every evaluator plans the same ticks from the same
 * cursor whatever its own clock says.
 */
export function planTicks(cron: CronSchedule, cursor: Date, now: Date, policy: PlanPolicy): TickPlan {
  const keepMissed = policy.keepMissed ?? 100;
  const maxEnumerate = policy.maxEnumerate ?? 1_000;
  const nowMs = now.getTime();
  const due: Date[] = [];
  let t: Date | null = cursor;
  while (t !== null && t.getTime() <= nowMs && due.length < maxEnumerate) {
    due.push(t);
    t = cron.next(t);
  }
  let truncated = false;
  if (t !== null && t.getTime() <= nowMs) {
    // A long outage of a frequent schedule: only the most recent ticks matter (on-time
    // ones, the catch-up ones, the kept missed rows), so take them backwards from now.
    const last = due[due.length - 1] as Date;
    const back = cron.previous(maxEnumerate, now);
    const recent = back.filter((d) => d.getTime() > last.getTime()).reverse();
    // No gap when the backward walk reached the forward one.
    truncated = recent.length === back.length && cron.next(last)?.getTime() !== recent[0]?.getTime();
    due.push(...recent);
    t = cron.next(now);
  }

  const onTimeFrom = nowMs - policy.graceMs;
  const late = due.filter((d) => d.getTime() < onTimeFrom);
  const onTime = due.slice(late.length);
  const caughtUp = policy.catchUp > 0 ? late.slice(Math.max(0, late.length - policy.catchUp)) : [];
  const missed = late.slice(0, late.length - caughtUp.length);
  const kept = missed.slice(Math.max(0, missed.length - keepMissed));
  return {
    ticks: [
      ...kept.map((at) => ({ at, status: 'missed' as const })),
      ...caughtUp.map((at) => ({ at, status: 'caught_up' as const })),
      ...onTime.map((at) => ({ at, status: 'enqueued' as const })),
    ],
    missed: late.length,
    truncated,
    next: t,
  };
}
