import type { Command } from 'commander';
import type { QueueInfo, QueueSettings, RateLimit, TenantInfo, TenantSettings } from '../../fairness/settings.js';
import { withRota } from '../context.js';
import { durationOrNone, int, limitOrNone, type None, namingFlags, orNull, type RateFlag, rateOrNone } from '../flags.js';

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

function printQueue(q: QueueInfo): void {
  console.log(`queue ${q.queue}`);
  const rows: Array<[string, string]> = [
    ['concurrency', fmtLimit(q.concurrency)],
    ['tenant concurrency', fmtLimit(q.tenantConcurrency)],
    ['rate', fmtRate(q.rate)],
    ['tenant rate', fmtRate(q.tenantRate)],
    ['aging', q.agingMs === null ? 'none' : fmtDuration(q.agingMs)],
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
  create?: boolean;
  json?: boolean;
}

export function registerQueueCommands(program: Command): void {
  const queue = program.command('queue').description('fairness settings of a queue: limits, rates, aging');

  queue
    .command('configure <name>')
    .description('change a queue\'s settings (only those given; "none" removes a limit); workers apply them on their next claim')
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
