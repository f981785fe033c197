import { Cron } from 'croner';
import { ValidationError } from '../errors.js';

/**
 * A parsed cron expression in a time zone: the only place rota computes tick instants.
 * Every evaluator derives ticks from the expression (never from rounding its own
 * clock), so processes whose clocks disagree still agree on the instants.
 *
 * Expressions have 5 fields (minute precision) or 6 (a leading seconds field), plus
 * croner's nicknames (@hourly, @daily, ...). DST follows croner (and Vixie cron):
 * a fixed-time expression (single second, minute and hour, e.g. `30 2 * * *`) whose
 * local time falls in a spring-forward gap runs at the first instant after the gap,
 * and once when the local time repeats in the autumn; an interval expression
 * (`*\/30 * * * *`) skips the instants in a gap and runs at both occurrences of a
 * repeated local time.
 */
export class CronSchedule {
  private readonly cron: Cron;

  private constructor(
    readonly expression: string,
    readonly timeZone: string,
  ) {
    // No callback: croner computes instants only and starts no timer.
    this.cron = new Cron(expression, { mode: '5-or-6-parts', timezone: timeZone });
  }

  /** Parses and validates; a ValidationError names `cron` or `timeZone`. */
  static parse(expression: unknown, timeZone: unknown = 'UTC'): CronSchedule {
    const tz = validateTimeZone(timeZone);
    if (typeof expression !== 'string') throw new ValidationError('cron', `must be a string (got ${typeof expression})`);
    const text = expression.trim().replace(/\s+/g, ' ');
    if (text.length === 0) throw new ValidationError('cron', 'must not be empty');
    let schedule: CronSchedule;
    try {
      schedule = new CronSchedule(text, tz);
    } catch (err) {
      throw new ValidationError(
        'cron',
        `${JSON.stringify(expression)} is not a valid cron expression (5 fields, or 6 with seconds first): ${cronMessage(err)}`,
      );
    }
    return schedule;
  }

  /** The first tick strictly after `after` (whole seconds), or null when there is none. */
  next(after: Date): Date | null {
    return this.cron.nextRun(after);
  }

  /** Up to `n` ticks at or before `atOrBefore`, most recent first. */
  previous(n: number, atOrBefore: Date): Date[] {
    // previousRuns excludes a run exactly at the reference but includes one earlier in
    // the reference's second: 1 ms later makes it inclusive.
    return this.cron.previousRuns(n, new Date(atOrBefore.getTime() + 1)).filter((d) => d.getTime() <= atOrBefore.getTime());
  }
}

/** IANA time zone names as the runtime knows them (`Europe/Berlin`, `UTC`); the canonical spelling is returned. */
export function validateTimeZone(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) throw new ValidationError('timeZone', 'must be a non-empty IANA time zone name');
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: value }).resolvedOptions().timeZone;
  } catch {
    throw new ValidationError('timeZone', `unknown time zone ${JSON.stringify(value)} (expected an IANA name such as "Europe/Berlin")`);
  }
}

function cronMessage(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.replace(/^CronPattern:\s*/, '');
}
