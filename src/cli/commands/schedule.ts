import type { Command } from 'commander';
import { ValidationError } from '../../errors.js';
import type { ScheduleOptions, ScheduleStatus } from '../../scheduler/types.js';
import type { Priority } from '../../types.js';
import { onShutdownSignal, openDatabase, rotaFromEnv, withRota } from '../context.js';
import { int, json, namingFlags } from '../flags.js';

/** Library fields → `rota schedule` flags. */
const SCHEDULE_FLAGS = {
  timeZone: '--tz',
  tenant: '--tenant',
  priority: '--priority',
  onMissed: '--catch-up',
  graceMs: '--grace',
  jitterMs: '--jitter',
  maxAttempts: '--max-attempts',
  timeoutMs: '--timeout',
  payload: '[payload]',
  cron: '<cron>',
  limit: '--limit',
  cursor: '--cursor',
  window: '--window',
};

const when = (d: Date | null | undefined) => (d ? d.toISOString().replace('.000Z', 'Z') : '-');
const ms = (v: number | null) => (v === null ? '-' : `${Math.round(v)} ms`);
const pct = (v: number | null) => (v === null ? '-' : `${(v * 100).toFixed(1)}%`);

function printStatus(list: ScheduleStatus[]): void {
  const cols = ['name', 'cron', 'queue', 'state', 'next run', 'last run', 'outcome', 'success', 'mean', 'p95', 'missed'];
  const rows = list.map((s) => [
    s.name,
    s.timeZone === 'UTC' ? s.cron : `${s.cron} (${s.timeZone})`,
    s.queue,
    s.enabled ? 'enabled' : 'disabled',
    when(s.nextRunAt),
    when(s.lastRun?.tickAt),
    s.lastRun ? (s.lastRun.outcome ?? 'pending') : '-',
    pct(s.successRate),
    ms(s.meanDurationMs),
    ms(s.p95DurationMs),
    String(s.missedTotal),
  ]);
  const width = cols.map((c, i) => Math.max(c.length, ...rows.map((r) => (r[i] as string).length)) + 2);
  console.log(cols.map((c, i) => c.padEnd(width[i] as number)).join(''));
  for (const r of rows) console.log(r.map((v, i) => v.padEnd(width[i] as number)).join(''));
}

/**
 * `rota schedule add | list | remove | enable | disable | trigger | history | run`.
 * `run` is a scheduler process; any number may run at once.
 */
export function registerScheduleCommands(program: Command): void {
  const cmd = program.command('schedule').description('cron schedules: define, inspect, trigger, and run the scheduler');

  cmd
    .command('add <name> <cron> <queue> [payload]')
    .description('create or replace a schedule (cron: 5 fields, or 6 with seconds first); payload is JSON, default {}')
    .option('--tz <zone>', 'IANA time zone the cron is read in (default UTC)')
    .option('--tenant <tenant>')
    .option('--priority <priority>', 'urgent | high | normal | low')
    .option('--catch-up <n>', 'after an outage, enqueue the n most recent missed ticks (default: skip them)', int('--catch-up'))
    .option('--grace <ms>', 'a tick enqueued within this many ms is on time (default 30000)', int('--grace'))
    .option('--jitter <ms>', 'delay each job by a random 0..ms', int('--jitter'))
    .option('--max-attempts <n>', 'attempts of each job', int('--max-attempts'))
    .option('--timeout <ms>', 'per-attempt timeout of each job', int('--timeout'))
    .option('--disabled', 'store it disabled')
    .option('--require-known-queue', 'fail unless a live worker serves the queue')
    .action(async (name: string, cron: string, queue: string, payload: string | undefined, o: Record<string, unknown>) => {
      const opts: ScheduleOptions = {};
      if (o.tz !== undefined) opts.timeZone = o.tz as string;
      if (o.tenant !== undefined) opts.tenant = o.tenant as string;
      if (o.priority !== undefined) opts.priority = o.priority as Priority;
      if (o.catchUp !== undefined) opts.onMissed = { catchUp: o.catchUp as number };
      if (o.grace !== undefined) opts.graceMs = o.grace as number;
      if (o.jitter !== undefined) opts.jitterMs = o.jitter as number;
      if (o.maxAttempts !== undefined) opts.maxAttempts = o.maxAttempts as number;
      if (o.timeout !== undefined) opts.timeoutMs = o.timeout as number;
      if (o.disabled) opts.enabled = false;
      if (o.requireKnownQueue) opts.requireKnownQueue = true;
      const body = payload === undefined ? {} : json('[payload]')(payload);
      await withRota(async (rota) => {
        const s = await namingFlags(SCHEDULE_FLAGS, () => rota.schedule(name, cron, queue, body, opts));
        console.log(`schedule ${s.name}: ${s.cron} (${s.timeZone}) → ${s.queue}; next run ${when(s.nextRunAt)}`);
      });
    });

  cmd
    .command('list')
    .description('every schedule with its next and last run, success rate, durations and missed ticks')
    .option('--window <n>', 'stats over the last n cycles (default 100)', int('--window'))
    .option('--limit <n>', 'schedules per page, by name (1..500)', int('--limit', { min: 1 }), 50)
    .option('--cursor <cursor>', 'continue from a previous page')
    .option('--json', 'print JSON ({ items, nextCursor })')
    .action(async (o: { window?: number; limit: number; cursor?: string; json?: boolean }) => {
      await withRota(async (rota) => {
        const page = await namingFlags(SCHEDULE_FLAGS, () => rota.admin.schedulePage({ limit: o.limit, cursor: o.cursor }));
        const names = page.items.map((s) => s.name);
        const list = names.length > 0 ? await namingFlags(SCHEDULE_FLAGS, () => rota.scheduleStatus({ names, window: o.window })) : [];
        if (o.json) return console.log(JSON.stringify({ items: list, nextCursor: page.nextCursor }, null, 2));
        if (list.length === 0) console.log('no schedules');
        else printStatus(list);
        if (page.nextCursor) console.log(`more: --cursor ${page.nextCursor}`);
      });
    });

  cmd
    .command('status')
    .description('the schedulers: paused, lag, last cycle recorded, and the processes that claimed schedules most recently')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      await withRota(async (rota) => {
        const s = await rota.admin.scheduling.state();
        if (o.json) return console.log(JSON.stringify(s, null, 2));
        console.log(`${s.paused ? 'paused' : 'running'}  schedules ${s.schedules} (${s.enabled} enabled)  lag ${s.lagMs} ms`);
        console.log(`last cycle recorded: ${s.lastEvaluationAt?.toISOString() ?? 'never'}`);
        if (s.evaluators.length === 0) console.log('no process has claimed a schedule');
        for (const e of s.evaluators)
          console.log(`evaluator ${e.workerId}\tlast claim ${e.lastClaimAt.toISOString()}\tclaimed ~${e.claimed}`);
      });
    });

  cmd
    .command('history <name>')
    .description("a schedule's recent cycles, newest first")
    .option('--limit <n>', 'default 20', int('--limit'))
    .option('--missed', 'only ticks not enqueued in time')
    .option('--json', 'print JSON')
    .action(async (name: string, o: { limit?: number; missed?: boolean; json?: boolean }) => {
      await withRota(async (rota) => {
        const list = await namingFlags(SCHEDULE_FLAGS, () =>
          rota.scheduleCycles({ schedule: name, limit: o.limit ?? 20, status: o.missed ? ['missed', 'caught_up'] : undefined }),
        );
        // An unknown name has no cycles either: say so, as `trigger` does, rather than print nothing.
        if (list.length === 0 && (await rota.scheduleStatus({ name })).length === 0)
          throw new ValidationError('name', `no schedule named ${JSON.stringify(name)}`);
        if (o.json) return console.log(JSON.stringify(list, null, 2));
        for (const c of list) {
          console.log(
            [
              when(c.tickAt),
              c.source,
              c.status,
              c.jobId ? `job ${c.jobId}` : '-',
              c.outcome ?? (c.jobId ? 'pending' : '-'),
              ms(c.durationMs),
            ].join('  '),
          );
        }
      });
    });

  for (const [verb, description] of [
    ['remove', 'delete a schedule and its history'],
    ['enable', 'enable a schedule (its next tick is the first after now)'],
    ['disable', 'disable a schedule (every scheduler stops within a second)'],
  ] as const) {
    cmd
      .command(`${verb} <name>`)
      .description(description)
      .action(async (name: string) => {
        await withRota(async (rota) => {
          const found = verb === 'remove' ? await rota.unschedule(name) : await rota.setScheduleEnabled(name, verb === 'enable');
          if (!found) throw new ValidationError('name', `no schedule named ${JSON.stringify(name)}`);
          console.log(`${verb}d ${name}`);
        });
      });
  }

  cmd
    .command('trigger <name>')
    .description('run a schedule now (its next tick is not moved)')
    .action(async (name: string) => {
      await withRota(async (rota) => {
        const r = await rota.trigger(name);
        console.log(JSON.stringify(r));
      });
    });

  cmd
    .command('run')
    .description('run a scheduler process until SIGINT/SIGTERM (any number may run at once)')
    .option('--poll <ms>', 'longest wait between looks for due schedules (default 1000)', int('--poll'))
    .action(async (o: { poll?: number }) => {
      const db = await openDatabase({ embedded: 'on-flag' });
      const rota = rotaFromEnv(db.url);
      await rota.migrate();
      rota.startScheduler({ pollMs: o.poll });
      console.log('scheduler running');
      onShutdownSignal(async () => {
        await rota.close();
        await db.close();
      });
    });
}
