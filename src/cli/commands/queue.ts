import type { Command } from 'commander';
import type { QueueInfo, QueueSettings, RateLimit, TenantInfo, TenantSettings } from '../../fairness/settings.js';
import type { QueueRetrySettings } from '../../resilience/retry-settings.js';
import { withRota } from '../context.js';
import { durationOrNone, int, limitOrNone, NONE, type None, namingFlags, num, orNull, type RateFlag, rateOrNone } from '../flags.js';

/** A number from 0 to 1, or `none`. */
function fractionOrNone(flag: string) {
  return (text: string): number | None => {
    if (text.trim() === NONE) return NONE;
    const n = num(flag)(text);
    if (n < 0 || n > 1) throw new Error(`${flag}: must be from 0 to 1 (got ${text})`);
    return n;
  };
}

/**
 * `rota queue configure|show` and `rota tenant configure|show`: fairness settings
 * (limits, rates, weights, aging), stored in the database, applied by running workers
 * on their next claim. `none` removes a limit.
 */

function withBurst(rate: RateFlag | None | undefined, burst: number | undefined, flag: string): RateLimit | null | undefined {
  if (burst === undefined) return rate === undefined ? undefined : orNull(rate);
  if (rate === undefined || rate === 'none') throw new Error(`${flag}: needs a rate in the same command`);
  return { ...rate, burst };
}

/** Library fields → the flags that set them, so errors name what the user typed. */
const QUEUE_FLAGS = {
  concurrency: '--concurrency',
  tenantConcurrency: '--tenant-concurrency',
  rate: '--rate',
  'rate.burst': '--burst',
  tenantRate: '--tenant-rate',
  'tenantRate.burst': '--tenant-burst',
  agingMs: '--aging',
  retry: '--retry-clear',
  'retry.maxAttempts': '--max-attempts',
  'retry.baseMs': '--retry-base',
  'retry.maxMs': '--retry-max',
  'retry.jitter': '--retry-jitter',
  weight: '--weight',
};

const fmtLimit = (n: number | null) => (n === null ? 'none' : String(n));

/** 60000 → "1m", 1500 → "1500ms". */
function fmtDuration(ms: number): string {
  for (const [unit, size] of [
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

const fmtRate = (r: Required<RateLimit> | null) => (r === null ? 'none' : `${r.limit}/${fmtDuration(r.periodMs)} (burst ${r.burst})`);

/** The stored backoff parts; unset ones come from the workers' code. */
function fmtBackoff(r: QueueInfo['retry']): string {
  const parts = [
    r.baseMs === null ? null : `base ${fmtDuration(r.baseMs)}`,
    r.maxMs === null ? null : `max ${fmtDuration(r.maxMs)}`,
    r.jitter === null ? null : `jitter ${r.jitter}`,
  ].filter(Boolean);
  return parts.length === 0 ? "not set (work()'s retry option)" : `${parts.join(', ')}${parts.length < 3 ? " (the rest: work()'s)" : ''}`;
}

/** --max-attempts, --retry-base/-max/-jitter, --retry-clear → the `retry` setting (undefined: none given). */
function retryFlags(o: QueueFlags): QueueRetrySettings | null | undefined {
  const parts: QueueRetrySettings = {};
  if (o.maxAttempts !== undefined) parts.maxAttempts = orNull(o.maxAttempts);
  if (o.retryBase !== undefined) parts.baseMs = orNull(o.retryBase);
  if (o.retryMax !== undefined) parts.maxMs = orNull(o.retryMax);
  if (o.retryJitter !== undefined) parts.jitter = orNull(o.retryJitter);
  if (o.retryClear) {
    if (Object.keys(parts).length > 0) throw new Error('--retry-clear: cannot be combined with --max-attempts or --retry-* flags');
    return null;
  }
  return Object.keys(parts).length > 0 ? parts : undefined;
}

function printQueue(q: QueueInfo): void {
  console.log(`queue ${q.queue}`);
  const rows: Array<[string, string]> = [
    ['concurrency', fmtLimit(q.concurrency)],
    ['tenant concurrency', fmtLimit(q.tenantConcurrency)],
    ['rate', fmtRate(q.rate)],
    ['tenant rate', fmtRate(q.tenantRate)],
    ['aging', q.agingMs === null ? 'none' : fmtDuration(q.agingMs)],
    ['max attempts', q.retry.maxAttempts === null ? 'not set (job or rota default)' : String(q.retry.maxAttempts)],
    ['retry backoff', fmtBackoff(q.retry)],
    ['running', String(q.running)],
    ['ready', String(q.ready)],
  ];
  if (q.heldUntil) rows.push(['held until', q.heldUntil.toISOString()]);
  for (const [k, v] of rows) console.log(`  ${k.padEnd(20)}${v}`);
  if (q.tenants.length === 0) return;
  console.log(`\ntenants (busiest ${q.tenants.length})`);
  const head = ['tenant', 'weight', 'concurrency', 'rate', 'running', 'ready'];
  const table = q.tenants.map((t) => [
    t.tenant,
    String(t.weight),
    fmtLimit(t.concurrency),
    fmtRate(t.rate),
    String(t.running),
    String(t.ready),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...table.map((r) => (r[i] as string).length)) + 2);
  for (const r of [head, ...table]) console.log(`  ${r.map((c, i) => c.padEnd(widths[i] as number)).join('')}`);
}

function printTenant(t: TenantInfo): void {
  console.log(`tenant ${t.tenant} in queue ${t.queue}`);
  const rows: Array<[string, string]> = [
    ['weight', String(t.weight)],
    ['concurrency', t.concurrency === null ? 'queue default' : String(t.concurrency)],
    ['rate', t.rate === null ? 'queue default' : fmtRate(t.rate)],
    ['running', String(t.running)],
    ['ready', String(t.ready)],
  ];
  if (t.heldUntil) rows.push(['held until', t.heldUntil.toISOString()]);
  for (const [k, v] of rows) console.log(`  ${k.padEnd(14)}${v}`);
}

interface QueueFlags {
  concurrency?: number | None;
  tenantConcurrency?: number | None;
  rate?: RateFlag | None;
  burst?: number;
  tenantRate?: RateFlag | None;
  tenantBurst?: number;
  aging?: number | None;
  maxAttempts?: number | None;
  retryBase?: number | None;
  retryMax?: number | None;
  retryJitter?: number | None;
  retryClear?: boolean;
  create?: boolean;
  json?: boolean;
}

export function registerQueueCommands(program: Command): void {
  const queue = program.command('queue').description('settings of a queue: limits, rates, aging, retry policy');

  queue
    .command('configure <name>')
    .description(
      'change a queue\'s settings (only those given; "none" removes a limit); workers apply limits on their next claim, a retry backoff within a heartbeat',
    )
    .option(
      '--concurrency <n|none>',
      'most jobs of the queue running at once, across all processes (0 pauses)',
      limitOrNone('--concurrency'),
    )
    .option(
      '--tenant-concurrency <n|none>',
      'most jobs of one tenant running at once (default for tenants)',
      limitOrNone('--tenant-concurrency'),
    )
    .option('--rate <limit/period|none>', 'jobs of the queue started per period, e.g. 450/min', rateOrNone('--rate'))
    .option('--burst <n>', 'with --rate: most jobs started at once after a quiet spell', int('--burst'))
    .option('--tenant-rate <limit/period|none>', 'default rate per tenant, e.g. 60/min', rateOrNone('--tenant-rate'))
    .option('--tenant-burst <n>', 'with --tenant-rate: burst per tenant', int('--tenant-burst'))
    .option('--aging <duration|none>', 'a lower tier unserved this long competes one tier higher, e.g. 30s', durationOrNone('--aging'))
    .option('--max-attempts <n|none>', 'attempts of jobs enqueued from now on without their own maxAttempts', limitOrNone('--max-attempts'))
    .option(
      '--retry-base <duration|none>',
      'backoff: delay before the second attempt, doubling after (workers: within a heartbeat)',
      durationOrNone('--retry-base'),
    )
    .option('--retry-max <duration|none>', 'backoff: longest delay (equal to --retry-base: a fixed delay)', durationOrNone('--retry-max'))
    .option('--retry-jitter <0..1|none>', 'backoff: fraction of the delay drawn at random', fractionOrNone('--retry-jitter'))
    .option('--retry-clear', "unset the whole stored retry policy (the workers' code applies again)")
    .option('--create', 'configure a queue nothing was enqueued to yet')
    .option('--json', 'print JSON')
    .action(async (name: string, o: QueueFlags) => {
      const settings: QueueSettings = {};
      if (o.concurrency !== undefined) settings.concurrency = orNull(o.concurrency);
      if (o.tenantConcurrency !== undefined) settings.tenantConcurrency = orNull(o.tenantConcurrency);
      const rate = withBurst(o.rate, o.burst, '--burst');
      if (rate !== undefined) settings.rate = rate;
      const tenantRate = withBurst(o.tenantRate, o.tenantBurst, '--tenant-burst');
      if (tenantRate !== undefined) settings.tenantRate = tenantRate;
      if (o.aging !== undefined) settings.agingMs = orNull(o.aging);
      const retry = retryFlags(o);
      if (retry !== undefined) settings.retry = retry;
      const info = await withRota((rota) =>
        namingFlags(QUEUE_FLAGS, () => rota.queue(name).configure(settings, { create: o.create ?? false })),
      );
      if (o.json) console.log(JSON.stringify(info, null, 2));
      else printQueue(info);
    });

  queue
    .command('show <name>')
    .description("a queue's settings, running and waiting jobs, and its busiest tenants")
    .option('--tenants <n>', 'how many tenants to list', int('--tenants', { min: 0 }), 20)
    .option('--json', 'print JSON')
    .action(async (name: string, o: { tenants: number; json?: boolean }) => {
      const info = await withRota((rota) => rota.queue(name).info({ tenants: o.tenants }));
      if (o.json) console.log(JSON.stringify(info, null, 2));
      else printQueue(info);
    });

  const tenant = program.command('tenant').description("a tenant's settings in a queue: weight, limits, rate");

  tenant
    .command('configure <queue> <tenant>')
    .description('change a tenant\'s settings in a queue (only those given; "none" falls back to the queue\'s default)')
    .option('--weight <n>', 'turns per round relative to other tenants (1 to 10000; default 1)', int('--weight'))
    .option('--concurrency <n|none>', 'most jobs of this tenant running at once (0 pauses)', limitOrNone('--concurrency'))
    .option('--rate <limit/period|none>', 'jobs of this tenant started per period, e.g. 450/min', rateOrNone('--rate'))
    .option('--burst <n>', 'with --rate: most jobs started at once after a quiet spell', int('--burst'))
    .option('--json', 'print JSON')
    .action(
      async (
        queueName: string,
        id: string,
        o: { weight?: number; concurrency?: number | None; rate?: RateFlag | None; burst?: number; json?: boolean },
      ) => {
        const settings: TenantSettings = {};
        if (o.weight !== undefined) settings.weight = o.weight;
        if (o.concurrency !== undefined) settings.concurrency = orNull(o.concurrency);
        const rate = withBurst(o.rate, o.burst, '--burst');
        if (rate !== undefined) settings.rate = rate;
        const info = await withRota((rota) => namingFlags(QUEUE_FLAGS, () => rota.tenant(queueName, id).configure(settings)));
        if (o.json) console.log(JSON.stringify(info, null, 2));
        else printTenant(info);
      },
    );

  tenant
    .command('show <queue> <tenant>')
    .description("a tenant's settings and jobs in a queue")
    .option('--json', 'print JSON')
    .action(async (queueName: string, id: string, o: { json?: boolean }) => {
      const info = await withRota((rota) => rota.tenant(queueName, id).info());
      if (o.json) console.log(JSON.stringify(info, null, 2));
      else printTenant(info);
    });
}
