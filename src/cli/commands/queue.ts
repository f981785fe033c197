import type { Command } from 'commander';
import type { QueueInfo, QueueSettings, RateLimit, TenantInfo, TenantSettings } from '../../fairness/settings.js';
import { withRota } from '../context.js';

/**
 * `rota queue configure|show` and `rota tenant configure|show`: fairness settings
 * (limits, rates, weights, aging), stored in the database, applied by running workers
 * on their next claim. `none` removes a limit.
 */

const UNITS: Record<string, number> = { ms: 1, s: 1000, sec: 1000, m: 60_000, min: 60_000, h: 3_600_000, d: 86_400_000 };

/** "30s", "1m", "250ms", "2h"; a bare number is ms. */
export function parseDuration(flag: string, text: string): number {
  const m = /^(\d+(?:\.\d+)?)?\s*(ms|s|sec|m|min|h|d)?$/.exec(text.trim());
  if (!m || (m[1] === undefined && m[2] === undefined))
    throw new Error(`${flag}: expected a duration like 500ms, 30s, 1m or 2h (got ${text})`);
  const ms = Number(m[1] ?? 1) * (UNITS[m[2] ?? 'ms'] as number);
  if (!Number.isInteger(ms) || ms < 1) throw new Error(`${flag}: must be a whole number of ms, at least 1 (got ${text})`);
  return ms;
}

/** "450/min", "450/1m", "10/s", "100/500ms", or "none". */
export function parseRate(flag: string, text: string): Omit<RateLimit, 'burst'> | null {
  if (text === 'none') return null;
  const m = /^(\d+)\s*\/\s*(.+)$/.exec(text.trim());
  if (!m) throw new Error(`${flag}: expected LIMIT/PERIOD such as 450/min, 10/s or 100/500ms, or none (got ${text})`);
  return { limit: Number(m[1]), periodMs: parseDuration(flag, m[2] as string) };
}

function limitOrNone(flag: string) {
  return (text: string): number | null => {
    if (text === 'none') return null;
    const n = Number(text);
    if (!/^-?\d+$/.test(text.trim()) || !Number.isSafeInteger(n)) throw new Error(`${flag}: expected a whole number or none (got ${text})`);
    return n;
  };
}

function intArg(flag: string) {
  return (text: string): number => {
    const n = Number(text);
    if (!/^-?\d+$/.test(text.trim())) throw new Error(`${flag}: expected a whole number (got ${text})`);
    return n;
  };
}

function withBurst(
  rate: Omit<RateLimit, 'burst'> | null | undefined,
  burst: number | undefined,
  flag: string,
): RateLimit | null | undefined {
  if (burst === undefined) return rate;
  if (!rate) throw new Error(`${flag}: needs a rate in the same command`);
  return { ...rate, burst };
}

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
  concurrency?: number | null;
  tenantConcurrency?: number | null;
  rate?: Omit<RateLimit, 'burst'> | null;
  burst?: number;
  tenantRate?: Omit<RateLimit, 'burst'> | null;
  tenantBurst?: number;
  aging?: string;
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
    .option('--rate <limit/period|none>', 'jobs of the queue started per period, e.g. 450/min', (t) => parseRate('--rate', t))
    .option('--burst <n>', 'with --rate: most jobs started at once after a quiet spell', intArg('--burst'))
    .option('--tenant-rate <limit/period|none>', 'default rate per tenant, e.g. 60/min', (t) => parseRate('--tenant-rate', t))
    .option('--tenant-burst <n>', 'with --tenant-rate: burst per tenant', intArg('--tenant-burst'))
    .option('--aging <duration|none>', 'a lower tier unserved this long competes one tier higher, e.g. 30s')
    .option('--create', 'configure a queue nothing was enqueued to yet')
    .option('--json', 'print JSON')
    .action(async (name: string, o: QueueFlags) => {
      const settings: QueueSettings = {};
      if (o.concurrency !== undefined) settings.concurrency = o.concurrency;
      if (o.tenantConcurrency !== undefined) settings.tenantConcurrency = o.tenantConcurrency;
      const rate = withBurst(o.rate, o.burst, '--burst');
      if (rate !== undefined) settings.rate = rate;
      const tenantRate = withBurst(o.tenantRate, o.tenantBurst, '--tenant-burst');
      if (tenantRate !== undefined) settings.tenantRate = tenantRate;
      if (o.aging !== undefined) settings.agingMs = o.aging === 'none' ? null : parseDuration('--aging', o.aging);
      const info = await withRota((rota) => rota.queue(name).configure(settings, { create: o.create ?? false }));
      if (o.json) console.log(JSON.stringify(info, null, 2));
      else printQueue(info);
    });

  queue
    .command('show <name>')
    .description("a queue's settings, running and waiting jobs, and its busiest tenants")
    .option('--tenants <n>', 'how many tenants to list', intArg('--tenants'), 20)
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
    .option('--weight <n>', 'turns per round relative to other tenants (1 to 10000; default 1)', intArg('--weight'))
    .option('--concurrency <n|none>', 'most jobs of this tenant running at once (0 pauses)', limitOrNone('--concurrency'))
    .option('--rate <limit/period|none>', 'jobs of this tenant started per period, e.g. 450/min', (t) => parseRate('--rate', t))
    .option('--burst <n>', 'with --rate: most jobs started at once after a quiet spell', intArg('--burst'))
    .option('--json', 'print JSON')
    .action(
      async (
        queueName: string,
        id: string,
        o: { weight?: number; concurrency?: number | null; rate?: Omit<RateLimit, 'burst'> | null; burst?: number; json?: boolean },
      ) => {
        const settings: TenantSettings = {};
        if (o.weight !== undefined) settings.weight = o.weight;
        if (o.concurrency !== undefined) settings.concurrency = o.concurrency;
        const rate = withBurst(o.rate, o.burst, '--burst');
        if (rate !== undefined) settings.rate = rate;
        const info = await withRota((rota) => rota.tenant(queueName, id).configure(settings));
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
